/// Decides what a command or a timer does to a case. Pure: no I/O, time is passed in.
public struct StateMachine: Sendable {
    /// Built-in events every workflow has: suspension, resumption and extension of deadlines.
    public static let builtInEvents: [String: String] = [
        "opschorten": "suspend the case: its timers pause (requires --motivation)",
        "hervatten": "lift the suspension: deadlines shift by the suspended working days",
        "verlengen": "extend a deadline by N working days (requires --timer, --days, --motivation)",
    ]
    /// Events the engine records itself; they cannot be fired by a command.
    public static let systemEvents: Set<String> = ["geopend", "herinnering", "timer-vervallen"]
    /// Roles that may suspend, resume and extend.
    public static let controlRoles: Set<Role> = [.regiehouder, .procesregisseur, .ketenregisseur]

    public let workflow: Workflow
    public let calendar: DutchCalendar
    /// Partners holding a region-wide mandate role (procesregisseur, ketenregisseur, bestuurlijk).
    public let mandates: [Role: Set<String>]
    /// The transition for each event and state, indexed once: commands are decided without scanning the workflow.
    private let transitions: [String: [String: TransitionDefinition]]

    /// Creates a state machine for one workflow version.
    public init(workflow: Workflow, calendar: DutchCalendar, mandates: [Role: Set<String>] = [:]) {
        self.workflow = workflow
        self.calendar = calendar
        self.mandates = mandates
        var index: [String: [String: TransitionDefinition]] = [:]
        for t in workflow.transitions {
            for state in t.from where index[t.event]?[state] == nil { index[t.event, default: [:]][state] = t }
        }
        transitions = index
    }

    // MARK: Opening

    /// Opens a case in the workflow's initial state with its regiehouder.
    /// - Throws: `Refusal` when regie would be empty or the opener is not allowed.
    public func open(
        id: String, regie: RegieHolder, actor: Actor, clientKey: String?, now: Instant
    ) throws(Refusal) -> Decision {
        guard !regie.partner.isEmpty else {
            throw Refusal(.regieEmpty, "a case needs a regiehouder from the start; name the partner with --regie")
        }
        guard actor.role != .systeem else { throw Refusal(.wrongRole, "role systeem is for timers only") }
        let initial = workflow.initialState
        var participants: [Participant] = []
        if actor.partner != regie.partner {
            guard actor.role != .regiehouder else {
                throw Refusal(
                    .wrongRole,
                    "\(actor.partner) opens the case as regiehouder, but regie goes to \(regie.partner); act as \(regie.partner) or with another role"
                )
            }
            participants.append(Participant(partner: actor.partner, role: actor.role))
        }
        var record = CaseRecord(
            id: id, workflow: workflow.name, version: workflow.version, state: initial.name, regie: regie,
            participants: participants, level: 0, clientKey: clientKey, suspendedAt: nil, sequence: 1, openedAt: now,
            updatedAt: now, lastActivityAt: now, closedAt: nil, timers: [])
        record.timers = initial.timers.flatMap { startTimer($0, owner: initial.name, now: now, paused: false) }
        var payload = JSONObject(pairs: [
            "workflow": .string(workflow.name), "version": .int(Int64(workflow.version)),
            "state": .string(initial.name),
            "regie": .string(regie.partner),
        ])
        if let contact = regie.contact { payload["contact"] = .string(contact) }
        if clientKey != nil { payload["clientKey"] = true }
        let event = CaseEvent(
            caseId: id, sequence: 1, at: now, event: "geopend", actor: actor, payload: .object(payload))
        let note = Notification(
            caseId: id, sequence: 1, topic: "case.opened", recipients: recipients([.all], record, nil),
            event: "geopend", level: 0)
        return Decision(record: record, events: [event], notifications: [note])
    }

    // MARK: Commands

