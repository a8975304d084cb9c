public import RegieCore
internal import RegieStore
internal import RegieCrypto
internal import Foundation
import Synchronization

/// Logging in to the workspace: a password, then a second factor (enrolled at the first login), into a server-side
/// session. Every step writes its access-log record in the transaction that changes the login's state.
extension Engine {
    /// Where a login stands.
    public enum LoginStage: String, Sendable {
        /// The password was a one-time password (or was reset): a new one must be chosen.
        case changePassword = "change-password"
        /// The second factor must be enrolled (the first login).
        case enrol
        /// The second factor must be given.
        case secondFactor = "second-factor"
        /// Logged in.
        case active
    }

    /// A person's session. `token` is what the browser keeps (in a cookie); Regie keeps only its hash.
    public struct WebSession: Sendable {
        public var token: String
        /// The session's public name, for the access log.
        public var ref: String
        public var stage: LoginStage
        public var person: Person
        /// `login` (password and second factor) or `sso`.
        public var method: String
        public var createdAt: Instant
        /// When the session ends unless used before: the idle limit, or the absolute one, whichever is first.
        public var expiresAt: Instant
        /// The token every form of this session carries.
        public var csrf: String
    }

    /// What the browser is given before anyone has logged in: a random nonce (in a cookie) and the token the login
    /// form carries, derived from it, so that no other site can submit a login in the browser's name.
    public struct PreLogin: Sendable {
        public var nonce: String
        public var csrf: String
    }

    /// What a step of the login came to.
    public enum LoginOutcome: Sendable {
        /// On to the next stage, in a session with a new id.
        case next(WebSession)
        /// Unknown login name or wrong password (the two are not told apart).
        case wrongCredentials
        /// The code was wrong, or was used before.
        case wrongCode
        /// Locked out after too many failed logins: a functional administrator unlocks.
        case locked
        /// The person's account is disabled.
        case disabled
    }

    /// A second factor being enrolled: the secret as text, the URI and its QR code.
    public struct Enrolment: Sendable {
        public var secret: String
        public var uri: String
        public var qrSVG: String
    }

    /// Where the request came from and what it asked, for the access log.
    public struct LoginContext: Sendable {
        public var address: String
        public var resource: String
        public init(address: String, resource: String) {
            self.address = address
            self.resource = resource
        }
    }

    // MARK: Before login

    /// A fresh pre-login nonce and its form token.
    public func preLogin() throws(EngineError) -> PreLogin {
        let nonce = try Self.randomToken()
        return PreLogin(nonce: nonce, csrf: try formToken("pre-login", nonce))
    }

    /// Whether `csrf` is the form token of the pre-login `nonce`.
    public func checkPreLogin(nonce: String, csrf: String) -> Bool {
        guard let expected = try? formToken("pre-login", nonce) else { return false }
        return Crypto.constantTimeEquals(Array(expected.utf8), Array(csrf.utf8))
    }

    /// Whether `csrf` is the form token of `session`.
    public func checkForm(_ session: WebSession, csrf: String) -> Bool {
        Crypto.constantTimeEquals(Array(session.csrf.utf8), Array(csrf.utf8))
    }

    // MARK: Password

