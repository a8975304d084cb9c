import RegieCore

/// Verifying the seals of the event log (see `EventSeal`).
extension CaseStore {
    /// Where a case's event log does not verify.
    public struct SealProblem: Sendable, Equatable, CustomStringConvertible {
        public var caseId: String
        /// The first event that does not verify, or nil when the case's state (projection, timers) is what differs.
        public var sequence: Int?
        public var reason: String

        public var description: String {
            "case \(caseId)\(sequence.map { ", event \($0)" } ?? ""): \(reason)"
        }
    }

    /// SQLite's own check of the file (`integrity_check`, or the faster `quick_check`): the problems it names, at most
    /// 100; empty when the file is sound.
    public func integrityProblems(quick: Bool) throws -> [String] {
        var problems: [String] = []
        try db.query(quick ? "PRAGMA quick_check(100)" : "PRAGMA integrity_check(100)") { s in
            let line = s.text(0)
            if line != "ok" { problems.append(line) }
        }
        return problems
    }

    private static let sealColumns =
        "id, case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload, hash, state"

    /// Checks one case's chain of seals against its events, its last seal and its current state, one event at a time
    /// (memory does not grow with the case's log).
    public func verifySeals(of caseId: String) throws -> SealProblem? {
        var chain = SealChain(caseId: caseId)
        let sql = """
            WITH RECURSIVE chain(id) AS (
                SELECT last_event_id FROM cases WHERE id=?1
                UNION ALL SELECT e.prev_id FROM events e JOIN chain ON e.id = chain.id WHERE e.prev_id IS NOT NULL)
            SELECT \(Self.sealColumns) FROM events WHERE id IN (SELECT id FROM chain) ORDER BY seq
            """
        try db.query(sql, [.text(caseId)]) { chain.add(Statement.Row($0, count: 12)) }
        return try finish(chain)
    }

    /// Checks every case's chain; returns every case that does not verify (the first problem of each).
    public func verifyAllSeals(progress: (Int) -> Void = { _ in }) throws -> (cases: Int, problems: [SealProblem]) {
        var problems: [SealProblem] = []
        var chain: SealChain?
        var cases = 0
        func finishCase() throws {
            guard let done = chain else { return }
            cases += 1
            if cases % 1000 == 0 { progress(cases) }
            if let p = try finish(done) { problems.append(p) }
        }
        try db.query("SELECT \(Self.sealColumns) FROM events ORDER BY case_id, seq") { s in
            let row = Statement.Row(s, count: 12)
            if row.text(1) != chain?.caseId {
                try finishCase()
                chain = SealChain(caseId: row.text(1))
            }
            chain?.add(row)
        }
        try finishCase()
        // A case whose events are all gone (and that left no tombstone): its last event is missing. (By the last
        // event's id, not by case_id: events have no index on case_id, so that would read the log once per case.)
        var orphans: [String] = []
        try db.query(
            """
            SELECT id FROM cases c WHERE c.last_event_id IS NULL
                OR NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.last_event_id AND e.case_id = c.id)
            """
        ) {
            orphans.append($0.text(0))
        }
        problems += orphans.map { SealProblem(caseId: $0, sequence: nil, reason: "its events are gone") }
        return (cases, problems)
    }

    /// A case's seals checked as its events come, in order: only the running seal and the last state are kept.
    struct SealChain {
        let caseId: String
        var count = 0
        var seal: String?
        var lastState: String?
        var problem: SealProblem?

        init(caseId: String) { self.caseId = caseId }

        mutating func add(_ r: Statement.Row) {
            guard problem == nil else { return }
            count += 1
            let seq = Int(r.int(2))
            guard seq == count else {
                problem = SealProblem(caseId: caseId, sequence: count, reason: "the event is missing")
                return
            }
            let values: [SQLValue] = [
                .text(r.text(1)), .int(r.int(2)), .null, .int(r.int(4)), .text(r.text(5)), .text(r.text(6)),
                .text(r.optionalText(7)), .text(r.text(8)), .text(r.text(9)),
            ]
            let expected = EventSeal.chain(seal, EventSeal.digest(values, state: r.optionalText(11) ?? ""))
            guard r.optionalText(10) == expected else {
                problem = SealProblem(
                    caseId: caseId, sequence: seq, reason: "its content does not match its seal; it was altered")
                return
            }
            seal = expected
            lastState = r.optionalText(11)
        }
    }

    /// The end of a chain: the case's last seal and its state must match the log's last event.
    private func finish(_ chain: SealChain) throws -> SealProblem? {
        if let problem = chain.problem { return problem }
        let caseId = chain.caseId
        guard let record = try loadCase(caseId) else {
            return chain.count == 0
                ? nil : SealProblem(caseId: caseId, sequence: nil, reason: "its events have no case")
        }
        var last: String?
        try db.query("SELECT last_hash FROM cases WHERE id=?", [.text(caseId)]) { last = $0.optionalText(0) }
        guard last == chain.seal else {
            return SealProblem(
                caseId: caseId, sequence: chain.count,
                reason: "the case's last seal does not match its log; events were removed or added")
        }
        guard let state = chain.lastState, state == EventSeal.stateDigest(record) else {
            return SealProblem(
                caseId: caseId, sequence: nil,
                reason: "its state (projection or timers) does not match the log's event \(chain.count); it was altered"
            )
        }
        return nil
    }
}
