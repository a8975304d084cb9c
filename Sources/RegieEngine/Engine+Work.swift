public import RegieCore

/// Who must act now: the work of a person's organisation, and the escalation board, as the workspace and the partner
/// API show them. Both are read through the same need-to-know rules as any read of a case (`visibleCases`).
extension Engine {
    /// One thing an organisation must do in a case.
    public struct WorkItem: Sendable {
        public enum Kind: String, Sendable, CaseIterable {
            /// Decide on an escalation at a level the organisation owns.
            case escalation
            /// Accept (or refuse) a handover offered to it, or meet for one it accepted.
            case handover
            /// Carry out an opdracht given to it.
            case opdracht
            /// Take the next step in a case it holds regie on.
            case regie
        }

        public var kind: Kind
        public var record: CaseRecord
        public var access: CaseAccess
        /// The deadline this work runs against, and what the workflow calls it.
        public var due: Instant?
        public var dueLabel: String?
        /// What must be done, in Dutch.
        public var task: String
    }

    /// What `person`'s organisation must do, in the roles the person holds, most urgent first: escalations at a
    /// level it owns (for a procesregisseur, ketenregisseur or bestuurlijk person), handovers offered to it,
    /// opdrachten it carries, and the cases it holds regie on with their next deadline (for a casusregisseur).
    public func work(for person: Person) throws(EngineError) -> [WorkItem] {
        let partner = person.partner
        let casework = person.mayAct(as: .regiehouder)
        var items: [WorkItem] = []
        for (r, access) in try visibleCases(to: partner, state: nil, level: nil, workflow: nil, stalled: false) {
            let running = r.timers.filter { !$0.paused }
            func timer(_ name: String?) -> TimerRecord? { running.first { $0.name == name } }
            if r.level > 0, let level = config.level(r.level), person.mayAct(as: level.owner),
                levelOwners(of: r).contains(partner)
            {
                let t = timer(StateMachine.levelTimer)
                items.append(
                    WorkItem(
                        kind: .escalation, record: r, access: access, due: t?.dueAt, dueLabel: t?.label,
                        task: "Besluiten op de escalatie (niveau \(r.level), \(level.name))"))
            }
            guard casework else { continue }
            if let h = r.details.handover, h.to == partner {
                let t = timer(h.timer)
                let task =
                    h.acceptedAt == nil
                    ? "Overdracht aannemen of weigeren (aangeboden door \(config.partner(h.from)?.name ?? h.from))"
                    : "Kennismaken met de cliënt en de regie overnemen (warme overdracht)"
                items.append(
                    WorkItem(kind: .handover, record: r, access: access, due: t?.dueAt, dueLabel: t?.label, task: task))
            }
            for o in r.details.opdrachten where o.partner == partner {
                let t = timer(o.timer)
                items.append(
                    WorkItem(
                        kind: .opdracht, record: r, access: access, due: t?.dueAt, dueLabel: t?.label,
                        task: "Opdracht uitvoeren" + (o.text.map { ": \($0)" } ?? "")))
            }
            if r.regie.partner == partner {
                let next = running.filter { $0.kind == .deadline }.min { $0.dueAt < $1.dueAt }
                items.append(
                    WorkItem(
                        kind: .regie, record: r, access: access, due: next?.dueAt, dueLabel: next?.label,
                        task: "Regie voeren: de volgende stap zetten"))
            }
        }
        return items.sorted { Self.earliestFirst(($0.due, $0.record.id), ($1.due, $1.record.id)) }
    }

    /// A case on the escalation board of a level's owner.
    public struct BoardItem: Sendable {
        public var record: CaseRecord
        public var access: CaseAccess
        /// The level's deadline (or the earliest running deadline).
        public var due: Instant?
        /// Whom the case waits for: the owners of its level.
        public var owners: [String]
    }

    /// The escalated cases (levels 1 to 3) whose current level `partner` owns, earliest deadline first.
    public func escalationBoard(for partner: String) throws(EngineError) -> [BoardItem] {
        // One read of the partner's cases, the levels told apart here: a read per level would read them thrice.
        let escalated = try visibleCases(to: partner, state: nil, level: nil, workflow: nil, stalled: false).filter {
            $0.0.level > 0
        }
        var items: [BoardItem] = []
        for (r, access) in escalated {
            let owners = levelOwners(of: r)
            guard owners.contains(partner) else { continue }
            items.append(BoardItem(record: r, access: access, due: Self.levelDeadline(of: r), owners: owners))
        }
        return items.sorted { Self.earliestFirst(($0.due, $0.record.id), ($1.due, $1.record.id)) }
    }

    /// The stalled cases at level 0 that would come to `partner` if they were escalated now: the level-1 queue that
    /// is coming. Each waits for its regiehouder.
    public func comingEscalations(for partner: String) throws(EngineError) -> [BoardItem] {
        guard let first = config.level(1) else { return [] }
        var items: [BoardItem] = []
        for (r, access) in try visibleCases(to: partner, state: nil, level: 0, workflow: nil, stalled: true) {
            guard let machine = try? machine(for: r.workflow, version: r.version),
                machine.holders(of: first.owner, in: r).contains(partner)
            else { continue }
            let next = r.timers.filter { !$0.paused && $0.kind == .deadline }.map(\.dueAt).min()
            items.append(BoardItem(record: r, access: access, due: next, owners: [r.regie.partner]))
        }
        return items.sorted { Self.earliestFirst(($0.due, $0.record.id), ($1.due, $1.record.id)) }
    }

    static func levelDeadline(of r: CaseRecord) -> Instant? {
        let deadlines = r.timers.filter { $0.kind == .deadline && !$0.paused }
        return deadlines.first { $0.name == StateMachine.levelTimer }?.dueAt ?? deadlines.map(\.dueAt).min()
    }

    /// Earliest deadline first, then by case; what has no deadline comes last.
    static func earliestFirst(_ a: (due: Instant?, id: String), _ b: (due: Instant?, id: String)) -> Bool {
        switch (a.due, b.due) {
        case (let x?, let y?): return (x, a.id) < (y, b.id)
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a.id < b.id
        }
    }
}
