public import RegieCore
public import RegieStore
internal import RegieCrypto
internal import Foundation

/// API keys and the access log.
extension Engine {
    // MARK: API keys

    /// A key just created: `secret` is the whole key, shown once and never stored.
    public struct NewKey: Sendable {
        public var id: String
        public var partner: String
        public var secret: String
    }

    /// A partner's API key as the engine shows it: who it belongs to and when, never the key or its hash.
    public struct PartnerKey: Sendable, Equatable {
        /// The public part of the key, which names it in lists and logs.
        public var id: String
        public var partner: String
        public var label: String?
        public var createdAt: Instant
        public var revokedAt: Instant?

        init(_ row: CaseStore.APIKeyRow) {
            (id, partner, label, createdAt, revokedAt) = (row.id, row.partner, row.label, row.createdAt, row.revokedAt)
        }
    }

    /// The prefix of every key, so that a leaked key is recognisable (e.g. by secret scanners).
    public static let keyPrefix = "rgk_"

    /// Creates an API key for a partner. Only its SHA-256 is stored.
    /// - Throws: `EngineError.refused` for an unknown partner.
    public func createKey(partner: String, label: String?) throws(EngineError) -> NewKey {
        do {
            try config.checkPartner(partner)
            let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
            let id = String(decoding: try Crypto.randomBytes(10).map { alphabet[Int($0 & 31)] }, as: UTF8.self)
            let secret = Self.keyPrefix + id + "_" + Base64URL.encode(try Crypto.randomBytes(32))
            let row = CaseStore.APIKeyRow(
                id: id, partner: partner, hash: Self.sha256Hex(secret), label: label, createdAt: clock.now())
            try committer.run { store in try store.insertKey(row) }
            return NewKey(id: id, partner: partner, secret: secret)
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// The keys, all or a partner's.
    public func keys(partner: String?) throws(EngineError) -> [PartnerKey] {
        try read { try $0.keys(partner: partner) }.map(PartnerKey.init)
    }

    /// Revokes a key; requests with it get 401 from then on.
    /// - Throws: `EngineError.notFound` when there is no such active key.
    public func revokeKey(_ id: String) throws(EngineError) {
        let now = clock.now()
        let done: Bool
        do { done = try committer.run { store in try store.revokeKey(id, at: now) } } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
        if !done {
            throw .notFound("no active key \"\(id)\"; see `regie partner key list`")
        }
    }

    /// The key a bearer token belongs to, if it is a valid, unrevoked key. The comparison of hashes takes the same
    /// time wherever they differ.
    public func authenticate(_ token: String) -> PartnerKey? {
        guard token.hasPrefix(Self.keyPrefix), token.utf8.count > Self.keyPrefix.utf8.count + 11 else { return nil }
        let id = String(token.dropFirst(Self.keyPrefix.count).prefix(10))
        guard let row = try? read({ try $0.key(id) }), row.revokedAt == nil else { return nil }
        let given = Array(Self.sha256Hex(token).utf8)
        return Crypto.constantTimeEquals(given, Array(row.hash.utf8)) ? PartnerKey(row) : nil
    }

    static func sha256Hex(_ text: String) -> String { Crypto.hex(Crypto.sha256(Array(text.utf8))) }

    // MARK: Access log

    /// Appends a record to the access log and returns once it is durable.
    public func audit(_ entry: AuditEntry) throws(EngineError) {
        try audit(batch: [entry])
    }

    static func append(_ entry: AuditEntry, to store: CaseStore) throws {
        try store.appendAudit(entry) { sha256Hex($0) }
    }

    /// Records of the access log, in order.
    public func auditRecords(_ filter: CaseStore.AuditFilter) throws(EngineError) -> [AuditEntry] {
        try read { try $0.audit(filter) }
    }

    /// The outcome of checking the access log's hash chain.
    /// Every access-log record about one client (by pseudonym), oldest first: the answer to a client's request to
    /// see who accessed their data.
    public func auditRecords(clientKey: String) throws(EngineError) -> [AuditEntry] {
        var filter = CaseStore.AuditFilter()
        filter.clientKey = clientKey
        return try auditRecords(filter)
    }

    public struct AuditVerification: Sendable {
        /// Records checked.
        public var checked: Int
        /// Every record that does not fit the chain, and why (checking goes on after a break).
        public var broken: [(id: Int64, reason: String)]

        /// The first record that does not fit the chain.
        public var firstBroken: (id: Int64, reason: String)? { broken.first }
    }

    /// Reads the access log in log order, a page at a time, until the end or until `body` returns false.
    public func forEachAuditPage(
        _ filter: CaseStore.AuditFilter, pageSize: Int = 5000, _ body: ([AuditEntry]) -> Bool
    ) throws(EngineError) {
        var filter = filter
        filter.limit = pageSize
        while true {
            let page = try auditRecords(filter)
            guard let last = page.last?.id, body(page) else { return }
            filter.afterId = last
        }
    }

    /// Recomputes every record's hash and its link to the one before, and reports every record that does not fit:
    /// one altered record does not hide the records after it.
    public func verifyAudit() throws(EngineError) -> AuditVerification {
        try read { try Self.verifyAudit(in: $0) }
    }

    /// `verifyAudit` on a store (in its read transaction), a page at a time.
    static func verifyAudit(in store: CaseStore) throws -> AuditVerification {
        var result = AuditVerification(checked: 0, broken: [])
        // After a purge of its oldest records (retention) the chain starts from the last purged record's hash.
        let anchor = try store.auditAnchor()
        var previous = anchor.hash
        var expectedId: Int64 = anchor.through + 1
        var lastPurge: (id: Int64, detail: String)?
        var filter = CaseStore.AuditFilter()
        filter.limit = 5000
        while true {
            let page = try store.audit(filter)
            guard let last = page.last?.id else { break }
            for e in page {
                let id = e.id ?? 0
                if id != expectedId {
                    for missing in expectedId..<id { result.broken.append((missing, "the record is missing")) }
                } else if e.previousHash != previous {
                    result.broken.append(
                        (id, "its previous-hash does not match record \(id - 1); a record was removed or altered"))
                }
                if e.hash != Self.sha256Hex(e.chainedText(id: id, previousHash: e.previousHash)) {
                    result.broken.append((id, "its content does not match its hash; it was altered"))
                }
                if e.action == "purge" && e.resource == Self.accessLogResource { lastPurge = (id, e.detail ?? "") }
                previous = e.hash
                expectedId = id + 1
                result.checked += 1
            }
            filter.afterId = last
        }
        // A cut log must say, in a record after the cut, that it was cut there: the anchor alone is not evidence.
        if anchor.through > 0 && lastPurge?.detail != Self.accessLogPurgeDetail(anchor.through, anchor.hash) {
            result.broken.append(
                (
                    anchor.through + 1,
                    "the log starts after record \(anchor.through) without a recorded retention purge there; records were removed"
                ))
        }
        return result
    }

    /// The resource of the access-log record of a purge of the access log itself.
    static let accessLogResource = "access-log"

    /// What the record of a purge of the access log says, so that `verifyAudit` can match it with the anchor.
    static func accessLogPurgeDetail(_ through: Int64, _ hash: String) -> String {
        "records 1 to \(through) purged after their retention; the log continues from hash \(hash)"
    }

    /// The pseudonym of a BSN, to find a client's records.
    /// - Throws: `EngineError` for an invalid BSN or a missing pseudonym secret.
    public func clientKey(bsn: String) throws(EngineError) -> String {
        do {
            let checked = try BSN(bsn)
            guard let pseudonymizer else {
                throw EngineError.environment(
                    "no pseudonym secret: set \(Pseudonymizer.environmentVariable) or run `regie init` to create one beside the database"
                )
            }
            return pseudonymizer.pseudonym(checked)
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }
}

extension Engine {
    /// What a lookup answers: whether the person is known, and whom to contact.
    public struct LookupAnswer: Sendable {
        public var known: Bool
        /// The regiehouders of the client's open cases (organisation and contact person); for a shielded case the
        /// asker does not take part in, the region's safe point instead, never the holder.
        public var contacts: [RegieHolder]
    }

    /// Answers "is this person known in the network?" like the verwijsindex: only whom to contact, never why. The
    /// lookup states its purpose; each case it finds records it (who asked, why), its regiehouder is told, and the
    /// access log holds the lookup and every hit, all in one transaction. A partner may look up the region's limit
    /// per period; beyond it the lookup is refused and the ketenregisseur is told, once.
    /// - Parameters:
    ///   - bsn: checked, pseudonymised, then forgotten.
    ///   - purpose: why; one of the region's purposes when it lists them.
    ///   - audit: the access-log record of the lookup; its client pseudonym and detail are filled in.
    /// - Throws: `EngineError.refused` for a bad BSN or purpose, `.tooMany` beyond the limit.
    public func lookup(bsn: String, purpose: String, by partner: String, person: String?, audit: AuditEntry)
        throws(EngineError) -> LookupAnswer
    {
        let purpose = purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !purpose.isEmpty, purpose.count <= 200 else {
            throw .refused(Refusal(.missingRequirement, "a lookup states its purpose (at most 200 characters)"))
        }
        if !config.lookupPurposes.isEmpty && !config.lookupPurposes.contains(purpose) {
            throw .refused(
                Refusal(
                    .invalidArgument,
                    "\"\(purpose)\" is not a purpose of this region; use one of: \(config.lookupPurposes.joined(separator: ", "))"
                ))
        }
        let key = try clientKey(bsn: bsn)
        let now = clock.now()
        if let limited = lookups.admit(partner, at: now) {
            try reportLookupLimit(partner, limited, audit: audit, clientKey: key, now: now)
            throw .tooMany(
                "\(partner) has done its \(lookups.limit) lookups for this period; try again in \(DurationText.rough(seconds: Int64(limited.retryAfterSeconds)))",
                retryAfterSeconds: limited.retryAfterSeconds)
        }
        do {
            return try committer.run { store in
                var filter = CaseFilter()
                filter.clientKey = key
                let cases = try store.cases(filter)
                var contacts: [RegieHolder] = []
                var shielded = 0
                for c in cases {
                    let machine = try self.machine(for: c.workflow, version: c.version)
                    try store.commit(
                        self.prepare(
                            machine.lookedUp(c, by: partner, person: person, purpose: purpose, now: now), on: c,
                            by: machine))
                    var hit = audit
                    (hit.caseId, hit.clientKey, hit.action) = (c.id, c.clientKey, "lookup-hit")
                    hit.detail = "purpose: \(purpose)\(c.details.shield == nil ? "" : "; shielded")"
                    try Self.append(hit, to: store)
                    let takesPart = c.partners.contains { $0.partner == partner }
                    if c.details.shield != nil && !takesPart {
                        shielded += 1
                        if let point = self.config.shieldedContact {
                            contacts.append(RegieHolder(partner: point, contact: nil))
                        }
                    } else {
                        contacts.append(c.regie)
                    }
                }
                var entry = audit
                entry.clientKey = key
                entry.detail =
                    cases.isEmpty
                    ? "no match; purpose: \(purpose)"
                    : "match: \(cases.count) open case(s)\(shielded > 0 ? ", \(shielded) shielded" : ""); purpose: \(purpose)"
                try Self.append(entry, to: store)
                var seen = Set<String>()
                return LookupAnswer(
                    known: !cases.isEmpty,
                    contacts: contacts.filter { seen.insert($0.partner + "|" + ($0.contact ?? "")).inserted })
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Logs a refused lookup and, the first time a partner hits the limit in a period, tells the ketenregisseur.
    private func reportLookupLimit(
        _ partner: String, _ limited: RateLimiter.Refusal, audit: AuditEntry, clientKey: String, now: Instant
    ) throws(EngineError) {
        var entry = audit
        (entry.outcome, entry.status, entry.clientKey) = (.refused, 429, clientKey)
        entry.detail = "lookup limit reached (\(lookups.limit) per period)"
        do {
            try committer.run { [entry] store in
                try Self.append(entry, to: store)
                guard limited.first else { return }
                let details = JSONObject(pairs: [
                    "partner": .string(partner), "limit": .int(Int64(self.lookups.limit)),
                    "period": .string(self.config.lookupWindow.description),
                ])
                try store.appendNotification(
                    Notification(
                        caseId: Notification.regionCase, sequence: 0, topic: "lookup.limit",
                        recipients: (self.config.mandates[.ketenregisseur] ?? []).sorted(), event: "lookup-limit",
                        level: 0, details: details),
                    at: now)
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Appends access-log records without waiting: they join the next group commit, and `done` runs on the
    /// committer's background thread once they are durable (nil) or could not be written (the error). A server
    /// answers a read from `done`, so that no response leaves before its record is on disk, and no thread sleeps
    /// through the fsync meanwhile.
    public func audit(batch entries: [AuditEntry], then done: @escaping @Sendable (EngineError?) -> Void) {
        guard !entries.isEmpty else { return done(nil) }
        committer.submit({ store in for e in entries { try Self.append(e, to: store) } }) { error in
            done(error.map { EngineError.wrap($0) })
        }
    }

    /// Appends several access-log records in one durable transaction (a list shows several clients' cases).
    public func audit(batch entries: [AuditEntry]) throws(EngineError) {
        guard !entries.isEmpty else { return }
        do {
            try committer.run { store in
                for e in entries { try Self.append(e, to: store) }
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }
}

extension Engine {
    /// What a partner may see of a case and the roles it holds there; nil when it may not see the case.
    public func access(to record: CaseRecord, for partner: String) -> CaseAccess? {
        guard let machine = try? machine(for: record.workflow, version: record.version) else { return nil }
        return CaseAccess.evaluate(record, partner: config.partner(partner), machine: machine)
    }

    /// The roles that may fire an event on a case in its current state.
    public func roles(allowedFor event: String, on record: CaseRecord) -> Set<Role> {
        (try? machine(for: record.workflow, version: record.version))?.roles(allowedFor: event, in: record.state) ?? []
    }

    /// The events a partner could fire in the case's state, given its roles (the rules may still refuse one).
    public func events(for access: CaseAccess, on record: CaseRecord) -> [String] {
        guard let machine = try? machine(for: record.workflow, version: record.version), record.closedAt == nil else {
            return []
        }
        let roles = Set(access.roles)
        return machine.allowedEvents(in: record.state).filter {
            !machine.roles(allowedFor: $0, in: record.state).isDisjoint(with: roles)
        }
    }

    /// The owners of the case's current level.
    public func levelOwners(of record: CaseRecord) -> [String] {
        (try? machine(for: record.workflow, version: record.version))?.levelOwners(of: record) ?? []
    }

    /// Cases for the partner API: the filter's cases that the partner may see, with its access to each.
    public func visibleCases(
        to partner: String, state: String?, level: Int?, workflow: String?, stalled: Bool
    ) throws(EngineError) -> [(CaseRecord, CaseAccess)] {
        var filter = CaseFilter()
        filter.state = state
        filter.level = level
        filter.workflow = workflow
        filter.includeClosed = state != nil
        filter.takingPartOrEscalated = partner
        filter.responsibleFor = Array(
            Set([partner] + config.procesregisseurs.filter { $0.value == partner }.map(\.key))
        )
        .sorted()
        filter.limit = 100_000
        if stalled { filter.stalled = stalledFilter() }
        let records = try read { try $0.cases(filter) }
        return records.compactMap { r in access(to: r, for: partner).map { (r, $0) } }
    }
}