    /// Applies a command to a case.
    /// - Returns: the case after the command, and what to append and send.
    /// - Throws: `Refusal` with the rule that forbids it; the case is then unchanged.
    public func apply(_ command: CaseCommand, to record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        if let expected = command.expectedSequence, expected != record.sequence {
            throw Refusal(
                .staleSequence,
                "case \(record.id) is at sequence \(record.sequence), not \(expected): it changed since you read it; read it again and retry"
            )
        }
        if record.closedAt != nil {
            throw Refusal(
                .caseClosed, "case \(record.id) is closed (state \(record.state)); nothing can be fired on it")
        }
        if command.actor.role == .systeem {
            throw Refusal(.wrongRole, "role systeem is for timers only; act as a partner in a role (\(Role.names))")
        }
        if Self.systemEvents.contains(command.event) {
            throw Refusal(.unknownEvent, "\"\(command.event)\" is recorded by Regie itself and cannot be fired")
        }
        if Self.builtInEvents[command.event] != nil {
            return try applyBuiltIn(command, to: record, now: now)
        }
        guard let byState = transitions[command.event] else {
            let hint = closest(command.event, in: Array(transitions.keys)).map { "did you mean \"\($0)\"? " } ?? ""
            throw Refusal(
                .unknownEvent,
                "workflow \(workflow.name) has no event \"\(command.event)\"; \(hint)allowed in state \(record.state): \(allowedEvents(in: record.state).joined(separator: ", "))"
            )
        }
        guard let transition = byState[record.state] else {
            throw Refusal(
                .wrongState,
                "\"\(command.event)\" is not allowed in state \(record.state); allowed here: \(allowedEvents(in: record.state).joined(separator: ", "))"
            )
        }
        guard transition.roles.contains(command.actor.role) else {
            let roles = transition.roles.sorted().map(\.rawValue).joined(separator: ", ")
            throw Refusal(
                .wrongRole,
                "role \(command.actor.role.rawValue) may not fire \"\(command.event)\"; allowed roles: \(roles)")
        }
        try checkHolds(command.actor, in: record)
        for req in Requirement.allCases where transition.requires.contains(req) {
            let value: String? = req == .motivation ? command.motivation : req == .note ? command.note : command.target
            if value?.trimmingSpaces.isEmpty ?? true {
                throw Refusal(
                    .missingRequirement, "\"\(command.event)\" requires a \(req.rawValue) (--\(req.rawValue))")
            }
        }
        return try run(transition, command: command, record: record, now: now, extra: [])
    }

    /// The events a person may fire in a state, workflow events first, then the built-in ones.
    public func allowedEvents(in state: String) -> [String] {
        let own = workflow.transitions.filter { $0.from.contains(state) && $0.roles != [.systeem] }.map(\.event)
        var seen = Set<String>()
        return (own + Self.builtInEvents.keys.sorted()).filter { seen.insert($0).inserted }
    }

    private func checkHolds(_ actor: Actor, in record: CaseRecord) throws(Refusal) {
        let holds: Bool
        switch actor.role {
        case .regiehouder: holds = actor.partner == record.regie.partner
        case .systeem: holds = false
        default:
            holds =
                record.participants.contains(Participant(partner: actor.partner, role: actor.role))
                || (mandates[actor.role]?.contains(actor.partner) ?? false)
        }
        if !holds {
            let theirs = record.partners.filter { $0.partner == actor.partner }.map(\.role.rawValue)
            let hint =
                theirs.isEmpty
                ? "it does not take part in this case" : "its role here: \(theirs.joined(separator: ", "))"
            throw Refusal(
                .notInCase, "\(actor.partner) does not hold role \(actor.role.rawValue) in case \(record.id); \(hint)")
        }
    }

    // MARK: Transitions

