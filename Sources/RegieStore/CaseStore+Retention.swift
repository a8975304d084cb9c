public import RegieCore

/// Retention: purging closed cases (leaving tombstones) and the oldest part of the access log (leaving an anchor),
/// and legal holds that stop a purge.
extension CaseStore {
    /// A closed case that may be due for purging.
    public struct RetentionCandidate: Sendable, Equatable {
        public var caseId: String
        public var workflow: String
        public var closedAt: Instant
        /// The reason of a legal hold on the case, if any.
        public var hold: String?
    }

    /// Closed cases closed at or before `closedBefore`, oldest first (by the index on `closed_at`).
    public func closedCases(closedBefore: Instant) throws -> [RetentionCandidate] {
        var out: [RetentionCandidate] = []
        try db.query(
            """
            SELECT c.id, c.workflow, c.closed_at, h.reason FROM cases c LEFT JOIN legal_holds h ON h.case_id = c.id
            WHERE c.closed_at IS NOT NULL AND c.closed_at <= ? ORDER BY c.closed_at, c.id
            """, [.int(closedBefore.milliseconds)]
        ) {
            out.append(
                RetentionCandidate(
                    caseId: $0.text(0), workflow: $0.text(1), closedAt: Instant(milliseconds: $0.int(2)),
                    hold: $0.optionalText(3)))
        }
        return out
    }

    /// What a purge left of a case.
    public struct Tombstone: Sendable, Equatable {
        public var caseId: String
        public var workflow: String
        /// How many events the case had.
        public var events: Int
        /// The seal of its last event, so that the access log's references and any copy can still be matched.
        public var lastHash: String?
        public var closedAt: Instant?
        public var purgedAt: Instant
        public var reason: String
        /// The client's pseudonym, for the purge's access-log record (not kept in the tombstone).
        public var clientKey: String?
    }