    /// Checks a login name and password.
    /// - Throws: `EngineError.tooMany` when the login name or the address tried too often (before any password is
    ///   checked), `.environment` when the region has no secret to seal second factors with.
    public func logIn(login rawLogin: String, password: String, context: LoginContext) throws(EngineError)
        -> LoginOutcome
    {
        let login = String(rawLogin.trimmingCharacters(in: .whitespaces).lowercased().prefix(64))
        let now = clock.now()
        try throttle(login: login, context: context, now: now)
        let found = try read { store in
            try store.person(login).map { ($0, try store.credentials(login)) }
        }
        guard let (person, credentials) = found, let hash = credentials?.passwordHash else {
            // Takes as long as a real check, so that the answer's time does not tell which login names exist.
            _ = PasswordHash.verify(password, against: Self.decoyHash(cost: identity.passwordCost))
            try loginRecord(context, person: nil, outcome: .unauthorized, detail: "unknown login name", now: now)
            return .wrongCredentials
        }
        guard PasswordHash.verify(password, against: hash) else {
            return try failed(person, context, step: "wrong password", now: now)
        }
        // Only someone who knows the password learns that the account is locked or disabled.
        if person.status == .disabled {
            try loginRecord(context, person: person, outcome: .refused, detail: "account disabled", now: now)
            return .disabled
        }
        if person.lockedAt != nil {
            try loginRecord(context, person: person, outcome: .refused, detail: "locked out", now: now)
            return .locked
        }
        let stage: LoginStage =
            person.mustChangePassword
            ? .changePassword
            : !identity.secondFactor ? .active : person.secondFactorSince == nil ? .enrol : .secondFactor
        let token = try Self.randomToken()
        let ref = "s-" + String(Self.sha256Hex("ref:" + token).prefix(12))
        let row = CaseStore.SessionRow(
            idHash: Self.sha256Hex(token), ref: ref, login: person.login, stage: stage.rawValue, method: "login",
            pending: nil, createdAt: now, seenAt: now, address: context.address)
        var entry = loginEntry(context, person: person, outcome: .ok, now: now)
        entry.via = ref
        entry.detail = stage == .active ? "logged in" : "password accepted; next: \(stage.rawValue)"
        let record = entry
        try write { store in
            try store.insertSession(row)
            if stage == .active { try store.recordLogin(person.login, now: now) }
            try Self.append(record, to: store)
        }
        return .next(try webSession(token: token, row: row, person: person))
    }

    /// Sets a new password chosen by the person (at the first login, after a reset, or any time).
    /// - Throws: `EngineError.invalid` with what is wrong with the new password, in Dutch, for the form (the
    ///   login's messages are the workspace's, which is in Dutch).
    /// - Parameter current: the present password, which a logged-in person must give to change it (after a
    ///   one-time password it was just given).
    public func changePassword(
        _ session: WebSession, current: String? = nil, new password: String, repeated: String, context: LoginContext
    ) throws(EngineError) -> WebSession {
        guard session.stage == .changePassword || session.stage == .active else {
            throw .invalid("Log eerst in.")
        }
        if session.stage == .active {
            let stored = try read { try $0.credentials(session.person.login)?.passwordHash }
            guard let stored, let current, PasswordHash.verify(current, against: stored) else {
                throw .invalid("Uw huidige wachtwoord klopt niet.")
            }
        }
        guard password == repeated else { throw .invalid("De twee wachtwoorden zijn niet gelijk.") }
        guard password.count >= identity.passwordMinLength else {
            throw .invalid("Kies een wachtwoord van minstens \(identity.passwordMinLength) tekens.")
        }
        guard password.lowercased() != session.person.login, !password.lowercased().contains(session.person.login)
        else { throw .invalid("Het wachtwoord mag uw gebruikersnaam niet bevatten.") }
        if let old = try read({ try $0.credentials(session.person.login)?.passwordHash }),
            PasswordHash.verify(password, against: old)
        {
            throw .invalid("Kies een ander wachtwoord dan het huidige.")
        }
        let hash = try passwordHash(password)
        let now = clock.now()
        let next: LoginStage =
            session.stage == .active
            ? .active
            : !identity.secondFactor ? .active : session.person.secondFactorSince == nil ? .enrol : .secondFactor
        var entry = loginEntry(context, person: session.person, outcome: .ok, now: now)
        entry.via = session.ref
        entry.detail = "password changed"
        let record = entry
        return try rotate(session, to: next, now: now) { store in
            try store.setPassword(session.person.login, hash: hash, mustChange: false, now: now)
            if next == .active && session.stage != .active { try store.recordLogin(session.person.login, now: now) }
            try Self.append(record, to: store)
        }
    }

