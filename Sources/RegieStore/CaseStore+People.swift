public import RegieCore

/// The people who work in Regie and their sessions. Secrets are only ever stored as hashes or sealed; the rows hand
/// them to the engine, which alone checks them.
extension CaseStore {
    /// What the login checks, beside the person: never shown, never logged.
    public struct Credentials: Sendable {
        /// The scrypt hash of the password (`PasswordHash`), if one is set.
        public var passwordHash: String?
        /// The second factor's secret, sealed with the region's key.
        public var sealedTOTPSecret: String?
        /// The last TOTP time step accepted, so that a code is never accepted twice.
        public var lastTOTPStep: Int64?
        /// SHA-256 of each recovery code not yet used.
        public var recoveryCodeHashes: [String]
    }

    static let personColumns = """
        login, name, partner, roles, email, status, password IS NOT NULL AS has_password, must_change_password,
        totp_enrolled_at, recovery_codes, failed_logins, locked_at, last_login_at, created_at
        """

    static func personRow(_ s: Statement) throws -> Person {
        let login = try s.text("login")
        let roleNames = try s.text("roles").split(separator: ",").map(String.init)
        let roles = Set(roleNames.compactMap(PersonRole.init(rawValue:)))
        guard roles.count == roleNames.count else {
            throw StoreError.corrupt("people.roles of \(login) holds a role Regie does not know: \(roleNames)")
        }
        return Person(
            login: login, name: try s.text("name"), partner: try s.text("partner"), roles: roles,
            email: try s.optionalText("email"),
            status: try s.value("status", as: Person.Status.self, table: "people"),
            hasPassword: try s.int("has_password") != 0, mustChangePassword: try s.int("must_change_password") != 0,
            secondFactorSince: try s.optionalInstant("totp_enrolled_at"),
            recoveryCodesLeft: (try s.optionalText("recovery_codes")).map { $0.split(separator: ",").count } ?? 0,
            failedLogins: Int(try s.int("failed_logins")), lockedAt: try s.optionalInstant("locked_at"),
            lastLoginAt: try s.optionalInstant("last_login_at"), createdAt: try s.instant("created_at"))
    }

    /// A person by login name.
    public func person(_ login: String) throws -> Person? {
        var found: Person?
        try db.query("SELECT \(Self.personColumns) FROM people WHERE login=?", [.text(login)]) {
            found = try Self.personRow($0)
        }
        return found
    }

    /// Everyone, by partner and login; or the people of one partner.
    public func people(partner: String? = nil) throws -> [Person] {
        var out: [Person] = []
        let filter = partner == nil ? "" : " WHERE partner=?"
        try db.query(
            "SELECT \(Self.personColumns) FROM people\(filter) ORDER BY partner, login",
            partner.map { [.text($0)] } ?? []
        ) { out.append(try Self.personRow($0)) }
        return out
    }

