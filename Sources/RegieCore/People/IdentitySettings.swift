/// How people log in and how long their sessions last: `Config/identity.json`, every member optional.
public struct IdentitySettings: Sendable, Equatable {
    /// A session ends after this long without a request.
    public var sessionIdleSeconds: Int64 = 15 * 60
    /// And after this long in any case.
    public var sessionAbsoluteSeconds: Int64 = 8 * 3600
    /// Whether a local login needs a second factor (TOTP). On by default; turning it off is for a lab.
    public var secondFactor = true
    /// Failed logins in a row after which a person is locked out until a functional administrator unlocks them.
    public var lockAfterFailures = 5
    /// Attempts allowed per login name, and per network address, within `attemptWindowSeconds`; more are refused
    /// (429) before any password is checked.
    public var attemptsPerAccount = 10
    public var attemptsPerAddress = 50
    public var attemptWindowSeconds: Int64 = 15 * 60
    /// The shortest password a person may choose.
    public var passwordMinLength = 12
    /// The work factor of password hashes: scrypt's N is 2^passwordCost (r = 8, p = 1). 15 costs about 0.1 s and
    /// 32 MiB per hash on the reference machine (`regie-bench --only password`).
    public var passwordCost = 15
    /// Cookies carry `Secure`. Only a server listening on loopback for development may turn it off.
    public var secureCookies = true
    /// How TOTP apps name Regie (the otpauth issuer).
    public var issuer = "Regie"
    /// Logging in through the region's identity provider (OpenID Connect); nil: off.
    public var sso: SSOSettings?

    /// The defaults.
    public init() {}

    static let keys = [
        "$comment", "sessionIdleMinutes", "sessionAbsoluteHours", "secondFactor", "lockAfterFailures",
        "attemptsPerAccount", "attemptsPerAddress", "attemptWindowMinutes", "passwordMinLength", "secureCookies",
        "issuer", "passwordCost", "sso",
    ]

    /// Reads `identity.json`.
    /// - Throws: `ValidationFailure` naming the file, the member, what is wrong and what to do.
    public static func load(_ bytes: [UInt8], file: String) throws(ValidationFailure) -> IdentitySettings {
        var s = IdentitySettings()
        var problems: [ValidationProblem] = []
        func problem(_ path: String, _ message: String, _ fix: String) {
            problems.append(ValidationProblem(file: file, path: path, message: message, fix: fix))
        }
        let o = try ValidationFailure.object(of: bytes, file: file)
        for k in o.keys where !keys.contains(k) {
            problem("$.\(k)", "unknown member \"\(k)\"", "use one of \(keys.dropFirst().joined(separator: ", "))")
        }
        func number(_ key: String, _ range: ClosedRange<Int64>, _ set: (Int64) -> Void) {
            guard let v = o[key] else { return }
            guard let n = v.intValue, range.contains(n) else {
                return problem(
                    "$.\(key)", "must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                    "e.g. \"\(key)\": \(range.lowerBound)")
            }
            set(n)
        }
        func flag(_ key: String, _ set: (Bool) -> Void) {
            guard let v = o[key] else { return }
            guard case .bool(let b) = v else {
                return problem("$.\(key)", "must be true or false", "write true or false")
            }
            set(b)
        }
        number("sessionIdleMinutes", 1...720) { s.sessionIdleSeconds = $0 * 60 }
        number("sessionAbsoluteHours", 1...24) { s.sessionAbsoluteSeconds = $0 * 3600 }
        number("lockAfterFailures", 3...20) { s.lockAfterFailures = Int($0) }
        number("attemptsPerAccount", 3...1000) { s.attemptsPerAccount = Int($0) }
        number("attemptsPerAddress", 3...10000) { s.attemptsPerAddress = Int($0) }
        number("attemptWindowMinutes", 1...1440) { s.attemptWindowSeconds = $0 * 60 }
        number("passwordMinLength", 8...128) { s.passwordMinLength = Int($0) }
        number("passwordCost", 10...20) { s.passwordCost = Int($0) }
        flag("secondFactor") { s.secondFactor = $0 }
        flag("secureCookies") { s.secureCookies = $0 }
        if let v = o["issuer"] {
            if let t = v.stringValue, !t.isEmpty, t.count <= 40, !t.contains(":") {
                s.issuer = t
            } else {
                problem("$.issuer", "must be a name of 1 to 40 characters without ':'", "e.g. \"Regie ZKIH\"")
            }
        }
        if let v = o["sso"] {
            s.sso = SSOSettings.load(v, problem: problem)
        }
        if s.sessionIdleSeconds > s.sessionAbsoluteSeconds {
            problem(
                "$.sessionIdleMinutes", "is longer than the absolute session length",
                "make sessionIdleMinutes at most sessionAbsoluteHours × 60")
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return s
    }
}

/// The region's identity provider (Keycloak, Entra ID, an eHerkenning broker): the authorization-code flow with
/// PKCE, the ID token checked by Regie, and the claim that names the person.
public struct SSOSettings: Sendable, Equatable {
    /// The provider's issuer; its discovery document is at `issuer/.well-known/openid-configuration`.
    public var issuer: String
    public var clientId: String
    /// A confidential client's secret, read from this file (never from identity.json); nil: a public client.
    public var clientSecretFile: String?
    /// Where the provider sends the browser back: `https://REGIE/inloggen/sso/terug`.
    public var redirectURI: String
    public var scopes: [String] = ["openid", "profile", "email"]
    /// The claim whose value is the person's login name in Regie.
    public var loginClaim = "preferred_username"
    /// Claims with the person's organisation and roles, for a person not registered in Regie beforehand; when
    /// either is missing, only people a functional administrator added may log in.
    public var organisationClaim: String?
    public var rolesClaim: String?
    /// The text of the login button.
    public var label = "Inloggen met uw organisatie-account"