    // MARK: Second factor

    /// Starts (or shows again) the enrolment of a second factor: a new secret, kept sealed with the session until
    /// the person confirms it with a code.
    public func beginEnrolment(_ session: WebSession) throws(EngineError) -> Enrolment {
        guard session.stage == .enrol else { throw .invalid("Uw authenticator-app is al gekoppeld.") }
        let key = try identityKey("totp-secrets")
        let idHash = Self.sha256Hex(session.token)
        var secret = try read { store in try store.session(idHash: idHash)?.pending }.flatMap {
            try? SecretBox.open($0, key: key)
        }
        if secret == nil {
            let fresh: [UInt8]
            let sealed: String
            do {
                fresh = try Crypto.randomBytes(20)
                sealed = try SecretBox.seal(fresh, key: key)
            } catch {
                throw .environment(error.description)
            }
            try write { store in try store.setSessionPending(idHash: idHash, sealed) }
            secret = fresh
        }
        let totp = TOTP(secret: secret ?? [])
        let uri = totp.provisioningURI(account: session.person.login, issuer: identity.issuer)
        let svg: String
        do {
            svg = try QRCode(text: uri).svg(label: "QR-code om Regie aan uw authenticator-app toe te voegen")
        } catch {
            throw .environment(error.description)
        }
        return Enrolment(secret: totp.base32Secret, uri: uri, qrSVG: svg)
    }

    /// Confirms the enrolment with a code from the app.
    /// - Returns: the next stage and the recovery codes to show once, or `.wrongCode`.
    public func confirmEnrolment(_ session: WebSession, code: String, context: LoginContext) throws(EngineError)
        -> (outcome: LoginOutcome, recoveryCodes: [String])
    {
        guard session.stage == .enrol else { throw .invalid("Uw authenticator-app is al gekoppeld.") }
        let key = try identityKey("totp-secrets")
        let idHash = Self.sha256Hex(session.token)
        guard let sealed = try read({ try $0.session(idHash: idHash)?.pending }),
            let secret = try? SecretBox.open(sealed, key: key)
        else { throw .invalid("Begin opnieuw met koppelen: laad de pagina met de QR-code opnieuw.") }
        let now = clock.now()
        guard let step = TOTP(secret: secret).matchingStep(Self.digits(code), at: now.milliseconds / 1000) else {
            return (
                try failed(session.person, context, step: "wrong code while enrolling", now: now, via: session.ref), []
            )
        }
        let codes = try (0..<10).map { _ throws(EngineError) in try Self.randomCode(groups: 2) }
        let hashes = codes.map { Self.sha256Hex("recovery:" + $0) }
        let next = try completeLogin(
            session, context, "second factor enrolled; 10 recovery codes issued; logged in", now: now
        ) { store in
            try store.setSecondFactor(session.person.login, sealedSecret: sealed, recoveryCodeHashes: hashes, now: now)
            try store.setLastTOTPStep(session.person.login, step: step)
        }
        return (.next(next), codes)
    }