    /// Adds a person whose login name is free (the engine checks). Call inside a write transaction.
    public func insertPerson(_ p: Person, passwordHash: String?, now: Instant) throws {
        try db.run(
            """
            INSERT INTO people(login, name, partner, roles, email, status, password, password_set_at,
                must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(p.login), .text(p.name), .text(p.partner),
                .text(p.roles.sorted().map(\.rawValue).joined(separator: ",")),
                .text(p.email), .text(p.status.rawValue), .text(passwordHash),
                .int(passwordHash == nil ? nil : now.milliseconds), .int(p.mustChangePassword ? 1 : 0),
                .int(now.milliseconds), .int(now.milliseconds),
            ])
    }

    /// Changes what an administrator may change about a person: name, roles, e-mail, status.
    public func updatePerson(_ p: Person, now: Instant) throws {
        try db.run(
            "UPDATE people SET name=?, roles=?, email=?, status=?, updated_at=? WHERE login=?",
            [
                .text(p.name), .text(p.roles.sorted().map(\.rawValue).joined(separator: ",")), .text(p.email),
                .text(p.status.rawValue), .int(now.milliseconds), .text(p.login),
            ])
    }

    /// The secrets behind a person's login.
    public func credentials(_ login: String) throws -> Credentials? {
        var found: Credentials?
        try db.query(
            "SELECT password, totp_secret, totp_last_step, recovery_codes FROM people WHERE login=?", [.text(login)]
        ) { s in
            found = Credentials(
                passwordHash: try s.optionalText("password"), sealedTOTPSecret: try s.optionalText("totp_secret"),
                lastTOTPStep: try s.optionalInt("totp_last_step"),
                recoveryCodeHashes: (try s.optionalText("recovery_codes")).map {
                    $0.split(separator: ",").map(String.init)
                } ?? [])
        }
        return found
    }

    /// Sets (or, with nil, removes) a person's password hash; `mustChange` makes them choose a new one at login.
    public func setPassword(_ login: String, hash: String?, mustChange: Bool, now: Instant) throws {
        try db.run(
            "UPDATE people SET password=?, password_set_at=?, must_change_password=?, updated_at=? WHERE login=?",
            [
                .text(hash), .int(hash == nil ? nil : now.milliseconds), .int(mustChange ? 1 : 0),
                .int(now.milliseconds), .text(login),
            ])
    }

    /// Sets (or, with nil, removes) a person's second factor and recovery codes.
    public func setSecondFactor(
        _ login: String, sealedSecret: String?, recoveryCodeHashes: [String], now: Instant
    ) throws {
        try db.run(
            """
            UPDATE people SET totp_secret=?, totp_enrolled_at=?, totp_last_step=NULL, recovery_codes=?, updated_at=?
            WHERE login=?
            """,
            [
                .text(sealedSecret), .int(sealedSecret == nil ? nil : now.milliseconds),
                .text(recoveryCodeHashes.isEmpty ? nil : recoveryCodeHashes.joined(separator: ",")),
                .int(now.milliseconds), .text(login),
            ])
    }

    /// Records the TOTP step just accepted.
    public func setLastTOTPStep(_ login: String, step: Int64) throws {
        try db.run("UPDATE people SET totp_last_step=? WHERE login=?", [.int(step), .text(login)])
    }

    /// Keeps the recovery codes not yet used.
    public func setRecoveryCodes(_ login: String, hashes: [String]) throws {
        try db.run(
            "UPDATE people SET recovery_codes=? WHERE login=?",
            [.text(hashes.isEmpty ? nil : hashes.joined(separator: ",")), .text(login)])
    }

    /// Counts a failed login; locks the person when the count reaches `lockAfter`.
    /// - Returns: the failures in a row, and whether this one locked the person.
    public func recordFailedLogin(_ login: String, lockAfter: Int, now: Instant) throws -> (count: Int, locked: Bool) {
        try db.run("UPDATE people SET failed_logins = failed_logins + 1 WHERE login=?", [.text(login)])
        let count = Int(try db.scalarInt("SELECT failed_logins FROM people WHERE login=?", [.text(login)]) ?? 0)
        guard count >= lockAfter, try db.scalarInt("SELECT locked_at FROM people WHERE login=?", [.text(login)]) == nil
        else { return (count, false) }
        try db.run("UPDATE people SET locked_at=? WHERE login=?", [.int(now.milliseconds), .text(login)])
        return (count, true)
    }

    /// Records a good login: the failures are forgotten.
    public func recordLogin(_ login: String, now: Instant) throws {
        try db.run(
            "UPDATE people SET failed_logins=0, last_login_at=? WHERE login=?", [.int(now.milliseconds), .text(login)])
    }

    /// Lifts a lock-out.
    public func unlock(_ login: String, now: Instant) throws {
        try db.run(
            "UPDATE people SET locked_at=NULL, failed_logins=0, updated_at=? WHERE login=?",
            [.int(now.milliseconds), .text(login)])
    }

    // MARK: Sessions

    /// A session as stored: only the hash of its id is kept.
    public struct SessionRow: Sendable, Equatable {
        public var idHash: String
        /// A public name for the session, for the access log.
        public var ref: String
        public var login: String?
        /// Where the login stands (`password`, `change-password`, `second-factor`, `enrol`, `active`).
        public var stage: String
        /// How the person logged in (`login`, `sso`).
        public var method: String?
        /// What the next step needs (a sealed TOTP secret being enrolled, an SSO state), if anything.
        public var pending: String?
        public var createdAt: Instant
        public var seenAt: Instant
        public var address: String?
        public var endedAt: Instant?
        public var endReason: String?

        /// Creates a row.
        public init(
            idHash: String, ref: String, login: String?, stage: String, method: String?, pending: String?,
            createdAt: Instant, seenAt: Instant, address: String?, endedAt: Instant? = nil, endReason: String? = nil
        ) {
            (self.idHash, self.ref, self.login, self.stage, self.method, self.pending) = (
                idHash, ref, login, stage, method, pending
            )
            (self.createdAt, self.seenAt, self.address, self.endedAt, self.endReason) = (
                createdAt, seenAt, address, endedAt, endReason
            )
        }
    }

    public func insertSession(_ s: SessionRow) throws {
        try db.run(
            """
            INSERT INTO sessions(id_hash, ref, login, stage, method, pending, created_at, seen_at, address)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(s.idHash), .text(s.ref), .text(s.login), .text(s.stage), .text(s.method), .text(s.pending),
                .int(s.createdAt.milliseconds), .int(s.seenAt.milliseconds), .text(s.address),
            ])
    }

    public func session(idHash: String) throws -> SessionRow? {
        var found: SessionRow?
        try db.query(
            """
            SELECT id_hash, ref, login, stage, method, pending, created_at, seen_at, address, ended_at, end_reason
            FROM sessions WHERE id_hash=?
            """, [.text(idHash)]
        ) { s in
            found = SessionRow(
                idHash: try s.text("id_hash"), ref: try s.text("ref"), login: try s.optionalText("login"),
                stage: try s.text("stage"), method: try s.optionalText("method"),
                pending: try s.optionalText("pending"),
                createdAt: try s.instant("created_at"), seenAt: try s.instant("seen_at"),
                address: try s.optionalText("address"), endedAt: try s.optionalInstant("ended_at"),
                endReason: try s.optionalText("end_reason"))
        }
        return found
    }

    /// Notes that a session was used.
    public func touchSession(idHash: String, at: Instant) throws {
        try db.run("UPDATE sessions SET seen_at=? WHERE id_hash=?", [.int(at.milliseconds), .text(idHash)])
    }

    /// Ends a session.
    public func endSession(idHash: String, at: Instant, reason: String) throws {
        try db.run(
            "UPDATE sessions SET ended_at=?, end_reason=?, pending=NULL WHERE id_hash=? AND ended_at IS NULL",
            [.int(at.milliseconds), .text(reason), .text(idHash)])
    }

    /// Ends every running session of a person.
    /// - Returns: how many were running.
    @discardableResult
    public func endSessions(of login: String, at: Instant, reason: String) throws -> Int {
        try db.run(
            "UPDATE sessions SET ended_at=?, end_reason=?, pending=NULL WHERE login=? AND ended_at IS NULL",
            [.int(at.milliseconds), .text(reason), .text(login)])
        return db.changes
    }
}

