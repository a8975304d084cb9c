public import RegieCore

/// Regie's durable state in one SQLite file: the event log, case projections, timers, outbox and idempotency keys.
///
/// Every change goes through `commit`, which appends events, updates the projection, applies the timer changes and
/// writes the outbox rows in the caller's transaction. Not thread-safe: one store per thread, or guard it.
public final class CaseStore {
    /// The connection.
    public let db: Database

    /// Opens an existing Regie database.
    /// - Throws: `StoreError.notInitialised` when the file has no Regie schema, `DatabaseError` otherwise.
    public init(path: String, readOnly: Bool = false) throws {
        db = try Database(path: path, readOnly: readOnly)
        let hasMeta = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'") ?? 0
        guard hasMeta > 0, try db.scalarText("SELECT value FROM meta WHERE key='schema'") == Schema.version else {
            throw StoreError.notInitialised(path)
        }
    }

    private init(created db: Database) { self.db = db }

    /// Creates a new Regie database (or reopens one created before with the same clock setting).
    /// - Parameters:
    ///   - path: the file.
    ///   - simulatedClock: whether commands may set the time with `--now` (tests, demos). Fixed at creation.
    ///   - now: the creation time.
    /// - Throws: `StoreError.clockMismatch` when the file exists with the other clock setting.
    public static func create(path: String, simulatedClock: Bool, now: Instant) throws -> CaseStore {
        let db = try Database(path: path)
        try db.write {
            try db.execute(Schema.sql)
            if let existing = try db.scalarInt("SELECT count(*) FROM meta WHERE key='schema'"), existing > 0 {
                let simulated = try db.scalarText("SELECT value FROM meta WHERE key='simulated_clock'") == "1"
                if simulated != simulatedClock { throw StoreError.clockMismatch(path, simulated: simulated) }
                return
            }
            try db.run("INSERT INTO meta(key, value) VALUES ('schema', ?), ('simulated_clock', ?), ('created_at', ?)", [
                .text(Schema.version), .text(simulatedClock ? "1" : "0"), .text(now.iso8601),
            ])
        }
        return CaseStore(created: db)
    }

    // MARK: Meta

    /// A value from the meta table.
    public func meta(_ key: String) throws -> String? {
        var value: String?
        try db.query("SELECT value FROM meta WHERE key=?", [.text(key)]) { value = $0.text(0) }
        return value
    }

    /// Sets a value in the meta table.
    public func setMeta(_ key: String, _ value: String) throws {
        try db.run("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value", [.text(key), .text(value)])
    }

    /// Whether the database accepts a simulated clock (`--now`).
    public var simulatedClock: Bool { (try? meta("simulated_clock")) == "1" }

    // MARK: Workflow versions

    /// The definition text a case's workflow version was stored with.
    public func workflowDefinition(name: String, version: Int) throws -> String? {
        var text: String?
        try db.query("SELECT definition FROM workflow_versions WHERE name=? AND version=?", [.text(name), .int(Int64(version))]) { text = $0.text(0) }
        return text
    }

    /// All stored workflow versions, as (name, version, definition).
    public func workflowDefinitions() throws -> [(name: String, version: Int, definition: String)] {
        var out: [(String, Int, String)] = []
        try db.query("SELECT name, version, definition FROM workflow_versions ORDER BY name, version") {
            out.append(($0.text(0), Int($0.int(1)), $0.text(2)))
        }
        return out
    }

    /// Stores a workflow version's definition, once; running cases are read against it.
    public func storeWorkflowDefinition(name: String, version: Int, definition: String, now: Instant) throws {
        try db.run("INSERT OR IGNORE INTO workflow_versions(name, version, definition, stored_at) VALUES (?, ?, ?, ?)", [
            .text(name), .int(Int64(version)), .text(definition), .int(now.milliseconds),
        ])
    }

    // MARK: Cases

    static let caseColumns = "id, workflow, version, state, regie_partner, regie_contact, participants, level, client_key, suspended_at, seq, opened_at, updated_at, last_activity_at, closed_at"

