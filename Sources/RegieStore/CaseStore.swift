public import RegieCore
#if canImport(Glibc)
    internal import Glibc
#endif

/// Regie's durable state in one SQLite file: the event log, case projections, timers, outbox and idempotency keys.
///
/// Every change goes through `commit`, which appends events, updates the projection, applies the timer changes and
/// writes the outbox rows in the caller's transaction. Not thread-safe: one store per thread, or guard it.
///
/// `@unchecked Sendable` for the same reason as its `Database`: it owns the connection and caches of statements and
/// of the endpoints' version, and is handed between threads whole, never used by two at once.
public final class CaseStore: @unchecked Sendable {
    /// The connection.
    public let db: Database
    private var projectionStatements: [Int: Statement] = [:]
    /// Decides the webhook deliveries of each notification written, inside the same transaction (set by the engine,
    /// which knows the partners' endpoints and what each may see).
    public var deliveryPlanner: DeliveryPlanner?
    /// The endpoints' version as read in the current write transaction (`transaction`), or nil once this
    /// connection changed an endpoint in it: nobody else can change it meanwhile, so one read serves every
    /// notification of the transaction.
    var webhooksVersionRead: (transaction: Int64, version: Int64?)?
    /// The time a command runs at on a simulated clock (`--now`), written as the clock's time by the first change
    /// it commits (see `advanceClockIfPending`); nil: the clock is not moved.
    public var advanceClockOnChange: Instant?

    /// Opens an existing Regie database.
    /// - Throws: `StoreError.notInitialised` when the file has no Regie schema, `DatabaseError` otherwise.
    public init(path: String, readOnly: Bool = false) throws {
        db = try Database(path: path, readOnly: readOnly)
        let hasMeta = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'") ?? 0
        if hasMeta > 0 && !readOnly { try db.write { try Schema.migrate(db) } }
        guard hasMeta > 0, try db.scalarText("SELECT value FROM meta WHERE key='schema'") == Schema.version else {
            throw StoreError.notInitialised(path)
        }
    }

    init(created db: Database) { self.db = db }

    /// Opens a database for writing, or, when it cannot be written (a read-only or immutable file or folder, a
    /// read-only volume, no write permission), for reading only.
    /// - Returns: the store and, when it is read-only, why.
    public static func openWritableOrReadOnly(path: String) throws -> (store: CaseStore, readOnly: String?) {
        do {
            let store = try CaseStore(path: path)
            if store.db.isReadOnly {
                return (store, DatabaseError(code: 8, message: "read-only").sentence(path: path))
            }
            return (store, nil)
        } catch let error as DatabaseError
            where [.readOnly, .cannotOpen, .noPermission].contains(error.kind)
            || (error.kind == .ioError && error.systemErrno == 30)
        {
            let store = try CaseStore(path: path, readOnly: true)
            return (store, error.sentence(path: path))
        }
    }

    /// Creates a new Regie database (or reopens one created before with the same clock setting).
    /// - Parameters:
    ///   - path: the file.
    ///   - simulatedClock: whether commands may set the time with `--now` (tests, demos). Fixed at creation.
    ///   - now: the creation time.
    /// - Throws: `StoreError.clockMismatch` when the file exists with the other clock setting.
    public static func create(path: String, simulatedClock: Bool, now: Instant) throws -> CaseStore {
        var st = stat()
        if stat(path, &st) != 0 || st.st_size == 0 {
            // A new database is made beside its name and renamed into place only when complete, so a failure (a
            // full disk) leaves nothing behind, not an empty file that later commands would mistake for one.
            // An empty file at the name (left by an earlier failure) is replaced.
            let partial = path + ".init-\(getpid())"
            for suffix in ["", "-wal", "-shm"] { unlink(partial + suffix) }
            do {
                do {
                    let made = try createIn(path: partial, simulatedClock: simulatedClock, now: now)
                    try made.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                }
                for suffix in ["-wal", "-shm"] { unlink(partial + suffix) }
                try DurableFile.sync(partial)
                guard rename(partial, path) == 0 else {
                    throw DatabaseError(code: 10, message: "cannot rename \(partial) to \(path)", systemErrno: errno)
                }
                try DurableFile.syncFolder(of: path)
            } catch {
                for suffix in ["", "-wal", "-shm"] { unlink(partial + suffix) }
                throw error
            }
            return try CaseStore(path: path)
        }
        return try createIn(path: path, simulatedClock: simulatedClock, now: now)
    }