extension CaseStore {
    /// Gives a running session a new id (the old one stops working at once) and moves it to `stage`.
    /// - Returns: false when the session no longer runs (it ended meanwhile): nothing was changed.
    public func rotateSession(
        from oldHash: String, to newHash: String, login: String?, stage: String, pending: String?, at: Instant
    ) throws -> Bool {
        try db.run(
            "UPDATE sessions SET id_hash=?, login=?, stage=?, pending=?, seen_at=? WHERE id_hash=? AND ended_at IS NULL",
            [.text(newHash), .text(login), .text(stage), .text(pending), .int(at.milliseconds), .text(oldHash)])
        return db.changes == 1
    }

    /// Keeps what the session's next step needs (a TOTP secret being enrolled, sealed).
    public func setSessionPending(idHash: String, _ pending: String?) throws {
        try db.run("UPDATE sessions SET pending=? WHERE id_hash=?", [.text(pending), .text(idHash)])
    }
}

extension CaseStore {
    /// Removes the rows of sessions that can no longer run and ended before `cutoff` (or began before it and were
    /// never ended): their address and times are personal data kept no longer than needed; the access log keeps
    /// what each session did under its reference.
    /// - Returns: how many were removed.
    public func purgeSessions(before cutoff: Instant) throws -> Int {
        try db.run(
            "DELETE FROM sessions WHERE coalesce(ended_at, created_at) < ?", [.int(cutoff.milliseconds)])
        return db.changes
    }
}