    /// Loads a case with its timers, or nil when there is no such case.
    public func loadCase(_ id: String) throws -> CaseRecord? {
        var record: CaseRecord?
        try db.query("SELECT \(Self.caseColumns) FROM cases WHERE id=?", [.text(id)]) { record = Self.caseRow($0) }
        guard var found = record else { return nil }
        found.timers = try timers(of: id)
        return found
    }

    static func caseRow(_ s: Statement) -> CaseRecord {
        CaseRecord(
            id: s.text(0), workflow: s.text(1), version: Int(s.int(2)), state: s.text(3),
            regie: RegieHolder(partner: s.text(4), contact: s.optionalText(5)), participants: decodeParticipants(s.text(6)),
            level: Int(s.int(7)), clientKey: s.optionalText(8), suspendedAt: s.optionalInt(9).map(Instant.init(milliseconds:)),
            sequence: Int(s.int(10)), openedAt: Instant(milliseconds: s.int(11)), updatedAt: Instant(milliseconds: s.int(12)),
            lastActivityAt: Instant(milliseconds: s.int(13)), closedAt: s.optionalInt(14).map(Instant.init(milliseconds:)),
            timers: [])
    }

    static func encodeParticipants(_ list: [Participant]) -> String {
        list.map { "\($0.partner)=\($0.role.rawValue)" }.joined(separator: ",")
    }