    /// Checks the second factor: a code from the app (each accepted once), or a recovery code (each used once).
    public func verifySecondFactor(_ session: WebSession, code rawCode: String, context: LoginContext)
        throws(EngineError) -> LoginOutcome
    {
        guard session.stage == .secondFactor else { throw .invalid("Geef eerst uw wachtwoord.") }
        let now = clock.now()
        try throttle(login: session.person.login, context: context, now: now)
        let login = session.person.login
        guard let credentials = try read({ try $0.credentials(login) }), let sealed = credentials.sealedTOTPSecret
        else {
            throw .invalid(
                "Er is geen authenticator-app gekoppeld; vraag functioneel beheer om die opnieuw in te stellen.")
        }
        let code = rawCode.trimmingCharacters(in: .whitespaces).lowercased()
        if code.contains("-") {
            let hash = Self.sha256Hex("recovery:" + code)
            guard credentials.recoveryCodeHashes.contains(hash) else {
                return try failed(session.person, context, step: "wrong recovery code", now: now, via: session.ref)
            }
            let left = credentials.recoveryCodeHashes.filter { $0 != hash }
            return .next(
                try completeLogin(session, context, "logged in with a recovery code; \(left.count) left", now: now) {
                    try $0.setRecoveryCodes(login, hashes: left)
                })
        }
        let secret: [UInt8]
        do { secret = try SecretBox.open(sealed, key: try identityKey("totp-secrets")) } catch {
            throw .environment(
                "the second factor of \(login) cannot be opened with the region's secret; ask functioneel beheer to reset it"
            )
        }
        guard let step = TOTP(secret: secret).matchingStep(Self.digits(code), at: now.milliseconds / 1000),
            step > (credentials.lastTOTPStep ?? -1)
        else {
            return try failed(session.person, context, step: "wrong or reused code", now: now, via: session.ref)
        }
        return .next(
            try completeLogin(session, context, "logged in", now: now) { try $0.setLastTOTPStep(login, step: step) })
    }

    // MARK: Sessions

    /// The session a browser's token belongs to, if it is still running; ends it when it ran out. Notes its use
    /// (at most once a minute).
    public func session(token: String) throws(EngineError) -> WebSession? {
        guard token.utf8.count == 43 else { return nil }
        let idHash = Self.sha256Hex(token)
        let now = clock.now()
        guard
            let (row, person) = try read({ store in
                try store.session(idHash: idHash).flatMap { row in try row.login.flatMap(store.person).map { (row, $0) }
                }
            }), row.endedAt == nil
        else { return nil }
        if ending(of: row, person, now: now) != nil {
            // Decided again in the writer, which has committed every earlier note of the session's use first.
            let ended = Mutex(false)
            try write { store in
                guard let current = try store.session(idHash: idHash), current.endedAt == nil,
                    let reason = self.ending(of: current, person, now: now)
                else { return }
                try store.endSession(idHash: idHash, at: now, reason: reason)
                ended.withLock { $0 = true }
            }
            if ended.withLock({ $0 }) { return nil }
        }
        var seen = row
        if now.milliseconds - row.seenAt.milliseconds >= 60_000 {
            committer.submit({ store in try store.touchSession(idHash: idHash, at: now) }, done: { _ in })
            seen.seenAt = now
        }
        return try webSession(token: token, row: seen, person: person)
    }

    /// Ends a session (logging out).
    public func logOut(_ session: WebSession, context: LoginContext) throws(EngineError) {
        let now = clock.now()
        var entry = loginEntry(context, person: session.person, outcome: .ok, now: now)
        entry.action = "logout"
        entry.via = session.ref
        entry.detail = "logged out"
        let record = entry
        try write { store in
            try store.endSession(idHash: Self.sha256Hex(session.token), at: now, reason: "logout")
            try Self.append(record, to: store)
        }
    }

    // MARK: Helpers

    /// Why a session has run out at `now`, or nil while it runs.
    func ending(of row: CaseStore.SessionRow, _ person: Person, now: Instant) -> String? {
        if now.milliseconds - row.seenAt.milliseconds > identity.sessionIdleSeconds * 1000 { return "idle" }
        if now.milliseconds - row.createdAt.milliseconds > identity.sessionAbsoluteSeconds * 1000 { return "absolute" }
        if person.status == .disabled { return "disabled" }
        if person.lockedAt != nil { return "locked" }
        return nil
    }