    private static func createIn(path: String, simulatedClock: Bool, now: Instant) throws -> CaseStore {
        let db = try Database(path: path)
        try db.write {
            if try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'") ?? 0 > 0 {
                try Schema.migrate(db)
            }
            try db.execute(Schema.sql)
            if let existing = try db.scalarInt("SELECT count(*) FROM meta WHERE key='schema'"), existing > 0 {
                let simulated = try db.scalarText("SELECT value FROM meta WHERE key='simulated_clock'") == "1"
                if simulated != simulatedClock { throw StoreError.clockMismatch(path, simulated: simulated) }
                return
            }
            try db.run(
                "INSERT INTO meta(key, value) VALUES ('schema', ?), ('simulated_clock', ?), ('created_at', ?)",
                [
                    .text(Schema.version), .text(simulatedClock ? "1" : "0"), .text(now.iso8601),
                ])
            if simulatedClock {
                try db.run("INSERT INTO meta(key, value) VALUES ('clock_now', ?)", [.text(now.iso8601)])
            }
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
        try db.run(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [.text(key), .text(value)])
    }

    /// The time of the last event appended (by log order), if any.
    public func lastEventAt() throws -> Instant? {
        try db.scalarInt("SELECT at FROM events ORDER BY id DESC LIMIT 1").map(Instant.init(milliseconds:))
    }

    /// Whether the database accepts a simulated clock (`--now`).
    public var simulatedClock: Bool { (try? meta("simulated_clock")) == "1" }

    /// The simulated time of a database with a simulated clock (nil when it has none yet).
    public func simulatedNow() throws -> Instant? {
        try meta("clock_now").flatMap { Instant(iso8601: $0) }
    }

    /// Moves the simulated clock to `advanceClockOnChange`, if set and later, in the transaction of a change (an
    /// event appended, a case purged): a command run with `--now` moves the clock only when it changes something.
    func advanceClockIfPending() throws {
        guard let target = advanceClockOnChange else { return }
        if let current = try simulatedNow(), current >= target { return }
        try setMeta("clock_now", target.iso8601)
    }

    /// Moves the simulated clock to `instant`, in its own write transaction; it never runs backwards.
    /// - Returns: the time before.
    /// - Throws: `StoreError.clockBackwards` when `instant` is before the simulated time.
    @discardableResult
    public func setSimulatedNow(_ instant: Instant) throws -> Instant? {
        try db.write {
            let before = try simulatedNow()
            if let before, instant < before { throw StoreError.clockBackwards(to: instant, now: before) }
            try setMeta("clock_now", instant.iso8601)
            return before
        }
    }

    // MARK: Workflow versions

    /// The definition text a case's workflow version was stored with.
    public func workflowDefinition(name: String, version: Int) throws -> String? {
        var text: String?
        try db.query(
            "SELECT definition FROM workflow_versions WHERE name=? AND version=?", [.text(name), .int(Int64(version))]
        ) { text = $0.text(0) }
        return text
    }

    /// Stores a workflow version's definition, once; running cases are read against it.
    public func storeWorkflowDefinition(name: String, version: Int, definition: String, now: Instant) throws {
        try db.run(
            "INSERT OR IGNORE INTO workflow_versions(name, version, definition, stored_at) VALUES (?, ?, ?, ?)",
            [
                .text(name), .int(Int64(version)), .text(definition), .int(now.milliseconds),
            ])
    }

    // MARK: Cases

    static let caseColumns =
        "id, workflow, version, state, regie_partner, regie_contact, participants, level, client_key, suspended_at, seq, opened_at, updated_at, last_activity_at, closed_at, details"

