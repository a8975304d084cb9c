public import RegieCore
internal import RegieStore
internal import RegieCrypto
internal import Foundation

/// The people who work in Regie, managed by functional administrators (`regie user`, the Beheer page). Every change
/// is written with its access-log record in one transaction.
extension Engine {
    /// A person just added or reset, with the one-time password to hand over (never stored, never shown again).
    public struct PersonWithPassword: Sendable {
        public var person: Person
        /// Nil for a person who logs in only through the region's identity provider.
        public var temporaryPassword: String?
    }

    /// What a reset undoes.
    public struct Reset: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// A new one-time password, to be changed at the next login.
        public static let password = Reset(rawValue: 1)
        /// The second factor and its recovery codes: enrolled again at the next login.
        public static let secondFactor = Reset(rawValue: 2)
    }

    /// Adds a person.
    /// - Parameters:
    ///   - localLogin: whether the person logs in with a password (a one-time password is made); false for a person
    ///     who logs in only through the region's identity provider.
    ///   - audit: the access-log record of the change (who made it), written with it.
    /// - Throws: `EngineError.invalid` for a bad login name, an unknown partner or a mandate the partner does not
    ///   hold, `EngineError.refused` when the login name is taken.
    public func addPerson(
        login: String, name: String, partner: String, roles: Set<PersonRole>, email: String? = nil,
        localLogin: Bool = true, audit: AuditEntry
    ) throws(EngineError) -> PersonWithPassword {
        if let problem = Person.problem(withLogin: login) { throw .invalid(problem) }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else {
            throw .invalid("give the person's name (at most 200 characters)")
        }
        do { try config.checkPartner(partner) } catch { throw .invalid(error.description) }
        guard !roles.isEmpty else {
            throw .invalid("give the person at least one role (--role): \(PersonRole.names)")
        }
        for role in roles.sorted() {
            if let problem = config.problem(withRole: role, for: partner) { throw .invalid(problem) }
        }
        let temporary = localLogin ? try Self.temporaryPassword() : nil
        let hash = try temporary.map { (t) throws(EngineError) in try self.passwordHash(t) }
        let now = clock.now()
        let person = Person(
            login: login, name: name, partner: partner, roles: roles, email: email, hasPassword: localLogin,
            mustChangePassword: localLogin, createdAt: now)
        try changePeople(audit, detail: "added \(login) (\(partner); \(Self.roleList(roles)))") { store in
            if try store.person(login) != nil {
                throw Refusal(.invalidArgument, "a person with login name \"\(login)\" exists; see `regie user list`")
            }
            try store.insertPerson(person, passwordHash: hash, now: now)
        }
        return PersonWithPassword(person: person, temporaryPassword: temporary)
    }

    /// Everyone who works in Regie, or the people of one partner.
    public func people(partner: String? = nil) throws(EngineError) -> [Person] {
        try read { try $0.people(partner: partner) }
    }

    /// One person.
    /// - Throws: `EngineError.notFound` when there is no such person.
    public func person(_ login: String) throws(EngineError) -> Person {
        guard let p = try read({ try $0.person(login) }) else {
            throw .notFound("no person with login name \"\(login)\"; see `regie user list`")
        }
        return p
    }

    /// Stops a person from logging in and ends their sessions at once.
    public func disablePerson(_ login: String, audit: AuditEntry) throws(EngineError) {
        try changePerson(login, audit, detail: "disabled \(login); their sessions ended") { store, person in
            var p = person
            p.status = .disabled
            try store.updatePerson(p, now: self.clock.now())
            try store.endSessions(of: login, at: self.clock.now(), reason: "disabled")
        }
    }

    /// Lets a disabled person log in again.
    public func enablePerson(_ login: String, audit: AuditEntry) throws(EngineError) {
        try changePerson(login, audit, detail: "enabled \(login)") { store, person in
            var p = person
            p.status = .active
            try store.updatePerson(p, now: self.clock.now())
        }
    }

    /// Lifts a lock-out after too many failed logins.
    public func unlockPerson(_ login: String, audit: AuditEntry) throws(EngineError) {
        try changePerson(login, audit, detail: "unlocked \(login)") { store, person in
            guard person.lockedAt != nil || person.failedLogins > 0 else {
                throw Refusal(.invalidArgument, "\(login) is not locked out")
            }
            try store.unlock(login, now: self.clock.now())
        }
    }

    /// Changes a person's roles.
    public func setRoles(_ login: String, _ roles: Set<PersonRole>, audit: AuditEntry) throws(EngineError) {
        guard !roles.isEmpty else { throw .invalid("give at least one role: \(PersonRole.names)") }
        let person = try person(login)
        for role in roles.sorted() {
            if let problem = config.problem(withRole: role, for: person.partner) { throw .invalid(problem) }
        }
        try changePerson(login, audit, detail: "roles of \(login): \(Self.roleList(roles))") { store, person in
            var p = person
            p.roles = roles
            try store.updatePerson(p, now: self.clock.now())
        }
    }

    /// Resets a person's password, second factor, or both; ends their sessions and lifts a lock-out.
    /// - Returns: the new one-time password, when the password was reset.
    public func resetPerson(_ login: String, _ what: Reset, audit: AuditEntry) throws(EngineError) -> String? {
        guard !what.isEmpty else { throw .invalid("say what to reset: the password, the second factor, or both") }
        let temporary = what.contains(.password) ? try Self.temporaryPassword() : nil
        let hash = try temporary.map { (t) throws(EngineError) in try self.passwordHash(t) }
        let parts = [what.contains(.password) ? "password" : nil, what.contains(.secondFactor) ? "second factor" : nil]
        let detail = "reset the \(parts.compactMap { $0 }.joined(separator: " and ")) of \(login); their sessions ended"
        try changePerson(login, audit, detail: detail) { store, _ in
            let now = self.clock.now()
            if let hash { try store.setPassword(login, hash: hash, mustChange: true, now: now) }
            if what.contains(.secondFactor) {
                try store.setSecondFactor(login, sealedSecret: nil, recoveryCodeHashes: [], now: now)
            }
            try store.unlock(login, now: now)
            try store.endSessions(of: login, at: now, reason: "reset")
        }
        return temporary
    }

    // MARK: Helpers

    static func roleList(_ roles: Set<PersonRole>) -> String { roles.sorted().map(\.rawValue).joined(separator: ", ") }

    /// A one-time password: four groups of five random characters (about 99 bits).
    static func temporaryPassword() throws(EngineError) -> String { try randomCode(groups: 4) }

    /// Random characters from an alphabet without look-alikes (no 0/o, 1/l/i), in groups of five joined by `-`,
    /// so that a person can read them out and type them.
    static func randomCode(groups: Int) throws(EngineError) -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        let bytes: [UInt8]
        do { bytes = try Crypto.randomBytes(5 * groups) } catch { throw .environment(error.description) }
        let chars = bytes.map { alphabet[Int($0) % alphabet.count] }
        return stride(from: 0, to: chars.count, by: 5).map { String(chars[$0..<$0 + 5]) }.joined(separator: "-")
    }

    func passwordHash(_ password: String) throws(EngineError) -> String {
        do { return try PasswordHash.make(password, cost: identity.passwordCost) } catch {
            throw .environment(error.description)
        }
    }

    /// Runs a change to people in the writer with its access-log record.
    func changePeople(_ audit: AuditEntry, detail: String, _ body: @escaping @Sendable (CaseStore) throws -> Void)
        throws(EngineError)
    {
        var entry = audit
        entry.action = "people"
        entry.detail = detail
        let record = entry
        do {
            try committer.run { store in
                try body(store)
                try Self.append(record, to: store)
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// `changePeople` for one existing person, read in the same transaction.
    func changePerson(
        _ login: String, _ audit: AuditEntry, detail: String,
        _ body: @escaping @Sendable (CaseStore, Person) throws -> Void
    ) throws(EngineError) {
        try changePeople(audit, detail: detail) { store in
            guard let person = try store.person(login) else {
                throw EngineError.notFound("no person with login name \"\(login)\"; see `regie user list`")
            }
            try body(store, person)
        }
    }
}