    /// Removes closed cases for good: their events, projection, members, timers, notifications and deliveries,
    /// stored responses; each leaves a tombstone. Call inside a write transaction.
    /// - Throws: `StoreError` when a case is open, held or unknown (then the caller's transaction rolls back).
    public func purge(_ caseIds: [String], at now: Instant, reason: String) throws -> [Tombstone] {
        try db.execute("CREATE TEMP TABLE IF NOT EXISTS purging(case_id TEXT PRIMARY KEY) WITHOUT ROWID")
        try db.execute("DELETE FROM temp.purging")
        if !caseIds.isEmpty { try advanceClockIfPending() }
        var stones: [Tombstone] = []
        for id in caseIds {
            var row: (workflow: String, seq: Int, hash: String?, closed: Int64?, client: String?)?
            try db.query("SELECT workflow, seq, last_hash, closed_at, client_key FROM cases WHERE id=?", [.text(id)]) {
                row = ($0.text(0), Int($0.int(1)), $0.optionalText(2), $0.optionalInt(3), $0.optionalText(4))
            }
            guard let row else { throw StoreError.notPurgeable("no case \(id) to purge") }
            guard let closed = row.closed else {
                throw StoreError.notPurgeable("case \(id) is open; only closed cases are purged")
            }
            if let hold = try db.scalarInt("SELECT 1 FROM legal_holds WHERE case_id=?", [.text(id)]), hold == 1 {
                throw StoreError.notPurgeable("case \(id) is under a legal hold; release it first")
            }
            let stone = Tombstone(
                caseId: id, workflow: row.workflow, events: row.seq, lastHash: row.hash,
                closedAt: Instant(milliseconds: closed), purgedAt: now, reason: reason, clientKey: row.client)
            try db.run(
                """
                INSERT INTO tombstones(case_id, workflow, events, last_hash, closed_at, purged_at, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(id), .text(row.workflow), .int(Int64(row.seq)), .text(row.hash), .int(closed),
                    .int(now.milliseconds), .text(reason),
                ])
            // The case's events by their chain (the log has no index on case_id).
            try db.run(
                """
                WITH RECURSIVE chain(id) AS (
                    SELECT last_event_id FROM cases WHERE id=?1
                    UNION ALL SELECT e.prev_id FROM events e JOIN chain ON e.id = chain.id WHERE e.prev_id IS NOT NULL)
                DELETE FROM events WHERE id IN (SELECT id FROM chain) AND case_id=?1
                """, [.text(id)])
            try db.run("DELETE FROM timers WHERE case_id=?", [.text(id)])
            try db.run("DELETE FROM cases WHERE id=?", [.text(id)])
            try db.run("INSERT INTO temp.purging(case_id) VALUES (?)", [.text(id)])
            stones.append(stone)
        }
        // The tables without an index on case_id: one pass each for the whole batch.
        try db.execute(
            """
            DELETE FROM case_clients WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM case_partners WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM timer_firings WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM outbox WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM idempotency WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM delivery_attempts WHERE delivery_id IN
                (SELECT id FROM deliveries WHERE case_id IN (SELECT case_id FROM temp.purging));
            DELETE FROM deliveries WHERE case_id IN (SELECT case_id FROM temp.purging);
            DELETE FROM temp.purging;
            """)
        return stones
    }

    /// The tombstones of purged cases, in purge order.
    public func tombstones(limit: Int = 1000) throws -> [Tombstone] {
        var out: [Tombstone] = []
        try db.query(
            """
            SELECT case_id, workflow, events, last_hash, closed_at, purged_at, reason FROM tombstones
            ORDER BY purged_at, case_id LIMIT ?
            """, [.int(Int64(limit))]
        ) {
            out.append(
                Tombstone(
                    caseId: $0.text(0), workflow: $0.text(1), events: Int($0.int(2)), lastHash: $0.optionalText(3),
                    closedAt: $0.optionalInt(4).map(Instant.init(milliseconds:)),
                    purgedAt: Instant(milliseconds: $0.int(5)), reason: $0.text(6)))
        }
        return out
    }

    /// The tombstone of a purged case.
    public func tombstone(_ caseId: String) throws -> Tombstone? {
        var out: Tombstone?
        try db.query(
            "SELECT workflow, events, last_hash, closed_at, purged_at, reason FROM tombstones WHERE case_id=?",
            [.text(caseId)]
        ) {
            out = Tombstone(
                caseId: caseId, workflow: $0.text(0), events: Int($0.int(1)), lastHash: $0.optionalText(2),
                closedAt: $0.optionalInt(3).map(Instant.init(milliseconds:)),
                purgedAt: Instant(milliseconds: $0.int(4)), reason: $0.text(5))
        }
        return out
    }

    // MARK: Legal holds

    /// A legal hold: the case is not purged while it stands.
    public struct LegalHold: Sendable, Equatable {
        public var caseId: String
        public var reason: String
        public var by: String
        public var at: Instant

        public init(caseId: String, reason: String, by: String, at: Instant) {
            self.caseId = caseId
            self.reason = reason
            self.by = by
            self.at = at
        }
    }

    /// Places a hold; returns false when the case already had one.
    public func placeHold(_ hold: LegalHold) throws -> Bool {
        try db.run(
            "INSERT OR IGNORE INTO legal_holds(case_id, reason, by, at) VALUES (?, ?, ?, ?)",
            [.text(hold.caseId), .text(hold.reason), .text(hold.by), .int(hold.at.milliseconds)])
        return db.changes == 1
    }

    /// Releases a hold; returns false when there was none.
    public func releaseHold(_ caseId: String) throws -> Bool {
        try db.run("DELETE FROM legal_holds WHERE case_id=?", [.text(caseId)])
        return db.changes == 1
    }

    /// Every legal hold.
    public func holds() throws -> [LegalHold] {
        var out: [LegalHold] = []
        try db.query("SELECT case_id, reason, by, at FROM legal_holds ORDER BY at, case_id") {
            out.append(
                LegalHold(caseId: $0.text(0), reason: $0.text(1), by: $0.text(2), at: Instant(milliseconds: $0.int(3))))
        }
        return out
    }

    // MARK: The access log's own retention

    /// Where the access log starts after a purge of its oldest records: the last purged record's id and hash
    /// (nothing purged: 0 and "").
    public func auditAnchor() throws -> (through: Int64, hash: String) {
        let through = Int64(try meta("audit_purged_through") ?? "0") ?? 0
        return (through, try meta("audit_anchor") ?? "")
    }

    /// How many access-log records are older than `cutoff` and may go (only the oldest run of them: the log stays
    /// one unbroken chain from its anchor).
    public func auditRecordsBefore(_ cutoff: Instant) throws -> (count: Int, through: Int64) {
        let anchor = try auditAnchor().through
        let firstKept =
            try db.scalarInt("SELECT min(id) FROM audit WHERE at >= ?", [.int(cutoff.milliseconds)])
            ?? ((try db.scalarInt("SELECT max(id) FROM audit") ?? anchor) + 1)
        let through = firstKept - 1
        return (Int(max(0, through - anchor)), through)
    }

    /// Removes the access-log records up to and including `through`, keeping the last one's hash as the anchor the
    /// chain now starts from. Call inside a write transaction.
    public func purgeAudit(through: Int64) throws {
        guard through > (try auditAnchor().through) else { return }
        guard let hash = try db.scalarText("SELECT hash FROM audit WHERE id=?", [.int(through)]) else {
            throw StoreError.corrupt("access-log record \(through), up to which records are purged, is missing")
        }
        try setMeta("audit_purged_through", String(through))
        try setMeta("audit_anchor", hash)
        try db.run("DELETE FROM audit WHERE id <= ?", [.int(through)])
    }
}