    private func run(
        _ transition: TransitionDefinition, command: CaseCommand, record old: CaseRecord, now: Instant,
        extra: [JSONObject.Member]
    ) throws(Refusal) -> Decision {
        var record = old
        let sequence = old.sequence + 1
        var payload = JSONObject(pairs: ["from": .string(old.state)])
        var notifications: [Notification] = []
        for effect in transition.effects {
            switch effect {
            case .assignRegie:
                let target = try validTarget(command)
                guard target != record.regie.partner else {
                    throw Refusal(.invalidTarget, "\(target) already holds regie in case \(record.id)")
                }
                record.participants.removeAll { $0.partner == target && $0.role == .betrokken }
                let previous = Participant(partner: record.regie.partner, role: .betrokken)
                if !record.participants.contains(previous) { record.participants.append(previous) }
                record.regie = RegieHolder(partner: target, contact: nil)
                payload["regie"] = .string(target)
            case .addPartner(let role):
                let target = try validTarget(command)
                let p = Participant(partner: target, role: role)
                if !record.participants.contains(p) { record.participants.append(p) }
                payload["added"] = .string("\(target):\(role.rawValue)")
            case .removePartner:
                let target = try validTarget(command)
                guard target != record.regie.partner else {
                    throw Refusal(
                        .regieEmpty,
                        "\(target) holds regie in case \(record.id) and cannot leave it; hand regie over first, so regie is never empty"
                    )
                }
                guard record.participants.contains(where: { $0.partner == target }) else {
                    throw Refusal(.invalidTarget, "\(target) does not take part in case \(record.id)")
                }
                record.participants.removeAll { $0.partner == target }
                payload["removed"] = .string(target)
            case .startTimer(let name):
                if let def = workflow.timer(name) {
                    record.timers.removeAll { $0.name == name }
                    record.timers += startTimer(def, owner: nil, now: now, paused: record.suspended)
                }
            case .cancelTimer(let name):
                record.timers.removeAll { $0.name == name }
            case .raiseLevel:
                record.level = min(record.level + 1, 3)
                payload["level"] = .int(Int64(record.level))
            case .setLevel(let level):
                record.level = level
                payload["level"] = .int(Int64(level))
            case .notify(let topic, let to):
                notifications.append(
                    Notification(
                        caseId: record.id, sequence: sequence, topic: topic,
                        recipients: recipients(to, record, command.target), event: transition.event, level: record.level
                    ))
            }
        }
        if let to = transition.to {
            // Leaving (or re-entering) a state cancels its timers; entering starts them afresh.
            record.timers.removeAll { $0.ownerState == old.state }
            record.state = to
            if let def = workflow.state(to) {
                record.timers += def.timers.flatMap { startTimer($0, owner: to, now: now, paused: record.suspended) }
                if def.final {
                    record.closedAt = now
                    record.timers.removeAll()
                    record.suspendedAt = nil
                }
            }
        }
        payload["to"] = .string(record.state)
        if let note = command.note { payload["note"] = .string(note) }
        if let target = command.target { payload["target"] = .string(target) }
        if let motivation = command.motivation { payload["motivation"] = .string(motivation) }
        payload.members += extra
        record.sequence = sequence
        record.updatedAt = now
        if command.actor.role != .systeem { record.lastActivityAt = now }
        let event = CaseEvent(
            caseId: record.id, sequence: sequence, at: now, event: transition.event, actor: command.actor,
            payload: .object(payload))
        if record.state != old.state || record.level != old.level || record.regie != old.regie {
            notifications.append(
                Notification(
                    caseId: record.id, sequence: sequence, topic: "case.changed",
                    recipients: recipients([.all], record, nil), event: transition.event, level: record.level))
        }
        return Decision(record: record, events: [event], notifications: notifications)
    }

    private func validTarget(_ command: CaseCommand) throws(Refusal) -> String {
        guard let target = command.target?.trimmingSpaces, !target.isEmpty else {
            throw Refusal(.missingRequirement, "\"\(command.event)\" requires a target partner (--target)")
        }
        return target
    }

    private func recipients(_ audience: [Audience], _ record: CaseRecord, _ target: String?) -> [String] {
        var out: [String] = []
        func add(_ p: String) { if !out.contains(p) { out.append(p) } }
        for a in audience {
            switch a {
            case .all: record.partners.forEach { add($0.partner) }
            case .target: if let target { add(target) }
            case .role(.regiehouder): add(record.regie.partner)
            case .role(let role):
                record.participants.filter { $0.role == role }.forEach { add($0.partner) }
                mandates[role]?.sorted().forEach { add($0) }
            }
        }
        return out
    }

