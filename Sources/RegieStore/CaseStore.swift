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
    var projectionStatements: [Int: Statement] = [:]
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
    /// Decoded open cases shared between connections (`cases(_:)` reads through it).
    public var cache: CaseCache?

    /// Opens an existing Regie database.
    /// - Parameters:
    ///   - readOnly: open the file for reading only.
    ///   - migrates: bring an older schema up to date (a writable connection only), which takes the write lock. A
    ///     connection that only reads beside a writer passes false: the writer has migrated, and a reader must not
    ///     wait for the write lock.
    /// - Throws: `StoreError.notInitialised` when the file has no Regie schema (or an older one that is not
    ///   migrated), `DatabaseError` otherwise.
    public init(path: String, readOnly: Bool = false, migrates: Bool = true) throws {
        db = try Database(path: path, readOnly: readOnly)
        let hasMeta = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'") ?? 0
        if hasMeta > 0 && !readOnly && migrates { try db.write { try Schema.migrate(db) } }
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
        // On a reader, a case whose row is still at the sequence of a cached record is that record (see `CaseCache`):
        // its sequence is one key lookup, where decoding the row, its details and its timers is most of a decision.
        if let cache {
            guard let sequence = try db.scalarInt(Self.sequenceOfCase, [.text(id)]) else { return nil }
            if let hit = cache.record(id, sequence: Int(sequence)) { return hit }
        }
        var record: CaseRecord?
        let sql: StaticString = """
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
        record?.timers.sort(by: CaseCache.timerOrder)
        if let cache, let record { cache.keep(record) }
        return record
    }

    static let sequenceOfCase: StaticString = "SELECT seq FROM cases WHERE id=?"

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
        guard let text else { return .empty }
        do { return CaseDetails(json: try JSONParser.parse(text)) } catch {
            throw .corrupt("cases.details of case \(caseId) is not JSON: \(error.description)")
        }
    }

    static func encodeDetails(_ details: CaseDetails) -> String? {
        details == .empty ? nil : details.json.compactText
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
        if !filter.includeClosed {
            sql += filter.takingPartOrEscalated == nil ? " AND closed_at IS NULL" : " AND +closed_at IS NULL"
        }
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
            // The candidates are the union of three small sets, each read through its index (case_partners,
            // cases_escalated, cases_municipality), and then looked up by id, instead of reading every open case.
            // `+closed_at` keeps SQLite from scanning the open cases' index instead.
            var union =
                "SELECT case_id FROM case_partners WHERE partner=? UNION ALL SELECT id FROM cases WHERE level > 0"
            values += [.text(partner)]
            if !filter.responsibleFor.isEmpty {
                union +=
                    " UNION ALL SELECT id FROM cases WHERE \(Schema.municipalityExpression) IN ("
                    + filter.responsibleFor.map { _ in "?" }.joined(separator: ", ") + ")"
                values += filter.responsibleFor.map { .text($0) }
            }
            sql += " AND id IN (\(union))"
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
        // Rows whose case is in the cache at the same sequence are not decoded again (see `CaseCache`).
        var fresh: [Int] = []
        try db.query(sql, values) { s in
            if let cache, let hit = cache.record(try s.text("id"), sequence: Int(try s.int("seq"))) {
                out.append(hit)
            } else {
                fresh.append(out.count)
                out.append(try Self.caseRow(s))
            }
        }
        // The timers of all the others in one statement, not one per case.
        var timers: [String: [TimerRecord]] = [:]
        if !fresh.isEmpty {
            let ids = JSONValue.array(fresh.map { .string(out[$0].id) }).compactText
            try db.query(
                """
                SELECT case_id, id, name, kind, event, due_at, started_at, owner_state, owner_level, subject, paused_at
                FROM timers WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY due_at, id
                """, [.text(ids)]
            ) { s in timers[try s.text("case_id"), default: []].append(try Self.timerRow(s)) }
        }
        for i in fresh {
            out[i].timers = timers[out[i].id] ?? []
            cache?.keep(out[i])
        }
        return out
    }

    // MARK: Timers

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
