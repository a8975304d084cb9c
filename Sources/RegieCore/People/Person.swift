/// Someone who works in Regie: a person of one partner organisation, with the roles the region gave them. The
/// secrets behind their login (password hash, second factor) stay in the store and never leave it.
public struct Person: Sendable, Equatable {
    /// Whether the person may log in.
    public enum Status: String, Sendable, CaseIterable {
        case active, disabled
    }

    /// The login name: lower-case letters, digits, `.`, `_` and `-`, unique in the region.
    public var login: String
    /// The name people see.
    public var name: String
    /// The organisation the person acts for.
    public var partner: String
    public var roles: Set<PersonRole>
    public var email: String?
    public var status: Status
    /// Whether a password is set (the local login), and whether the person must choose a new one.
    public var hasPassword: Bool
    public var mustChangePassword: Bool
    /// When the second factor was enrolled; nil: not yet (it is enrolled at the first login).
    public var secondFactorSince: Instant?
    /// Recovery codes not yet used.
    public var recoveryCodesLeft: Int
    /// Failed logins in a row since the last good one.
    public var failedLogins: Int
    /// When the person was locked out after too many failed logins; nil: not locked.
    public var lockedAt: Instant?
    public var lastLoginAt: Instant?
    public var createdAt: Instant

    /// Creates a person.
    public init(
        login: String, name: String, partner: String, roles: Set<PersonRole>, email: String? = nil,
        status: Status = .active, hasPassword: Bool = false, mustChangePassword: Bool = false,
        secondFactorSince: Instant? = nil, recoveryCodesLeft: Int = 0, failedLogins: Int = 0,
        lockedAt: Instant? = nil, lastLoginAt: Instant? = nil, createdAt: Instant
    ) {
        self.login = login
        self.name = name
        self.partner = partner
        self.roles = roles
        self.email = email
        self.status = status
        self.hasPassword = hasPassword
        self.mustChangePassword = mustChangePassword
        self.secondFactorSince = secondFactorSince
        self.recoveryCodesLeft = recoveryCodesLeft
        self.failedLogins = failedLogins
        self.lockedAt = lockedAt
        self.lastLoginAt = lastLoginAt
        self.createdAt = createdAt
    }

    /// Whether the person may take an action that needs `role` in a case, for their organisation.
    public func mayAct(as role: Role) -> Bool { roles.contains { $0.allows(role) } }

    /// Why `login` cannot be a login name, or nil.
    public static func problem(withLogin login: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-".utf8)
        guard (2...64).contains(login.utf8.count), login.utf8.allSatisfy(allowed.contains),
            let first = login.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-")
        else {
            return
                "\"\(login)\" cannot be a login name: use 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. \"j.devries\")"
        }
        return nil
    }

    /// The person as JSON, without any secret.
    public var json: JSONValue {
        var o = JSONObject()
        o["login"] = .string(login)
        o["name"] = .string(name)
        o["partner"] = .string(partner)
        o["roles"] = .array(roles.sorted().map { .string($0.rawValue) })
        o["email"] = .optional(email)
        o["status"] = .string(status.rawValue)
        o["password"] = .bool(hasPassword)
        o["mustChangePassword"] = .bool(mustChangePassword)
        o["secondFactorSince"] = .optional(secondFactorSince?.iso8601)
        o["recoveryCodesLeft"] = .int(Int64(recoveryCodesLeft))
        o["failedLogins"] = .int(Int64(failedLogins))
        o["lockedAt"] = .optional(lockedAt?.iso8601)
        o["lastLoginAt"] = .optional(lastLoginAt?.iso8601)
        o["createdAt"] = .string(createdAt.iso8601)
        return .object(o)
    }
}