    // MARK: Timers

    /// The timer rows for a definition: the deadline and its reminders still in the future.
    func startTimer(_ def: TimerDefinition, owner: String?, now: Instant, paused: Bool) -> [TimerRecord] {
        let due = calendar.deadline(after: def.duration, from: now, statutory: def.statutory)
        let deadline = TimerRecord(
            name: def.name, kind: .deadline, event: def.fires, dueAt: due, startedAt: now, ownerState: owner,
            paused: paused)
        return [deadline] + reminders(for: deadline, def, now: now)
    }

    private func reminders(for deadline: TimerRecord, _ def: TimerDefinition, now: Instant) -> [TimerRecord] {
        def.reminders.compactMap { before in
            let at = calendar.reminder(before, ahead: deadline.dueAt)
            guard at > now else { return nil }
            return TimerRecord(
                name: def.name, kind: .reminder, event: "herinnering", dueAt: at, startedAt: now,
                ownerState: deadline.ownerState, paused: deadline.paused)
        }
    }

    /// Fires a due timer of a case, if it is still running and not paused.
    /// - Returns: the decision, or nil when the timer is gone or paused (then nothing happens).
    public func fire(timerID: Int64, of record: CaseRecord, now: Instant) -> Decision? {
        guard let timer = record.timers.first(where: { $0.id == timerID }), !timer.paused, record.closedAt == nil else {
            return nil
        }
        var base = record
        base.timers.removeAll { $0.id == timerID }
        let lateness = max(0, now.milliseconds - timer.dueAt.milliseconds)
        let details: [JSONObject.Member] = [
            .init(key: "timer", value: .string(timer.name)), .init(key: "dueAt", value: .string(timer.dueAt.iso8601)),
            .init(key: "latenessMs", value: .int(lateness)),
        ]
        let sequence = record.sequence + 1
        if timer.kind == .reminder {
            let deadline = record.timers.first { $0.name == timer.name && $0.kind == .deadline }
            var payload = JSONObject(details)
            if let deadline { payload["deadline"] = .string(deadline.dueAt.iso8601) }
            base.sequence = sequence
            base.updatedAt = now
            let event = CaseEvent(
                caseId: record.id, sequence: sequence, at: now, event: "herinnering", actor: .system,
                payload: .object(payload))
            let note = Notification(
                caseId: record.id, sequence: sequence, topic: "deadline.reminder", recipients: [record.regie.partner],
                event: "herinnering", level: record.level)
            return Decision(record: base, events: [event], notifications: [note])
        }
        base.timers.removeAll { $0.name == timer.name && $0.kind == .reminder }
        let command = CaseCommand(event: timer.event, actor: .system)
        if let transition = transitions[timer.event]?[record.state], transition.roles.contains(.systeem),
            let decision = try? run(transition, command: command, record: base, now: now, extra: details)
        {
            return decision
        }
        // The timer's event no longer applies here (a transition timer outlived its purpose): record that it lapsed.
        base.sequence = sequence
        base.updatedAt = now
        let event = CaseEvent(
            caseId: record.id, sequence: sequence, at: now, event: "timer-vervallen", actor: .system,
            payload: .object(JSONObject(details)))
        return Decision(record: base, events: [event], notifications: [])
    }

    // MARK: Suspension and extension