    static let keys = [
        "$comment", "issuer", "clientId", "clientSecretFile", "redirectURI", "scopes", "loginClaim",
        "organisationClaim", "rolesClaim", "label",
    ]

    public init(issuer: String, clientId: String, redirectURI: String) {
        self.issuer = issuer
        self.clientId = clientId
        self.redirectURI = redirectURI
    }

    static func load(_ value: JSONValue, problem: (String, String, String) -> Void) -> SSOSettings? {
        guard let o = value.objectValue else {
            problem("$.sso", "must be an object", "give issuer, clientId and redirectURI, or leave sso out")
            return nil
        }
        for k in o.keys where !keys.contains(k) {
            problem("$.sso.\(k)", "unknown member \"\(k)\"", "use one of \(keys.dropFirst().joined(separator: ", "))")
        }
        func text(_ key: String, required: Bool) -> String? {
            guard let v = o[key] else {
                if required { problem("$.sso.\(key)", "is missing", "give the \(key) the identity provider knows") }
                return nil
            }
            guard let t = v.stringValue, !t.isEmpty else {
                problem("$.sso.\(key)", "must be a non-empty string", "e.g. \"\(key)\": \"...\"")
                return nil
            }
            return t
        }
        let issuer = text("issuer", required: true)
        let clientId = text("clientId", required: true)
        let redirect = text("redirectURI", required: true)
        for (key, url) in [("issuer", issuer), ("redirectURI", redirect)] {
            guard let url else { continue }
            if !(url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost")) {
                problem("$.sso.\(key)", "must be an https URL", "use https:// (plain http only on loopback, for tests)")
            }
        }
        var scopes: [String]?
        if let v = o["scopes"] {
            if let list = v.arrayValue?.compactMap(\.stringValue), list.count == v.arrayValue?.count,
                list.contains("openid")
            {
                scopes = list
            } else {
                problem(
                    "$.sso.scopes", "must be a list of scopes that includes openid", "e.g. [\"openid\", \"profile\"]")
            }
        }
        let secret = text("clientSecretFile", required: false)
        let organisation = text("organisationClaim", required: false)
        let roles = text("rolesClaim", required: false)
        let login = text("loginClaim", required: false)
        let label = text("label", required: false)
        // Every problem is reported before giving up on the block.
        guard let issuer, let clientId, let redirect else { return nil }
        var s = SSOSettings(issuer: issuer, clientId: clientId, redirectURI: redirect)
        s.clientSecretFile = secret
        s.organisationClaim = organisation
        s.rolesClaim = roles
        if let login { s.loginClaim = login }
        if let label { s.label = label }
        if let scopes { s.scopes = scopes }
        return s
    }
}