    /// Loads a case with its timers, or nil when there is no such case. Call inside a transaction (`db.read` or
    /// `db.write`) so that the case and its timers come from one snapshot.
    public func loadCase(_ id: String) throws -> CaseRecord? {
        var record: CaseRecord?
        let sql = """
            SELECT c.id, c.workflow, c.version, c.state, c.regie_partner, c.regie_contact, c.participants, c.level,
                c.client_key, c.suspended_at, c.seq, c.opened_at, c.updated_at, c.last_activity_at, c.closed_at,
                c.details, t.id AS timer_id, t.name AS timer_name, t.kind AS timer_kind, t.event AS timer_event,
                t.due_at AS timer_due_at, t.started_at AS timer_started_at, t.owner_state AS timer_owner_state,
                t.owner_level AS timer_owner_level, t.subject AS timer_subject, t.paused_at AS timer_paused_at
            FROM cases c LEFT JOIN timers t ON t.case_id = c.id WHERE c.id=?
            """
        try db.query(sql, [.text(id)]) { s in
            if record == nil { record = try Self.caseRow(s) }
            if try !s.isNull("timer_id") { record?.timers.append(try Self.timerRow(s, .joined)) }
        }
        // A case has a handful of timers: sorting them here is cheaper than a temporary B-tree in SQLite.
        record?.timers.sort { ($0.dueAt, $0.id ?? 0) < ($1.dueAt, $1.id ?? 0) }
        return record
    }

    /// A case from the `caseColumns` of a row, read by name; its timers are read apart.
    static func caseRow(_ s: Statement) throws -> CaseRecord {
        let id = try s.text("id")
        return CaseRecord(
            id: id, workflow: try s.text("workflow"), version: Int(try s.int("version")), state: try s.text("state"),
            regie: RegieHolder(partner: try s.text("regie_partner"), contact: try s.optionalText("regie_contact")),
            participants: decodeParticipants(try s.text("participants")),
            level: Int(try s.int("level")), clientKey: try s.optionalText("client_key"),
            suspendedAt: try s.optionalInstant("suspended_at"), sequence: Int(try s.int("seq")),
            openedAt: try s.instant("opened_at"), updatedAt: try s.instant("updated_at"),
            lastActivityAt: try s.instant("last_activity_at"), closedAt: try s.optionalInstant("closed_at"),
            timers: [], details: try decodeDetails(try s.optionalText("details"), of: id))
    }

    /// A case's details as stored; nil (none stored) is the empty details.
    /// - Throws: `StoreError.corrupt` when the stored text is not JSON: never read as empty details, which would
    ///   silently drop a shield, a handover or an opdracht.
    static func decodeDetails(_ text: String?, of caseId: String) throws(StoreError) -> CaseDetails {
        guard let text else { return CaseDetails() }
        do { return CaseDetails(json: try JSONParser.parse(text)) } catch {
            throw .corrupt("cases.details of case \(caseId) is not JSON: \(error.description)")
        }
    }

    static func encodeDetails(_ details: CaseDetails) -> String? {
        details == CaseDetails() ? nil : details.json.compactText
    }

    /// `partner=role`, and `partner=role/kind-1+kind-2` for a partner serving some members of a household.
    static func encodeParticipants(_ list: [Participant]) -> String {
        list.map { p in
            "\(p.partner)=\(p.role.rawValue)" + (p.members.map { "/" + $0.sorted().joined(separator: "+") } ?? "")
        }.joined(separator: ",")
    }