    private func applyBuiltIn(_ command: CaseCommand, to record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        guard Self.controlRoles.contains(command.actor.role) else {
            let roles = Self.controlRoles.sorted().map(\.rawValue).joined(separator: ", ")
            throw Refusal(
                .wrongRole,
                "role \(command.actor.role.rawValue) may not fire \"\(command.event)\"; allowed roles: \(roles)")
        }
        try checkHolds(command.actor, in: record)
        var next = record
        var payload = JSONObject()
        switch command.event {
        case "opschorten":
            guard record.suspendedAt == nil else {
                throw Refusal(.wrongState, "case \(record.id) is already suspended; lift it with hervatten")
            }
            guard let motivation = command.motivation, !motivation.trimmingSpaces.isEmpty else {
                throw Refusal(.missingRequirement, "\"opschorten\" requires a motivation (--motivation)")
            }
            next.suspendedAt = now
            for i in next.timers.indices { next.timers[i].paused = true }
            payload["motivation"] = .string(motivation)
        case "hervatten":
            guard let since = record.suspendedAt else {
                throw Refusal(.wrongState, "case \(record.id) is not suspended")
            }
            let days = calendar.workingDaysBetween(since, now)
            next.suspendedAt = nil
            next.timers = shiftTimers(
                record.timers, workingDays: days, calendarMs: now.milliseconds - since.milliseconds, now: now,
                unpause: true)
            payload["suspendedSince"] = .string(since.iso8601)
            payload["workingDays"] = .int(Int64(days))
        default:
            guard let name = command.timer, !name.isEmpty else {
                throw Refusal(
                    .missingRequirement,
                    "\"verlengen\" requires the timer to extend (--timer); running: \(record.timers.filter { $0.kind == .deadline }.map(\.name).joined(separator: ", "))"
                )
            }
            guard let days = command.days, days > 0, days <= 365 else {
                throw Refusal(
                    .missingRequirement, "\"verlengen\" requires a number of working days from 1 to 365 (--days)")
            }
            guard let motivation = command.motivation, !motivation.trimmingSpaces.isEmpty else {
                throw Refusal(.missingRequirement, "\"verlengen\" requires a reason (--motivation)")
            }
            guard let old = record.timers.first(where: { $0.name == name && $0.kind == .deadline }) else {
                throw Refusal(
                    .invalidArgument,
                    "case \(record.id) has no running timer \"\(name)\"; running: \(record.timers.filter { $0.kind == .deadline }.map(\.name).joined(separator: ", "))"
                )
            }
            let others = record.timers.filter { $0.name != name }
            let mine = record.timers.filter { $0.name == name }
            next.timers = others + shiftTimers(mine, workingDays: days, calendarMs: nil, now: now, unpause: false)
            payload["timer"] = .string(name)
            payload["days"] = .int(Int64(days))
            payload["from"] = .string(old.dueAt.iso8601)
            payload["to"] = .string(next.timers.first { $0.name == name && $0.kind == .deadline }?.dueAt.iso8601 ?? "")
            payload["motivation"] = .string(motivation)
        }
        if let note = command.note { payload["note"] = .string(note) }
        next.sequence = record.sequence + 1
        next.updatedAt = now
        next.lastActivityAt = now
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: command.event, actor: command.actor,
            payload: .object(payload))
        return Decision(record: next, events: [event], notifications: [])
    }

    /// Shifts deadlines (working-day and statutory ones by working days, others by calendar time) and rebuilds
    /// their reminders from the new deadlines.
    private func shiftTimers(_ timers: [TimerRecord], workingDays: Int, calendarMs: Int64?, now: Instant, unpause: Bool)
        -> [TimerRecord]
    {
        var out: [TimerRecord] = []
        for var t in timers where t.kind == .deadline {
            let def = workflow.timer(t.name)
            let byWorkingDays: Bool
            switch def?.duration {
            case .workingDays: byWorkingDays = true
            default: byWorkingDays = def?.statutory ?? true
            }
            if byWorkingDays || calendarMs == nil {
                t.dueAt = calendar.shifting(t.dueAt, byWorkingDays: workingDays)
            } else if let ms = calendarMs {
                t.dueAt = Instant(milliseconds: t.dueAt.milliseconds + ms)
            }
            if unpause { t.paused = false }
            out.append(t)
            if let def {
                var fresh = reminders(for: t, def, now: now)
                for i in fresh.indices { fresh[i].startedAt = t.startedAt }
                out += fresh
            }
        }
        return out
    }
}
