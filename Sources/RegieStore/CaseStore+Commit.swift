public import RegieCore

/// Writing decisions: events, the projection, timers and outbox rows in the caller's transaction.
extension CaseStore {
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
            let sql: StaticString = "SELECT seq, last_event_id, last_hash FROM cases WHERE id=?"
            try db.query(sql, [.text(record.id)]) {
                current = ($0.int(0), $0.optionalInt(1), $0.optionalText(2))
            }
            guard let current, current.seq == Int64(previous.sequence) else { throw StoreError.staleCase(record.id) }
            (lastEvent, lastSeal) = (current.last, current.seal)
        }
        let insert: StaticString =
            "INSERT INTO events(case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload, hash, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        let insertEvent = try db.statement(insert)
        if !p.events.isEmpty { try advanceClockIfPending() }
        // The prepared rows are bound as they are, and the writer's own values (the chain link, the seal, the state)
        // bound over and after them: no row is copied.
        for (values, digest) in zip(p.events, p.digests) {
            let seal = EventSeal.chain(lastSeal, digest)
            try insertEvent.bind(values)
            try insertEvent.bind(.int(lastEvent), at: 3)
            try insertEvent.bind(.text(seal), at: 10)
            try insertEvent.bind(.text(p.state), at: 11)
            try insertEvent.runBound()
            lastEvent = db.lastInsertID
            lastSeal = seal
        }
        if p.previous != nil {
            let statement = try projectionStatement(p.projectionMask)
            let n = Int32(p.projection.count)
            try statement.bind(p.projection)
            try statement.bind(.int(lastEvent), at: n + 1)
            try statement.bind(.text(lastSeal), at: n + 2)
            try statement.bind(.text(record.id), at: n + 3)
            try statement.runBound()
        } else {
            try db.run(
                "INSERT INTO cases(\(Self.caseColumns), last_event_id, last_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                p.projection + [.int(lastEvent), .text(lastSeal)])
        }
        try applyTimerChanges(&record, previous: p.previous?.timers ?? [])
        try syncClients(record, previous: p.previous)
        try syncPartners(record, previous: p.previous)
        // Counted once per transaction: a group's thousand commits mostly count the same few rows.
        for (key, n) in p.monitor {
            db.tally(
                "INSERT INTO monitor(month, workflow, municipality, figure, category, days, n) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(month, workflow, municipality, figure, category, days) DO UPDATE SET n = n + excluded.n",
                key, by: n)
        }
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
    func syncClients(_ record: CaseRecord, previous: CaseRecord?) throws {
        // The clients follow from the members and the client key alone (`clients(of:)`): most commits change neither.
        if let previous, previous.clientKey == record.clientKey, previous.details.members == record.details.members {
            return
        }
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

    /// Keeps `case_partners` in step with the regiehouder and the participants, in the same transaction.
    func syncPartners(_ record: CaseRecord, previous: CaseRecord?) throws {
        if let previous, previous.regie.partner == record.regie.partner, previous.participants == record.participants {
            return
        }
        let now = Set(record.partners.map(\.partner))
        let before = Set(previous?.partners.map(\.partner) ?? [])
        for partner in before.subtracting(now) {
            try db.run(
                "DELETE FROM case_partners WHERE partner=? AND case_id=?", [.text(partner), .text(record.id)])
        }
        for partner in now.subtracting(before) {
            try db.run(
                "INSERT OR IGNORE INTO case_partners(partner, case_id) VALUES (?, ?)",
                [.text(partner), .text(record.id)])
        }
    }

    /// The UPDATE for one combination of changed projection columns, prepared once.
    func projectionStatement(_ mask: Int) throws -> Statement {
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
    ///
    /// A case has a handful of timers, so the rows not yet matched are a short list searched in order, not a
    /// dictionary; and `record` is changed only where a row's id is new to it.
    func applyTimerChanges(_ record: inout CaseRecord, previous: [TimerRecord]) throws {
        var old = previous.filter { $0.id != nil }
        func take(_ id: Int64) -> TimerRecord? { old.firstIndex { $0.id == id }.map { old.remove(at: $0) } }
        let timers = record.timers
        for t in timers {
            guard let id = t.id, let before = take(id) else { continue }
            if before.dueAt != t.dueAt || before.pausedAt != t.pausedAt {
                let move: StaticString = "UPDATE timers SET due_at=?, paused_at=? WHERE id=?"
                try db.run(move, [.int(t.dueAt.milliseconds), .int(t.pausedAt?.milliseconds), .int(id)])
            }
        }
        for (i, t) in timers.enumerated() where t.id == nil {
            if let j = old.firstIndex(where: { $0.sameTimer(as: t) && $0.kind == t.kind && $0.event == t.event }),
                let id = old.remove(at: j).id
            {
                // The same timer started afresh (a state re-entered): reuse its row.
                let restart: StaticString =
                    "UPDATE timers SET due_at=?, started_at=?, owner_state=?, owner_level=?, paused_at=? WHERE id=?"
                try db.run(
                    restart,
                    [
                        .int(t.dueAt.milliseconds), .int(t.startedAt.milliseconds), .text(t.ownerState),
                        .int(Int64(t.ownerLevel)), .int(t.pausedAt?.milliseconds), .int(id),
                    ])
                record.timers[i].id = id
            } else {
                let insert: StaticString =
                    "INSERT INTO timers(case_id, name, kind, event, due_at, started_at, owner_state, owner_level, subject, paused_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                try db.run(
                    insert,
                    [
                        .text(record.id), .text(t.name), .text(t.kind.rawValue), .text(t.event),
                        .int(t.dueAt.milliseconds), .int(t.startedAt.milliseconds), .text(t.ownerState),
                        .int(Int64(t.ownerLevel)), .text(t.subject), .int(t.pausedAt?.milliseconds),
                    ])
                record.timers[i].id = db.lastInsertID
            }
        }
        let delete: StaticString = "DELETE FROM timers WHERE id=?"
        for t in old { try db.run(delete, [.int(t.id)]) }
    }
}