    static func decodeParticipants(_ text: String) -> [Participant] {
        text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=")
            guard parts.count == 2, let role = Role(rawValue: String(parts[1])) else { return nil }
            return Participant(partner: String(parts[0]), role: role)
        }
    }

    /// The running timers of a case, by due time.
    public func timers(of caseId: String) throws -> [TimerRecord] {
        var out: [TimerRecord] = []
        try db.query("SELECT id, name, kind, event, due_at, started_at, owner_state, paused FROM timers WHERE case_id=? ORDER BY due_at, id", [.text(caseId)]) { s in
            out.append(
                TimerRecord(
                    id: s.int(0), name: s.text(1), kind: TimerRecord.Kind(rawValue: s.text(2)) ?? .deadline, event: s.text(3),
                    dueAt: Instant(milliseconds: s.int(4)), startedAt: Instant(milliseconds: s.int(5)), ownerState: s.optionalText(6),
                    paused: s.int(7) != 0))
        }
        return out
    }

    /// Writes a decision: appends its events, writes the projection, applies timer changes relative to `previous`
    /// and writes the outbox rows. Call inside `db.write`.
    /// - Returns: the record with the ids of newly started timers filled in.
    @discardableResult
    public func commit(_ decision: Decision, previous: CaseRecord?) throws -> CaseRecord {
        var record = decision.record
        for e in decision.events {
            try db.run("INSERT INTO events(case_id, seq, at, event, actor_partner, actor_person, actor_role, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                .text(e.caseId), .int(Int64(e.sequence)), .int(e.at.milliseconds), .text(e.event), .text(e.actor.partner),
                .text(e.actor.person), .text(e.actor.role.rawValue), .text(e.payload.compactText),
            ])
        }
        let values: [SQLValue] = [
            .text(record.id), .text(record.workflow), .int(Int64(record.version)), .text(record.state), .text(record.regie.partner),
            .text(record.regie.contact), .text(Self.encodeParticipants(record.participants)), .int(Int64(record.level)),
            .text(record.clientKey), .int(record.suspendedAt?.milliseconds), .int(Int64(record.sequence)),
            .int(record.openedAt.milliseconds), .int(record.updatedAt.milliseconds), .int(record.lastActivityAt.milliseconds),
            .int(record.closedAt?.milliseconds),
        ]
        if previous == nil {
            try db.run("INSERT INTO cases(\(Self.caseColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        } else {
            try db.run("UPDATE cases SET workflow=?2, version=?3, state=?4, regie_partner=?5, regie_contact=?6, participants=?7, level=?8, client_key=?9, suspended_at=?10, seq=?11, opened_at=?12, updated_at=?13, last_activity_at=?14, closed_at=?15 WHERE id=?1", values)
        }
        let old = Dictionary((previous?.timers ?? []).compactMap { t in t.id.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
        var kept = Set<Int64>()
        for i in record.timers.indices {
            let t = record.timers[i]
            if let id = t.id, let before = old[id] {
                kept.insert(id)
                if before.dueAt != t.dueAt || before.paused != t.paused {
                    try db.run("UPDATE timers SET due_at=?, paused=? WHERE id=?", [.int(t.dueAt.milliseconds), .int(t.paused ? 1 : 0), .int(id)])
                }
            } else {
                try db.run("INSERT INTO timers(case_id, name, kind, event, due_at, started_at, owner_state, paused) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                    .text(record.id), .text(t.name), .text(t.kind.rawValue), .text(t.event), .int(t.dueAt.milliseconds),
                    .int(t.startedAt.milliseconds), .text(t.ownerState), .int(t.paused ? 1 : 0),
                ])
                record.timers[i].id = db.lastInsertID
            }
        }
        for id in old.keys where !kept.contains(id) {
            try db.run("DELETE FROM timers WHERE id=?", [.int(id)])
        }
        for n in decision.notifications {
            try db.run("INSERT INTO outbox(case_id, seq, topic, recipients, event, level, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", [
                .text(n.caseId), .int(Int64(n.sequence)), .text(n.topic), .text(n.recipients.joined(separator: ",")),
                .text(n.event), .int(Int64(n.level)), .int(decision.record.updatedAt.milliseconds),
            ])
        }
        return record
    }

    /// The events of a case in order.
    public func events(of caseId: String) throws -> [CaseEvent] {
        var out: [CaseEvent] = []
        try db.query("SELECT seq, at, event, actor_partner, actor_person, actor_role, payload FROM events WHERE case_id=? ORDER BY seq", [.text(caseId)]) { s in
            let payload = (try? JSONParser.parse(s.text(6))) ?? .null
            out.append(
                CaseEvent(
                    caseId: caseId, sequence: Int(s.int(0)), at: Instant(milliseconds: s.int(1)), event: s.text(2),
                    actor: Actor(partner: s.text(3), person: s.optionalText(4), role: Role(rawValue: s.text(5)) ?? .systeem),
                    payload: payload))
        }
        return out
    }

    /// Cases matching a filter, newest activity first, with their timers.
    public func cases(_ filter: CaseFilter) throws -> [CaseRecord] {
        var sql = "SELECT \(Self.caseColumns) FROM cases WHERE 1=1"
        var values: [SQLValue] = []
        if !filter.includeClosed { sql += " AND closed_at IS NULL" }
        if let state = filter.state {
            sql += " AND state=?"
            values.append(.text(state))
        }
        if let level = filter.level {
            sql += " AND level=?"
            values.append(.int(Int64(level)))
        }
        if let workflow = filter.workflow {
            sql += " AND workflow=?"
            values.append(.text(workflow))
        }
        if let stalled = filter.stalled {
            var clauses = ["EXISTS (SELECT 1 FROM timers t WHERE t.case_id=cases.id AND t.paused=0 AND t.kind='deadline' AND t.due_at < ?)"]
            values.append(.int(stalled.now.milliseconds))
            for (workflow, cutoff) in stalled.inactiveSince.sorted(by: { $0.key < $1.key }) {
                clauses.append("(workflow=? AND last_activity_at < ?)")
                values += [.text(workflow), .int(cutoff.milliseconds)]
            }
            sql += " AND suspended_at IS NULL AND (" + clauses.joined(separator: " OR ") + ")"
        }
        sql += " ORDER BY updated_at DESC, id LIMIT ?"
        values.append(.int(Int64(filter.limit)))
        var out: [CaseRecord] = []
        try db.query(sql, values) { out.append(Self.caseRow($0)) }
        for i in out.indices { out[i].timers = try timers(of: out[i].id) }
        return out
    }

    // MARK: Timers

    /// Running, unpaused timers due at or before `limit`, earliest first.
    public func dueTimers(until limit: Instant, max: Int) throws -> [DueTimer] {
        var out: [DueTimer] = []
        try db.query("SELECT id, case_id, due_at FROM timers WHERE paused=0 AND due_at <= ? ORDER BY due_at, id LIMIT ?", [.int(limit.milliseconds), .int(Int64(max))]) {
            out.append(DueTimer(id: $0.int(0), caseId: $0.text(1), dueAt: Instant(milliseconds: $0.int(2))))
        }
        return out
    }

    /// The due time of the earliest running, unpaused timer.
    public func nextDueAt() throws -> Instant? {
        try db.scalarInt("SELECT min(due_at) FROM timers WHERE paused=0").map(Instant.init(milliseconds:))
    }

    /// Records that a timer fired; the unique key makes a second firing of the same timer fail.
    public func recordFiring(_ timer: DueTimer, name: String, firedAt: Instant, sequence: Int) throws {
        try db.run("INSERT INTO timer_firings(timer_id, case_id, name, due_at, fired_at, lateness_ms, seq) VALUES (?, ?, ?, ?, ?, ?, ?)", [
            .int(timer.id), .text(timer.caseId), .text(name), .int(timer.dueAt.milliseconds), .int(firedAt.milliseconds),
            .int(max(0, firedAt.milliseconds - timer.dueAt.milliseconds)), .int(Int64(sequence)),
        ])
    }

    /// Counts of pending and overdue timers.
    public func timerCounts(now: Instant) throws -> (pending: Int, overdue: Int) {
        let pending = try db.scalarInt("SELECT count(*) FROM timers") ?? 0
        let overdue = try db.scalarInt("SELECT count(*) FROM timers WHERE paused=0 AND due_at <= ?", [.int(now.milliseconds)]) ?? 0
        return (Int(pending), Int(overdue))
    }

    // MARK: Idempotency

    /// The stored request and response for an idempotency key.
    public func idempotentResponse(_ key: String) throws -> (request: String, response: String)? {
        var out: (String, String)?
        try db.query("SELECT request, response FROM idempotency WHERE key=?", [.text(key)]) { out = ($0.text(0), $0.text(1)) }
        return out
    }

    /// Stores the response to an idempotent request, in the same transaction as its effect.
    public func storeIdempotentResponse(_ key: String, request: String, caseId: String, response: String, now: Instant) throws {
        try db.run("INSERT INTO idempotency(key, request, case_id, response, created_at) VALUES (?, ?, ?, ?, ?)", [
            .text(key), .text(request), .text(caseId), .text(response), .int(now.milliseconds),
        ])
    }
}

