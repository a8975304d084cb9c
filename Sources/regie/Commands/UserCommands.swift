import RegieCore
import RegieEngine

extension PersonRole: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> PersonRole {
        guard let role = PersonRole(rawValue: text) else {
            throw .usage("--\(name) is one of \(PersonRole.names), not \(text)")
        }
        return role
    }
}

/// `regie user add`.
struct UserAddCommand: RegieCommand {
    static let path = "user add"
    static let summary = "add a person who works in Regie (a one-time password is shown once)"
    static let synopsis = "LOGIN --name NAME --partner PARTNER --role ROLE... [--email ADDRESS] [--sso-only] [--json]"
    static let positionals = 1...1
    static let auditAction: String? = "people"
    @Required("name", "NAME", "the name people see, e.g. \"Jan de Vries\"", missing: "NAME") var name: String
    @Required("partner", "PARTNER", "the organisation the person works for", missing: "PARTNER") var partner: String
    @Repeated("role", "ROLE", "a role: \(PersonRole.names) (repeatable)") var roles: [PersonRole]
    @Option("email", "ADDRESS", "where the person can be reached") var email: String?
    @Flag("sso-only", "the person logs in only through the region's identity provider (no password)") var ssoOnly: Bool
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        The login name is lower-case letters, digits, '.', '_' and '-'. A mandate role (procesregisseur,
        ketenregisseur, bestuurlijk) needs an organisation that holds the mandate in Config/region.json.
        The one-time password is printed once and never stored (only its scrypt hash); at the first login the person
        chooses their own password and links an authenticator app (the second factor).
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let added = try engine.addPerson(
            login: arguments[0], name: name, partner: partner, roles: Set(roles), email: email, localLogin: !ssoOnly,
            audit: context.auditEntry(Self.self))
        context.audited = true
        if json {
            var o = added.person.json.objectValue ?? JSONObject()
            o["temporaryPassword"] = .optional(added.temporaryPassword)
            Output.json(.object(o))
            return
        }
        guard let password = added.temporaryPassword else {
            Output.print(
                "Added \(added.person.login) (\(added.person.partner)); they log in through the region's identity provider."
            )
            return
        }
        Output.print(
            """
            Added \(added.person.login) (\(added.person.name), \(added.person.partner)). Their one-time password is
            shown only now; Regie stores only its hash:

                \(password)

            At the first login they choose their own password and link an authenticator app.
            """)
    }
}

/// `regie user list`.
struct UserListCommand: RegieCommand {
    static let path = "user list"
    static let summary = "list the people who work in Regie"
    static let synopsis = "[--partner PARTNER] [--json]"
    static let positionals = 0...0
    @Option("partner", "PARTNER", "only the people of this organisation") var partner: String?
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let people = try engine.people(partner: partner)
        if json {
            Output.json(["people": .array(people.map(\.json))])
            return
        }
        let cal = engine.config.calendar
        Output.print(
            Output.table(
                ["LOGIN", "NAME", "PARTNER", "ROLES", "STATUS", "LAST LOGIN"],
                people.map { p in
                    [
                        p.login, p.name, p.partner, p.roles.sorted().map(\.rawValue).joined(separator: ","),
                        p.lockedAt != nil ? "locked" : p.status.rawValue, p.lastLoginAt.map(cal.localText) ?? "-",
                    ]
                }))
    }
}

/// `regie user show`.
struct UserShowCommand: RegieCommand {
    static let path = "user show"
    static let summary = "show one person (never their secrets)"
    static let synopsis = "LOGIN"
    static let positionals = 1...1

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        Output.json(try context.engine().person(arguments[0]).json)
    }
}

/// `regie user disable`.
struct UserDisableCommand: RegieCommand {
    static let path = "user disable"
    static let summary = "stop a person from logging in; their sessions end at once"
    static let synopsis = "LOGIN"
    static let positionals = 1...1
    static let auditAction: String? = "people"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        try context.engine().disablePerson(arguments[0], audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("Disabled \(arguments[0]); their sessions have ended.")
    }
}

/// `regie user enable`.
struct UserEnableCommand: RegieCommand {
    static let path = "user enable"
    static let summary = "let a disabled person log in again"
    static let synopsis = "LOGIN"
    static let positionals = 1...1
    static let auditAction: String? = "people"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        try context.engine().enablePerson(arguments[0], audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("Enabled \(arguments[0]).")
    }
}

/// `regie user unlock`.
struct UserUnlockCommand: RegieCommand {
    static let path = "user unlock"
    static let summary = "lift a lock-out after too many failed logins"
    static let synopsis = "LOGIN"
    static let positionals = 1...1
    static let auditAction: String? = "people"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        try context.engine().unlockPerson(arguments[0], audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("Unlocked \(arguments[0]).")
    }
}

/// `regie user roles`.
struct UserRolesCommand: RegieCommand {
    static let path = "user roles"
    static let summary = "set a person's roles"
    static let synopsis = "LOGIN --role ROLE..."
    static let positionals = 1...1
    static let auditAction: String? = "people"
    @Repeated("role", "ROLE", "a role: \(PersonRole.names) (repeatable)") var roles: [PersonRole]

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        try context.engine().setRoles(arguments[0], Set(roles), audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("\(arguments[0]) now has: \(Set(roles).sorted().map(\.rawValue).joined(separator: ", ")).")
    }
}

/// `regie user reset`.
struct UserResetCommand: RegieCommand {
    static let path = "user reset"
    static let summary = "give a person a new one-time password and/or let them link a new authenticator app"
    static let synopsis = "LOGIN [--password] [--second-factor]"
    static let positionals = 1...1
    static let auditAction: String? = "people"
    @Flag("password", "a new one-time password, changed at the next login") var password: Bool
    @Flag("second-factor", "forget the authenticator app and recovery codes; linked again at the next login")
    var secondFactor: Bool
    static let discussion = """
        Without options both are reset. Either way the person's sessions end and a lock-out is lifted.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        var what: Engine.Reset = []
        if password { what.insert(.password) }
        if secondFactor { what.insert(.secondFactor) }
        if what.isEmpty { what = [.password, .secondFactor] }
        let temporary = try context.engine().resetPerson(arguments[0], what, audit: context.auditEntry(Self.self))
        context.audited = true
        if let temporary {
            Output.print(
                """
                New one-time password for \(arguments[0]), shown only now:

                    \(temporary)
                """)
        }
        if what.contains(.secondFactor) {
            Output.print("\(arguments[0]) links an authenticator app again at the next login.")
        }
    }
}
