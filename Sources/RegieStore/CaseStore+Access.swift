public import RegieCore

/// Partners' API keys and the access log.
extension CaseStore {
    // MARK: API keys

    /// A stored API key: never the key itself, only its SHA-256.
    public struct APIKeyRow: Sendable, Equatable {
        /// The public part of the key, which names it in lists and logs.
        public var id: String
        public var partner: String
        /// Lowercase hex SHA-256 of the whole key.
        public var hash: String
        public var label: String?
        public var createdAt: Instant
        public var revokedAt: Instant?

        /// Creates a row.
        public init(
            id: String, partner: String, hash: String, label: String?, createdAt: Instant, revokedAt: Instant? = nil
        ) {
            self.id = id
            self.partner = partner
            self.hash = hash
            self.label = label
            self.createdAt = createdAt
            self.revokedAt = revokedAt
        }
    }

    /// Stores a new key.
    public func insertKey(_ key: APIKeyRow) throws {
        try db.run(
            "INSERT INTO api_keys(id, partner, hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(key.id), .text(key.partner), .text(key.hash), .text(key.label), .int(key.createdAt.milliseconds)])
    }

    /// One key by its id.
    public func key(_ id: String) throws -> APIKeyRow? {
        var row: APIKeyRow?
        try db.query(
            "SELECT id, partner, hash, label, created_at, revoked_at FROM api_keys WHERE id=?", [.text(id)]
        ) { row = Self.keyRow($0) }
        return row
    }

    /// All keys, or a partner's, oldest first.
    public func keys(partner: String?) throws -> [APIKeyRow] {
        var rows: [APIKeyRow] = []
        let sql =
            "SELECT id, partner, hash, label, created_at, revoked_at FROM api_keys"
            + (partner == nil ? "" : " WHERE partner=?") + " ORDER BY created_at, id"
        try db.query(sql, partner.map { [.text($0)] } ?? []) { rows.append(Self.keyRow($0)) }
        return rows
    }

    /// Marks a key revoked; returns false when there is no such key or it was revoked already.
    public func revokeKey(_ id: String, at: Instant) throws -> Bool {
        try db.run(
            "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL", [.int(at.milliseconds), .text(id)])
        return db.changes > 0
    }

    private static func keyRow(_ s: Statement) -> APIKeyRow {
        APIKeyRow(
            id: s.text(0), partner: s.text(1), hash: s.text(2), label: s.optionalText(3),
            createdAt: Instant(milliseconds: s.int(4)), revokedAt: s.optionalInt(5).map(Instant.init(milliseconds:)))
    }

    // MARK: Access log

    /// Appends a record to the access log, chained to the one before it. Call inside a write transaction.
    /// - Parameter hash: SHA-256 as lowercase hex (the store does no cryptography itself).
    @discardableResult
    public func appendAudit(_ entry: AuditEntry, hash: (String) -> String) throws -> AuditEntry {
        var previous = ""
        var lastId: Int64 = 0
        try db.query("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1") {
            lastId = $0.int(0)
            previous = $0.text(1)
        }
        var e = entry
        let id = lastId + 1
        e.id = id
        e.previousHash = previous
        e.hash = hash(e.chainedText(id: id, previousHash: previous))
        try db.run(
            """
            INSERT INTO audit(id, at, channel, action, resource, case_id, client_key, partner, person, outcome, status,
                detail, address, prev_hash, hash, identity, role, via)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .int(id), .int(e.at.milliseconds), .text(e.channel.rawValue), .text(e.action), .text(e.resource),
                .text(e.caseId), .text(e.clientKey), .text(e.partner), .text(e.person), .text(e.outcome.rawValue),
                .int(Int64(e.status)), .text(e.detail), .text(e.address), .text(e.previousHash), .text(e.hash),
                .text(e.identity?.rawValue), .text(e.role), .text(e.via),
            ])
        return e
    }

    /// Which records of the access log to read.
    public struct AuditFilter: Sendable {
        public var from: Instant?
        public var to: Instant?
        public var clientKey: String?
        public var afterId: Int64 = 0
        public var limit = 10_000

        /// No restriction.
        public init() {}
    }

    /// Records in log order.
    public func audit(_ filter: AuditFilter) throws -> [AuditEntry] {
        var sql =
            "SELECT id, at, channel, action, resource, case_id, client_key, partner, person, outcome, status, detail, address, prev_hash, hash, identity, role, via FROM audit WHERE id > ?"
        var values: [SQLValue] = [.int(filter.afterId)]
        if let from = filter.from {
            sql += " AND at >= ?"
            values.append(.int(from.milliseconds))
        }
        if let to = filter.to {
            sql += " AND at < ?"
            values.append(.int(to.milliseconds))
        }
        if let key = filter.clientKey {
            // A client's records: those of its own pseudonym and, when it is one of a household, every record of the
            // household's cases (recorded under the pseudonym of the client each case was opened for).
            var households: [String] = []
            try db.query(
                """
                SELECT DISTINCT c.case_id FROM case_clients c WHERE c.client_key = ?
                AND EXISTS (SELECT 1 FROM case_clients o WHERE o.case_id = c.case_id AND o.client_key <> ?)
                """, [.text(key), .text(key)]
            ) { households.append($0.text(0)) }
            sql += " AND (client_key = ?"
            values.append(.text(key))
            if !households.isEmpty {
                sql += " OR case_id IN (" + households.map { _ in "?" }.joined(separator: ", ") + ")"
                values += households.map { .text($0) }
            }
            sql += ")"
        }
        sql += " ORDER BY id LIMIT ?"
        values.append(.int(Int64(filter.limit)))
        var out: [AuditEntry] = []
        try db.query(sql, values) { s in
            var e = AuditEntry(
                at: Instant(milliseconds: s.int(1)), channel: AuditEntry.Channel(rawValue: s.text(2)) ?? .api,
                action: s.text(3), resource: s.text(4), caseId: s.optionalText(5), clientKey: s.optionalText(6),
                partner: s.text(7), person: s.optionalText(8),
                outcome: AuditEntry.Outcome(rawValue: s.text(9)) ?? .error, status: Int(s.int(10)),
                detail: s.optionalText(11), address: s.optionalText(12))
            e.id = s.int(0)
            e.previousHash = s.text(13)
            e.hash = s.text(14)
            e.identity = s.optionalText(15).flatMap(AuditEntry.Identity.init(rawValue:))
            e.role = s.optionalText(16)
            e.via = s.optionalText(17)
            // A stored value that no longer maps onto the enums is kept visible to the chain check.
            if AuditEntry.Channel(rawValue: s.text(2)) == nil || AuditEntry.Outcome(rawValue: s.text(9)) == nil
                || (s.optionalText(15) != nil && e.identity == nil)
            {
                e.hash = "invalid:" + e.hash
            }
            out.append(e)
        }
        return out
    }
}

extension CaseStore {
    /// Writes a notification that no event causes (a lookup match) to the outbox. Call inside a write transaction.
    public func appendNotification(_ n: Notification, at: Instant) throws {
        try db.run(
            "INSERT INTO outbox(case_id, seq, topic, recipients, event, level, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(n.caseId), .int(Int64(n.sequence)), .text(n.topic), .text(n.recipients.joined(separator: ",")),
                .text(n.event), .int(Int64(n.level)), .int(at.milliseconds),
            ])
        let outboxId = db.lastInsertID
        if n.caseId == Notification.regionCase {
            try planDeliveries(n, nil, before: nil, outboxId: outboxId, at: at)
        } else if let record = try loadCase(n.caseId) {
            try planDeliveries(n, record, before: nil, outboxId: outboxId, at: at)
        }
    }
}
