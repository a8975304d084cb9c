public import RegieCore

/// Timers: reading them, and firing the due ones.
extension CaseStore {
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