    func webSession(token: String, row: CaseStore.SessionRow, person: Person) throws(EngineError) -> WebSession {
        let idle = row.seenAt.milliseconds + identity.sessionIdleSeconds * 1000
        let absolute = row.createdAt.milliseconds + identity.sessionAbsoluteSeconds * 1000
        return WebSession(
            token: token, ref: row.ref, stage: LoginStage(rawValue: row.stage) ?? .changePassword, person: person,
            method: row.method ?? "login", createdAt: row.createdAt,
            expiresAt: Instant(milliseconds: min(idle, absolute)),
            csrf: try formToken("session", token))
    }

    /// Ends a login: the session goes on as logged in under a new id, with `change` (what the last step settles),
    /// the good login noted (its failures forgotten) and its access-log record, in one transaction.
    func completeLogin(
        _ session: WebSession, _ context: LoginContext, _ detail: String, now: Instant,
        _ change: @escaping @Sendable (CaseStore) throws -> Void
    ) throws(EngineError) -> WebSession {
        var entry = loginEntry(context, person: session.person, outcome: .ok, now: now)
        entry.via = session.ref
        entry.detail = detail
        let (record, login) = (entry, session.person.login)
        return try rotate(session, to: .active, now: now) { store in
            try change(store)
            try store.recordLogin(login, now: now)
            try Self.append(record, to: store)
        }
    }

    /// Moves a session to its next stage under a new id, with `body`'s changes, in one transaction.
    func rotate(
        _ session: WebSession, to stage: LoginStage, now: Instant,
        _ body: @escaping @Sendable (CaseStore) throws -> Void
    ) throws(EngineError) -> WebSession {
        let token = try Self.randomToken()
        let (old, new) = (Self.sha256Hex(session.token), Self.sha256Hex(token))
        let login = session.person.login
        try write { store in
            // A session that ended meanwhile (logged out, locked, disabled) moves on no further, and nothing of the
            // step is written.
            guard
                try store.rotateSession(from: old, to: new, login: login, stage: stage.rawValue, pending: nil, at: now)
            else { throw EngineError.invalid("Uw sessie is beëindigd; log opnieuw in.") }
            try body(store)
        }
        guard let person = try read({ try $0.person(login) }) else { throw .notFound("no person \(login)") }
        var next = session
        next.token = token
        next.stage = stage
        next.person = person
        next.csrf = try formToken("session", token)
        next.expiresAt = Instant(
            milliseconds: min(
                now.milliseconds + identity.sessionIdleSeconds * 1000,
                session.createdAt.milliseconds + identity.sessionAbsoluteSeconds * 1000))
        return next
    }

    /// Counts a failed password or code; locks the person out when there were too many in a row.
    func failed(_ person: Person, _ context: LoginContext, step: String, now: Instant, via: String? = nil)
        throws(EngineError) -> LoginOutcome
    {
        let lockAfter = identity.lockAfterFailures
        let base = loginEntry(context, person: person, outcome: .unauthorized, now: now)
        let outcome = Mutex<LoginOutcome>(.wrongCredentials)
        try write { store in
            let (count, locked) = try store.recordFailedLogin(person.login, lockAfter: lockAfter, now: now)
            var entry = base
            entry.via = via
            entry.detail = "\(step) (\(count) in a row)"
            try Self.append(entry, to: store)
            if locked {
                var lock = base
                lock.action = "lock-out"
                lock.outcome = .refused
                lock.via = via
                lock.detail = "locked out after \(count) failed logins in a row; a functional administrator unlocks"
                try Self.append(lock, to: store)
                try store.endSessions(of: person.login, at: now, reason: "locked")
                outcome.withLock { $0 = .locked }
            } else if via != nil {
                outcome.withLock { $0 = .wrongCode }
            }
        }
        return outcome.withLock { $0 }
    }