/// A due timer as the scheduler sees it.
public struct DueTimer: Sendable, Equatable {
    public var id: Int64
    public var caseId: String
    public var dueAt: Instant

    /// Creates a due timer.
    public init(id: Int64, caseId: String, dueAt: Instant) {
        self.id = id
        self.caseId = caseId
        self.dueAt = dueAt
    }
}

/// Which cases to list.
public struct CaseFilter: Sendable {
    public var state: String?
    public var level: Int?
    public var workflow: String?
    /// Only stalled cases: an overdue deadline, or no activity since the workflow's cutoff.
    public var stalled: (now: Instant, inactiveSince: [String: Instant])?
    public var includeClosed = false
    public var limit = 1000

    /// Creates a filter matching every open case.
    public init() {}
}

/// A store that cannot be used as it is.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case notInitialised(String)
    case clockMismatch(String, simulated: Bool)

    public var description: String {
        switch self {
        case .notInitialised(let path): return "\(path) is not a Regie database; create it with `regie init --db \(path)`"
        case .clockMismatch(let path, let simulated):
            return "\(path) was created with \(simulated ? "a simulated" : "the real") clock; that cannot change (use another --db)"
        }
    }
}

extension CaseStore {
    /// Running deadlines and reminders due before `limit` (overdue ones included), earliest first.
    public func upcomingTimers(until limit: Instant, max: Int) throws -> [(caseId: String, timer: TimerRecord)] {
        var out: [(String, TimerRecord)] = []
        try db.query("SELECT id, case_id, name, kind, event, due_at, started_at, owner_state, paused FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?", [.int(limit.milliseconds), .int(Int64(max))]) { s in
            out.append((s.text(1), TimerRecord(
                id: s.int(0), name: s.text(2), kind: TimerRecord.Kind(rawValue: s.text(3)) ?? .deadline, event: s.text(4),
                dueAt: Instant(milliseconds: s.int(5)), startedAt: Instant(milliseconds: s.int(6)), ownerState: s.optionalText(7), paused: s.int(8) != 0)))
        }
        return out
    }
}