    static func decodeParticipants(_ text: String) -> [Participant] {
        text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=")
            guard parts.count == 2 else { return nil }
            let roleAndMembers = parts[1].split(separator: "/", maxSplits: 1)
            guard let role = Role(rawValue: String(roleAndMembers[0])) else { return nil }
            let members =
                roleAndMembers.count == 2 ? Set(roleAndMembers[1].split(separator: "+").map(String.init)) : nil
            return Participant(partner: String(parts[0]), role: role, members: members)
        }
    }

    /// One notification waiting in (or delivered from) the outbox.
    public struct OutboxRow: Sendable, Equatable {
        public var sequence: Int
        public var topic: String
        public var recipients: [String]
        public var event: String
        public var level: Int
    }

    /// The outbox rows of a case, in the order they were written.
    public func outbox(of caseId: String) throws -> [OutboxRow] {
        var out: [OutboxRow] = []
        try db.query(
            "SELECT seq, topic, recipients, event, level FROM outbox WHERE case_id=? ORDER BY id", [.text(caseId)]
        ) { s in
            out.append(
                OutboxRow(
                    sequence: Int(s.int(0)), topic: s.text(1),
                    recipients: s.text(2).split(separator: ",").map(String.init), event: s.text(3),
                    level: Int(s.int(4))))
        }
        return out
    }

    /// The running timers of a case, by due time.
    public func timers(of caseId: String) throws -> [TimerRecord] {
        var out: [TimerRecord] = []
        try db.query(
            "SELECT \(Self.timerColumns) FROM timers WHERE case_id=? ORDER BY due_at, id",
            [.text(caseId)]
        ) { s in
            out.append(try Self.timerRow(s))
        }
        return out
    }

    /// The columns `timerRow` reads.
    static let timerColumns = "id, name, kind, event, due_at, started_at, owner_state, owner_level, subject, paused_at"

    /// The names a timer's columns have in a result: as stored, or as `loadCase`'s join renames them.
    struct TimerColumnNames {
        var id, name, kind, event, dueAt, startedAt, ownerState, ownerLevel, subject, pausedAt: StaticString

        static let stored = TimerColumnNames(
            id: "id", name: "name", kind: "kind", event: "event", dueAt: "due_at", startedAt: "started_at",
            ownerState: "owner_state", ownerLevel: "owner_level", subject: "subject", pausedAt: "paused_at")
        static let joined = TimerColumnNames(
            id: "timer_id", name: "timer_name", kind: "timer_kind", event: "timer_event", dueAt: "timer_due_at",
            startedAt: "timer_started_at", ownerState: "timer_owner_state", ownerLevel: "timer_owner_level",
            subject: "timer_subject", pausedAt: "timer_paused_at")
    }

    /// A timer from the `timerColumns` of a row, read by name.
    static func timerRow(_ s: Statement, _ c: TimerColumnNames = .stored) throws -> TimerRecord {
        TimerRecord(
            id: try s.int(c.id), name: try s.text(c.name),
            kind: try s.value(c.kind, as: TimerRecord.Kind.self, table: "timers", column: "kind"),
            event: try s.text(c.event), dueAt: try s.instant(c.dueAt), startedAt: try s.instant(c.startedAt),
            ownerState: try s.optionalText(c.ownerState), ownerLevel: Int(try s.int(c.ownerLevel)),
            subject: try s.optionalText(c.subject), pausedAt: try s.optionalInstant(c.pausedAt))
    }

    /// Writes a decision: appends its events, writes the projection, applies timer changes relative to `previous`
    /// and writes the outbox rows. Call inside `db.write`.
    /// - Returns: the record with the ids of newly started timers filled in.
    /// - Throws: `StoreError.staleCase`, before writing anything, when the case is no longer at `previous`'s sequence.
    @discardableResult
    public func commit(_ decision: Decision, previous: CaseRecord?) throws -> CaseRecord {
        try commit(PreparedCommit(decision, previous: previous))
    }

    /// Writes a commit prepared outside the writer (see `PreparedCommit`). Call inside `db.write`.
    @discardableResult
    public func commit(_ p: PreparedCommit) throws -> CaseRecord {
        var record = p.record
        var lastEvent: Int64?
        var lastSeal: String?
        if let previous = p.previous {
            // Guard first: if another commit moved the case on since the decision was made, nothing has been
            // written yet and the caller decides again.
            var current: (seq: Int64, last: Int64?, seal: String?)?
            try db.query("SELECT seq, last_event_id, last_hash FROM cases WHERE id=?", [.text(record.id)]) {
                current = ($0.int(0), $0.optionalInt(1), $0.optionalText(2))
            }
            guard let current, current.seq == Int64(previous.sequence) else { throw StoreError.staleCase(record.id) }
            (lastEvent, lastSeal) = (current.last, current.seal)
        }
        let insertEvent = try db.statement(
            "INSERT INTO events(case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload, hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if !p.events.isEmpty { try advanceClockIfPending() }
        for (values, digest) in zip(p.events, p.digests) {
            var row = values
            row[2] = .int(lastEvent)
            let seal = EventSeal.chain(lastSeal, digest)
            try insertEvent.run(row + [.text(seal), .text(p.state)])
            lastEvent = db.lastInsertID
            lastSeal = seal
        }
        if p.previous != nil {
            let statement = try projectionStatement(p.projectionMask)
            try statement.run(p.projection + [.int(lastEvent), .text(lastSeal), .text(record.id)])
        } else {
            try db.run(
                "INSERT INTO cases(\(Self.caseColumns), last_event_id, last_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                p.projection + [.int(lastEvent), .text(lastSeal)])
        }
        try applyTimerChanges(&record, previous: p.previous?.timers ?? [])
        try syncClients(record, previous: p.previous)
        for (values, notification) in zip(p.outbox, p.notifications) {
            try db.run(
                "INSERT INTO outbox(case_id, seq, topic, recipients, event, level, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values)
            try planDeliveries(
                notification, record, before: p.previous, outboxId: db.lastInsertID, at: record.updatedAt)
        }
        return record
    }

    /// The clients of a case by pseudonym, as `key member` pairs: its household members, or the client it was opened
    /// for.
    static func clients(of r: CaseRecord) -> [String] {
        if !r.details.members.isEmpty {
            return r.details.members.compactMap { m in m.clientKey.map { "\($0) \(m.id)" } }
        }
        return r.clientKey.map { ["\($0) client-1"] } ?? []
    }

    /// Keeps `case_clients` in step with the case's members, in the same transaction.
    private func syncClients(_ record: CaseRecord, previous: CaseRecord?) throws {
        let now = Self.clients(of: record)
        let before = previous.map(Self.clients(of:)) ?? []
        guard now != before else { return }
        for pair in before where !now.contains(pair) {
            let parts = pair.split(separator: " ").map(String.init)
            try db.run(
                "DELETE FROM case_clients WHERE client_key=? AND case_id=? AND member=?",
                [.text(parts[0]), .text(record.id), .text(parts[1])])
        }
        for pair in now where !before.contains(pair) {
            let parts = pair.split(separator: " ").map(String.init)
            try db.run(
                "INSERT OR IGNORE INTO case_clients(client_key, case_id, member) VALUES (?, ?, ?)",
                [.text(parts[0]), .text(record.id), .text(parts[1])])
        }
    }

    /// The UPDATE for one combination of changed projection columns, prepared once.
    private func projectionStatement(_ mask: Int) throws -> Statement {
        if let s = projectionStatements[mask] { return s }
        let columns = PreparedCommit.projectionColumns.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(
            \.element)
        let sql =
            "UPDATE cases SET " + (columns + ["last_event_id", "last_hash"]).map { $0 + "=?" }.joined(separator: ", ")
            + " WHERE id=?"
        let s = try db.statement(sql)
        projectionStatements[mask] = s
        return s
    }

    /// Brings the timer rows of a case in line with `record.timers`: unchanged rows stay, a timer restarted under
    /// the same name is updated in place, new ones are inserted (their ids filled in), the rest are deleted.
    private func applyTimerChanges(_ record: inout CaseRecord, previous: [TimerRecord]) throws {
        var old = Dictionary(previous.compactMap { t in t.id.map { ($0, t) } }, uniquingKeysWith: { a, _ in a })
        for i in record.timers.indices where record.timers[i].id != nil {
            let t = record.timers[i]
            guard let id = t.id, let before = old.removeValue(forKey: id) else { continue }
            if before.dueAt != t.dueAt || before.pausedAt != t.pausedAt {
                try db.run(
                    "UPDATE timers SET due_at=?, paused_at=? WHERE id=?",
                    [.int(t.dueAt.milliseconds), .int(t.pausedAt?.milliseconds), .int(id)])
            }
        }
        for i in record.timers.indices where record.timers[i].id == nil {
            let t = record.timers[i]
            if let (id, _) = old.first(where: {
                $0.value.sameTimer(as: t) && $0.value.kind == t.kind && $0.value.event == t.event
            }) {
                // The same timer started afresh (a state re-entered): reuse its row.
                old.removeValue(forKey: id)
                try db.run(
                    "UPDATE timers SET due_at=?, started_at=?, owner_state=?, owner_level=?, paused_at=? WHERE id=?",
                    [
                        .int(t.dueAt.milliseconds), .int(t.startedAt.milliseconds), .text(t.ownerState),
                        .int(Int64(t.ownerLevel)), .int(t.pausedAt?.milliseconds), .int(id),
                    ])
                record.timers[i].id = id
            } else {
                try db.run(
                    "INSERT INTO timers(case_id, name, kind, event, due_at, started_at, owner_state, owner_level, subject, paused_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        .text(record.id), .text(t.name), .text(t.kind.rawValue), .text(t.event),
                        .int(t.dueAt.milliseconds), .int(t.startedAt.milliseconds), .text(t.ownerState),
                        .int(Int64(t.ownerLevel)), .text(t.subject), .int(t.pausedAt?.milliseconds),
                    ])
                record.timers[i].id = db.lastInsertID
            }
        }
        for id in old.keys { try db.run("DELETE FROM timers WHERE id=?", [.int(id)]) }
    }

    /// The events of a case in order.
    public func events(of caseId: String, after: Int = 0, limit: Int = Int(Int32.max)) throws -> [CaseEvent] {
        var out: [CaseEvent] = []
        let sql = """
            WITH RECURSIVE chain(id) AS (
                SELECT last_event_id FROM cases WHERE id=?1
                UNION ALL SELECT e.prev_id FROM events e JOIN chain ON e.id = chain.id WHERE e.prev_id IS NOT NULL)
            SELECT seq, at, event, actor_partner, actor_person, actor_role, payload FROM events
            WHERE id IN (SELECT id FROM chain) AND seq > ?2 ORDER BY seq LIMIT ?3
            """
        try db.query(sql, [.text(caseId), .int(Int64(after)), .int(Int64(limit))]) { s in
            let sequence = Int(try s.int("seq"))
            let payload: JSONValue
            do { payload = try JSONParser.parse(try s.text("payload")) } catch let e as JSONSyntaxError {
                throw StoreError.corrupt(
                    "the payload of event \(sequence) of case \(caseId) is not JSON: \(e.description)")
            }
            out.append(
                CaseEvent(
                    caseId: caseId, sequence: sequence, at: try s.instant("at"), event: try s.text("event"),
                    actor: Actor(
                        partner: try s.text("actor_partner"), person: try s.optionalText("actor_person"),
                        role: try s.value("actor_role", as: Role.self, table: "events")),
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
        if let key = filter.clientKey {
            sql += " AND id IN (SELECT case_id FROM case_clients WHERE client_key=?)"
            values.append(.text(key))
        }
        if let partner = filter.takingPartOrEscalated {
            sql += " AND (regie_partner=? OR instr(',' || participants, ',' || ? || '=') > 0 OR level > 0"
            values += [.text(partner), .text(partner)]
            if !filter.responsibleFor.isEmpty {
                sql +=
                    " OR json_extract(details, '$.municipality') IN ("
                    + filter.responsibleFor.map { _ in "?" }.joined(separator: ", ") + ")"
                values += filter.responsibleFor.map { .text($0) }
            }
            sql += ")"
        }
        if let stalled = filter.stalled {
            var clauses = [
                "EXISTS (SELECT 1 FROM timers t WHERE t.case_id=cases.id AND t.paused_at IS NULL AND t.kind='deadline' AND t.due_at < ?)"
            ]
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
        try db.query(sql, values) { out.append(try Self.caseRow($0)) }
        for i in out.indices { out[i].timers = try timers(of: out[i].id) }
        return out
    }

    // MARK: Timers

    /// Running, unpaused timers due at or before `limit`, earliest first.
    public func dueTimers(until limit: Instant, max: Int) throws -> [DueTimer] {
        var out: [DueTimer] = []
        try db.query(
            "SELECT id, case_id, due_at FROM timers WHERE paused_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            [.int(limit.milliseconds), .int(Int64(max))]
        ) {
            out.append(DueTimer(id: $0.int(0), caseId: $0.text(1), dueAt: Instant(milliseconds: $0.int(2))))
        }
        return out
    }

    /// The due time of the earliest running, unpaused timer.
    public func nextDueAt() throws -> Instant? {
        try db.scalarInt("SELECT min(due_at) FROM timers WHERE paused_at IS NULL").map(Instant.init(milliseconds:))
    }

    /// Writes the decision of a fired timer: the rest is committed as usual, the fired row is deleted (never
    /// reused) and the firing is recorded. Call inside `db.write`.
    public func commitFiring(_ decision: Decision, previous: CaseRecord, timer: DueTimer, firedAt: Instant) throws {
        try commitFiring(
            PreparedCommit(firing: decision, previous: previous, timer: timer.id), timer: timer, firedAt: firedAt)
    }

    /// Writes a timer's firing prepared with `PreparedCommit(firing:previous:timer:)`. Call inside `db.write`.
    public func commitFiring(_ prepared: PreparedCommit, timer: DueTimer, firedAt: Instant) throws {
        try commit(prepared)
        try db.run("DELETE FROM timers WHERE id=?", [.int(timer.id)])
        try recordFiring(
            timer, name: prepared.firedTimerName ?? "", firedAt: firedAt, sequence: prepared.record.sequence)
    }

    /// Deletes a timer row that can no longer fire (its case is gone or closed).
    public func deleteTimer(_ id: Int64) throws {
        try db.run("DELETE FROM timers WHERE id=?", [.int(id)])
    }

    /// Records that a timer fired; the unique key makes a second firing of the same timer fail.
    public func recordFiring(_ timer: DueTimer, name: String, firedAt: Instant, sequence: Int) throws {
        try db.run(
            "INSERT INTO timer_firings(timer_id, case_id, name, due_at, fired_at, lateness_ms, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .int(timer.id), .text(timer.caseId), .text(name), .int(timer.dueAt.milliseconds),
                .int(firedAt.milliseconds),
                .int(max(0, firedAt.milliseconds - timer.dueAt.milliseconds)), .int(Int64(sequence)),
            ])
    }

    // MARK: Idempotency

    /// The stored request and response for an idempotency key.
    public func idempotentResponse(_ key: String) throws -> (request: String, response: String)? {
        var out: (String, String)?
        try db.query("SELECT request, response FROM idempotency WHERE key=?", [.text(key)]) {
            out = ($0.text(0), $0.text(1))
        }
        return out
    }

    /// Stores the response to an idempotent request, in the same transaction as its effect.
    public func storeIdempotentResponse(_ key: String, request: String, caseId: String, response: String, now: Instant)
        throws
    {
        try db.run(
            "INSERT INTO idempotency(key, request, case_id, response, created_at) VALUES (?, ?, ?, ?, ?)",
            [
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
    /// Only the cases of one client (by pseudonym).
    public var clientKey: String?
    /// Only cases this partner takes part in, or that are escalated (whose level owners the caller then checks), or
    /// whose responsible municipality is one of `responsibleFor`.
    public var takingPartOrEscalated: String?
    /// The municipalities the partner is responsible for (itself, or those whose procesregie it holds).
    public var responsibleFor: [String] = []
    public var limit = 1000

    /// Creates a filter matching every open case.
    public init() {}
}

extension CaseStore {
    /// Running deadlines and reminders due before `limit` (overdue ones included), earliest first.
    public func upcomingTimers(until limit: Instant, max: Int) throws -> [(caseId: String, timer: TimerRecord)] {
        var out: [(String, TimerRecord)] = []
        try db.query(
            "SELECT \(Self.timerColumns), case_id FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
            [.int(limit.milliseconds), .int(Int64(max))]
        ) { s in
            out.append((try s.text("case_id"), try Self.timerRow(s)))
        }
        return out
    }
}