    func throttle(login: String, context: LoginContext, now: Instant) throws(EngineError) {
        for (limiter, key, what) in [
            (loginsPerAccount, "login:" + login, "this login name"),
            (loginsPerAddress, context.address, "this address"),
        ] {
            guard let refusal = limiter.admit(key, at: now) else { continue }
            if refusal.first {
                var entry = loginEntry(context, person: nil, outcome: .refused, now: now)
                entry.detail = "too many login attempts from \(what); refused for \(refusal.retryAfterSeconds) s"
                try? audit(entry)
            }
            throw .tooMany(
                "Te veel inlogpogingen; probeer het over \(max(1, refusal.retryAfterSeconds / 60)) minuten opnieuw.",
                retryAfterSeconds: refusal.retryAfterSeconds)
        }
    }

    func loginEntry(_ context: LoginContext, person: Person?, outcome: AuditEntry.Outcome, now: Instant) -> AuditEntry {
        AuditEntry(
            at: now, channel: .web, action: "login", resource: context.resource, partner: person?.partner ?? "-",
            person: person?.login, identity: person == nil ? nil : .login, outcome: outcome,
            status: outcome == .ok ? 200 : 401, address: context.address)
    }

    func loginRecord(
        _ context: LoginContext, person: Person?, outcome: AuditEntry.Outcome, detail: String, now: Instant
    ) throws(EngineError) {
        var entry = loginEntry(context, person: person, outcome: outcome, now: now)
        entry.detail = detail
        try audit(entry)
    }

    /// Runs `body` in the writer and waits until it is durable.
    func write(_ body: @escaping @Sendable (CaseStore) throws -> Void) throws(EngineError) {
        do { try committer.run(body) } catch { throw EngineError.wrap(error, path: databasePath) }
    }

    func identityKey(_ purpose: String) throws(EngineError) -> [UInt8] {
        guard let pseudonymizer else {
            throw .environment(
                "logins need the regional secret (second factors are sealed with it); run `regie init` or set \(Pseudonymizer.environmentVariable)"
            )
        }
        return pseudonymizer.derivedKey(purpose)
    }

    /// The form token for a nonce or session token: an HMAC under a key derived from the region's secret.
    func formToken(_ kind: String, _ value: String) throws(EngineError) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: try identityKey("form-tokens"), message: Array("\(kind):\(value)".utf8)))
    }

    /// 256 random bits as 43 URL-safe characters.
    static func randomToken() throws(EngineError) -> String {
        do { return Base64URL.encode(try Crypto.randomBytes(32)) } catch { throw .environment(error.description) }
    }

    /// The digits of a code as typed ("123 456" is 123456).
    static func digits(_ code: String) -> String { String(code.filter { !$0.isWhitespace }) }

    /// A hash of nothing at the configured cost, made once per cost, to spend a real check's time on unknown names.
    static func decoyHash(cost: Int) -> String {
        decoys.withLock { cache in
            if let h = cache[cost] { return h }
            let h = (try? PasswordHash.make("decoy", cost: cost)) ?? ""
            cache[cost] = h
            return h
        }
    }

    private static let decoys = Mutex<[Int: String]>([:])
}

extension Engine.WebSession {
    /// The actor for an action that needs `role` in a case: the person's organisation in that role, the person
    /// named; nil when none of the person's roles allows it (the engine's rules then decide as for anyone).
    public func actor(for role: Role) -> Actor? {
        guard stage == .active, person.mayAct(as: role) else { return nil }
        return Actor(partner: person.partner, person: person.login, role: role)
    }

    /// An access-log record of something this person read or did in the workspace: the person, their organisation,
    /// the role they acted in, and the session.
    public func auditEntry(
        at: Instant, action: String, resource: String, role: PersonRole?, outcome: AuditEntry.Outcome = .ok,
        status: Int = 200, caseId: String? = nil, clientKey: String? = nil, detail: String? = nil, address: String
    ) -> AuditEntry {
        AuditEntry(
            at: at, channel: .web, action: action, resource: resource, caseId: caseId, clientKey: clientKey,
            partner: person.partner, person: person.login, identity: method == "sso" ? .sso : .login,
            role: role?.rawValue, via: ref, outcome: outcome, status: status, detail: detail, address: address)
    }
}
