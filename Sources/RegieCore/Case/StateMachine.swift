/// Decides what a command or a timer does to a case. Pure: no I/O, time is passed in.
public struct StateMachine: Sendable {
    /// Built-in events every workflow has: suspension, resumption and extension of deadlines.
    public static let builtInEvents: [String: String] = [
        "opschorten": "suspend the case: its timers pause (requires --motivation)",
        "hervatten": "lift the suspension: deadlines shift by the suspended working days",
        "verlengen": "extend a deadline by N working days (requires --timer, --days, --motivation)",
    ]
    /// Events the engine records itself; they cannot be fired by a command.
    public static let systemEvents: Set<String> = [
        "geopend", "herinnering", "timer-vervallen", "gekoppeld", levelTimerEvent,
    ]
    /// Roles that may suspend, resume and extend.
    public static let controlRoles: Set<Role> = [.regiehouder, .procesregisseur, .ketenregisseur]
    /// The timer every escalated case runs: its level's response deadline from the ladder.
    public static let levelTimer = "niveau-termijn"
    /// What a missed level deadline records: the case goes one level up, and the next owner is told.
    public static let levelTimerEvent = "niveau-termijn-verstreken"

    public let workflow: Workflow
    /// The region: its calendar, mandates, ladder, windows and VSO schedules.
    public let region: RegionConfig
    /// The transition for each event and state, indexed once: commands are decided without scanning the workflow.
    private let transitions: [String: [String: TransitionDefinition]]
    /// The events a person may fire in each state, indexed once (the partner API lists them on every read).
    private let allowed: [String: [String]]
    private static let builtInEventNames = builtInEvents.keys.sorted()

    /// The working-day calendar.
    public var calendar: DutchCalendar { region.calendar }

    /// Creates a state machine for one workflow version in a region.
    public init(workflow: Workflow, region: RegionConfig) {
        self.workflow = workflow
        self.region = region
        var index: [String: [String: TransitionDefinition]] = [:]
        for t in workflow.transitions {
            for state in t.from where index[t.event]?[state] == nil { index[t.event, default: [:]][state] = t }
        }
        transitions = index
        var own: [String: [String]] = [:]
        for t in workflow.transitions where t.roles != [.systeem] {
            for state in t.from where !(own[state]?.contains(t.event) ?? false) {
                own[state, default: []].append(t.event)
            }
        }
        allowed = own.mapValues { events in events + Self.builtInEventNames.filter { !events.contains($0) } }
    }

    /// Creates a state machine with a calendar and mandates and otherwise the defaults of DOMAIN.md.
    public init(workflow: Workflow, calendar: DutchCalendar, mandates: [Role: Set<String>] = [:]) {
        var region = RegionConfig()
        region.calendar = calendar
        region.mandates = mandates
        self.init(workflow: workflow, region: region)
    }

    /// The highest level of the ladder.
    public var topLevel: Int { region.ladder.map(\.level).max() ?? 3 }

    // MARK: Opening

    /// Opens a case in the workflow's initial state with its regiehouder.
    /// - Parameters:
    ///   - fields: the opening fields the workflow declares.
    ///   - municipality: the responsible municipality, whose procesregisseur owns level 1.
    ///   - linkedFrom: the case this one is opened from.
    /// - Throws: `Refusal` when regie would be empty, the opener is not allowed or a field is wrong.
    public func open(
        id: String, regie: RegieHolder, actor: Actor, clientKey: String?, now: Instant, fields: [String: String] = [:],
        municipality: String? = nil, linkedFrom: CaseLink? = nil, newCaseID: () -> String = { "" }
    ) throws(Refusal) -> Decision {
        guard !regie.partner.isEmpty else {
            throw Refusal(.regieEmpty, "a case needs a regiehouder from the start; name the partner with --regie")
        }
        guard actor.role != .systeem else { throw Refusal(.wrongRole, "role systeem is for timers only") }
        try Self.checkFields(
            workflow.opening.fields, fields, for: "opening a \(workflow.name) case", region: region,
            passOn: linkedFrom != nil)
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
        var details = CaseDetails(municipality: municipality)
        for f in workflow.opening.fields { details.fields[f.name] = fields[f.name] }
        if let linkedFrom { details.links = [linkedFrom] }
        if let f = workflow.opening.fields.first(where: { $0.kind == .basisteam }), let team = fields[f.name],
            let schedule = region.vsoSchedule(team)
        {
            details.agenda = schedule.meeting(for: now, in: calendar)
        }
        let record = CaseRecord(
            id: id, workflow: workflow.name, version: workflow.version, state: initial.name, regie: regie,
            participants: participants, level: 0, clientKey: clientKey, suspendedAt: nil, sequence: 1, openedAt: now,
            updatedAt: now, lastActivityAt: now, closedAt: nil, timers: [], details: details)
        var payload = JSONObject(pairs: [
            "workflow": .string(workflow.name), "version": .int(Int64(workflow.version)),
            "state": .string(initial.name),
            "regie": .string(regie.partner),
        ])
        if let contact = regie.contact { payload["contact"] = .string(contact) }
        if clientKey != nil { payload["clientKey"] = true }
        if let municipality { payload["municipality"] = .string(municipality) }
        if !details.fields.isEmpty { payload["fields"] = .object(JSONObject(sortedStrings: details.fields)) }
        if let linkedFrom { payload["openedFrom"] = .string(linkedFrom.caseId) }
        if let agenda = details.agenda { payload["agenda"] = .string(agenda.iso8601) }
        let command = CaseCommand(event: "geopend", actor: actor, fields: fields)
        var step = Step(record: record, payload: payload, command: command, sequence: 1, now: now, event: "geopend")
        step.record.timers = initial.timers.flatMap { startTimer($0, owner: initial.name, step) }
        try applyEffects(workflow.opening.effects, &step, newCaseID: newCaseID)
        let event = CaseEvent(
            caseId: id, sequence: 1, at: now, event: "geopend", actor: actor, payload: .object(step.payload))
        let note = Notification(
            caseId: id, sequence: 1, topic: "case.opened", recipients: recipients([.all], step.record, nil),
            event: "geopend", level: 0)
        return Decision(
            record: step.record, events: [event], notifications: [note] + step.notifications, spawns: step.spawns)
    }

    /// Records on a case that another case was opened from it (or it from another), e.g. `case open --from`.
    public func link(_ record: CaseRecord, _ link: CaseLink, actor: Actor, now: Instant) throws(Refusal) -> Decision {
        guard record.closedAt == nil else {
            throw Refusal(.caseClosed, "case \(record.id) is closed; open the new case without --from")
        }
        var next = record
        next.details.links.append(link)
        next.sequence += 1
        next.updatedAt = now
        let payload = JSONObject(pairs: [
            "case": .string(link.caseId), "workflow": .string(link.workflow),
            "direction": .string(link.direction.rawValue),
        ])
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: "gekoppeld", actor: actor,
            payload: .object(payload))
        return Decision(record: next, events: [event], notifications: [])
    }

    // MARK: Commands

    /// Applies a command to a case.
    /// - Parameter newCaseID: gives the id of a case the command opens (an `openCase` effect).
    /// - Returns: the case after the command, and what to append and send.
    /// - Throws: `Refusal` with the rule that forbids it; the case is then unchanged.
    public func apply(
        _ command: CaseCommand, to record: CaseRecord, now: Instant, newCaseID: () -> String = { "" }
    ) throws(Refusal) -> Decision {
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
        try checkLevelGuard(transition, command, record)
        for req in Requirement.allCases where transition.requires.contains(req) {
            let value: String? = req == .motivation ? command.motivation : req == .note ? command.note : command.target
            if value?.trimmingSpaces.isEmpty ?? true {
                throw Refusal(
                    .missingRequirement, "\"\(command.event)\" requires a \(req.rawValue) (--\(req.rawValue))")
            }
        }
        let opensCases = transition.effects.contains { $0.opensCase }
        try Self.checkFields(
            transition.fields, command.fields, for: "\"\(command.event)\"", region: region, passOn: opensCases)
        return try run(transition, command: command, record: record, now: now, extra: [], newCaseID: newCaseID)
    }

    /// The events a person may fire in a state, workflow events first, then the built-in ones.
    public func allowedEvents(in state: String) -> [String] {
        allowed[state] ?? Self.builtInEventNames
    }

    /// The roles that may fire an event in a state (empty when the event is not allowed there).
    public func roles(allowedFor event: String, in state: String) -> Set<Role> {
        if Self.builtInEvents[event] != nil { return Self.controlRoles }
        return transition(event, in: state)?.roles ?? []
    }

    /// The transition for an event in a state, if any.
    public func transition(_ event: String, in state: String) -> TransitionDefinition? { transitions[event]?[state] }

    /// Checks a command's fields against what is declared: known names, required ones present, values allowed.
    /// - Parameter passOn: unknown fields are allowed (and passed on to a case this command opens).
    public static func checkFields(
        _ declared: [FieldDefinition], _ given: [String: String], for what: String, region: RegionConfig,
        passOn: Bool = false
    ) throws(Refusal) {
        let names = declared.map(\.name)
        for name in given.keys.sorted() where !names.contains(name) && !passOn {
            let known = names.isEmpty ? "it takes no fields" : "its fields: \(names.joined(separator: ", "))"
            throw Refusal(.invalidArgument, "\(what) has no field \"\(name)\"; \(known)")
        }
        for f in declared {
            guard let value = given[f.name]?.trimmingSpaces, !value.isEmpty else {
                if f.required {
                    throw Refusal(
                        .missingRequirement,
                        "\(what) requires the field \(f.name) (--field \(f.name)=\(f.valuesText))\(f.description.isEmpty ? "" : ": \(f.description)")"
                    )
                }
                continue
            }
            switch f.kind {
            case .text: break
            case .choice(let values):
                if !values.contains(value) {
                    let hint = closest(value, in: values).map { "did you mean \($0)? " } ?? ""
                    throw Refusal(
                        .invalidArgument,
                        "field \(f.name) of \(what) cannot be \"\(value)\"; \(hint)allowed: \(values.joined(separator: ", "))"
                    )
                }
            case .workingDays:
                guard let n = Int(value), (1...365).contains(n) else {
                    throw Refusal(
                        .invalidArgument, "field \(f.name) of \(what) is a number of working days from 1 to 365")
                }
            case .basisteam:
                if !region.vso.isEmpty && region.vsoSchedule(value) == nil {
                    throw Refusal(
                        .invalidArgument,
                        "field \(f.name): \"\(value)\" has no VSO schedule; basisteams: \(region.vso.map(\.basisteam).joined(separator: ", "))"
                    )
                }
            }
        }
    }

    /// The partners holding `role` for a case: the regiehouder, the participants in that role, and the holders of a
    /// region-wide mandate. The procesregisseur of a case with a responsible municipality is that municipality's.
    public func holders(of role: Role, in record: CaseRecord) -> [String] {
        switch role {
        case .regiehouder: return [record.regie.partner]
        case .systeem: return []
        default:
            var out = record.participants.filter { $0.role == role }.map(\.partner)
            if role == .procesregisseur, let m = record.details.municipality, let p = region.procesregisseurs[m] {
                out.append(p)
            } else {
                out += (region.mandates[role] ?? []).sorted()
            }
            var seen = Set<String>()
            return out.filter { seen.insert($0).inserted }
        }
    }

    /// The partners owning the case's current escalation level.
    public func levelOwners(of record: CaseRecord) -> [String] {
        guard let level = region.level(record.level) else { return [record.regie.partner] }
        return holders(of: level.owner, in: record)
    }

    private func checkHolds(_ actor: Actor, in record: CaseRecord) throws(Refusal) {
        if !holders(of: actor.role, in: record).contains(actor.partner) {
            let theirs = record.partners.filter { $0.partner == actor.partner }.map(\.role.rawValue)
            var hint =
                theirs.isEmpty
                ? "it does not take part in this case" : "its role here: \(theirs.joined(separator: ", "))"
            if actor.role == .procesregisseur, let m = record.details.municipality, let p = region.procesregisseurs[m] {
                hint = "the case belongs to \(m), whose procesregisseur is \(p)"
            }
            throw Refusal(
                .notInCase, "\(actor.partner) does not hold role \(actor.role.rawValue) in case \(record.id); \(hint)")
        }
    }

    /// A transition reserved to the owner of the current level (and, for a doorzettingsbesluit, to a level with
    /// doorzettingsmacht).
    private func checkLevelGuard(_ t: TransitionDefinition, _ command: CaseCommand, _ record: CaseRecord)
        throws(Refusal)
    {
        guard t.levelOwner || t.doorzettingsmacht else { return }
        let level = region.level(record.level)
        let levelName = "level \(record.level)\(level.map { " (\($0.name))" } ?? "")"
        if t.doorzettingsmacht && !(level?.doorzettingsmacht ?? false) {
            let with = region.ladder.filter(\.doorzettingsmacht).map { "\($0.level) (\($0.name))" }
            throw Refusal(
                .wrongState,
                "\"\(t.event)\" needs doorzettingsmacht, which the ladder gives at level \(with.joined(separator: " and ")); case \(record.id) is at \(levelName); escalate with opschalen first"
            )
        }
        if let level, command.actor.role != level.owner {
            throw Refusal(
                .wrongRole,
                "at \(levelName) only its owner, the \(level.owner.rawValue), may fire \"\(t.event)\"; \(command.actor.partner) acts as \(command.actor.role.rawValue)"
            )
        }
    }

    // MARK: Transitions

    /// The work of one transition in progress: the case as the effects change it, and what they produce.
    struct Step {
        var record: CaseRecord
        var payload: JSONObject
        var notifications: [Notification] = []
        var spawns: [Spawn] = []
        let command: CaseCommand
        let sequence: Int
        let now: Instant
        let event: String
        /// Whether the transition moves the case to a state (and so does more than its effects).
        var movesOn = false

        init(record: CaseRecord, payload: JSONObject, command: CaseCommand, sequence: Int, now: Instant, event: String)
        {
            self.record = record
            self.payload = payload
            self.command = command
            self.sequence = sequence
            self.now = now
            self.event = event
        }

        /// A field of the command, else of the case.
        func field(_ name: String) -> String? { command.fields[name] ?? record.details.fields[name] }
    }

    private func run(
        _ transition: TransitionDefinition, command: CaseCommand, record old: CaseRecord, now: Instant,
        extra: [JSONObject.Member], newCaseID: () -> String = { "" }
    ) throws(Refusal) -> Decision {
        var step = Step(
            record: old, payload: JSONObject(pairs: ["from": .string(old.state)]), command: command,
            sequence: old.sequence + 1, now: now, event: transition.event)
        step.movesOn = transition.to != nil
        try applyEffects(transition.effects, &step, newCaseID: newCaseID)
        var record = step.record
        if let to = transition.to {
            // Leaving (or re-entering) a state cancels its timers; entering starts them afresh.
            record.timers.removeAll { $0.ownerState == old.state }
            record.state = to
            step.record = record
            if let def = workflow.state(to) {
                record.timers += def.timers.flatMap { startTimer($0, owner: to, step) }
                if def.final {
                    record.closedAt = now
                    record.timers.removeAll()
                    record.suspendedAt = nil
                    record.details.handover = nil
                    record.details.opdracht = nil
                }
            }
        }
        var payload = step.payload
        payload["to"] = .string(record.state)
        if let note = command.note { payload["note"] = .string(note) }
        if let target = command.target { payload["target"] = .string(target) }
        if let motivation = command.motivation { payload["motivation"] = .string(motivation) }
        if !command.fields.isEmpty {
            payload["fields"] = .object(JSONObject(sortedStrings: command.fields))
        }
        payload.members += extra
        record.sequence = step.sequence
        record.updatedAt = now
        if command.actor.role != .systeem { record.lastActivityAt = now }
        let event = CaseEvent(
            caseId: record.id, sequence: step.sequence, at: now, event: transition.event, actor: command.actor,
            payload: .object(payload))
        var notifications = step.notifications
        if record.state != old.state || record.level != old.level || record.regie != old.regie {
            notifications.append(
                Notification(
                    caseId: record.id, sequence: step.sequence, topic: "case.changed",
                    recipients: recipients([.all], record, nil), event: transition.event, level: record.level))
        }
        return Decision(record: record, events: [event], notifications: notifications, spawns: step.spawns)
    }

    private func applyEffects(_ effects: [Effect], _ step: inout Step, newCaseID: () -> String) throws(Refusal) {
        for effect in effects { try applyEffect(effect, &step, newCaseID: newCaseID) }
    }

    private func applyEffect(_ effect: Effect, _ step: inout Step, newCaseID: () -> String) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let bySystem = command.actor.role == .systeem
        switch effect {
        case .when(let field, let values, let inner):
            if let value = step.field(field), values.contains(value) {
                try applyEffect(inner, &step, newCaseID: newCaseID)
            }
        case .assignRegie:
            try assignRegie(to: try validTarget(command), &step)
        case .assignRegieIfTarget:
            if let target = command.target?.trimmingSpaces, !target.isEmpty { try assignRegie(to: target, &step) }
        case .addPartner(let role):
            let target = try validTarget(command)
            let p = Participant(partner: target, role: role)
            if !step.record.participants.contains(p) && !(role == .betrokken && target == step.record.regie.partner) {
                step.record.participants.append(p)
            }
            step.payload["added"] = .string("\(target):\(role.rawValue)")
        case .removePartner:
            let target = try validTarget(command)
            guard target != step.record.regie.partner else {
                throw Refusal(
                    .regieEmpty,
                    "\(target) holds regie in case \(caseId) and cannot leave it; hand regie over first, so regie is never empty"
                )
            }
            guard step.record.participants.contains(where: { $0.partner == target }) else {
                throw Refusal(.invalidTarget, "\(target) does not take part in case \(caseId)")
            }
            if step.record.details.handover?.to == target || step.record.details.opdracht?.partner == target {
                throw Refusal(
                    .invalidArgument,
                    "\(target) has a running handover or opdracht in case \(caseId); end that first")
            }
            step.record.participants.removeAll { $0.partner == target }
            step.payload["removed"] = .string(target)
        case .startTimer(let name):
            startNamedTimer(name, &step)
        case .cancelTimer(let name):
            step.record.timers.removeAll { $0.name == name }
        case .raiseLevel:
            guard step.record.level < topLevel else {
                if bySystem { return }
                throw Refusal(
                    .wrongState,
                    "case \(caseId) is already at the top level \(topLevel) (\(region.level(topLevel)?.name ?? "")); it cannot go higher"
                )
            }
            changeLevel(&step.record, to: step.record.level + 1, now: step.now)
            step.payload["level"] = .int(Int64(step.record.level))
        case .setLevel(let level):
            // Refused when setting the level is the transition's point (afschalen at level 0); as a side effect of
            // a transition that moves on (afsluiten of a case that never escalated), it is simply already so.
            if level == step.record.level && !bySystem && !step.movesOn {
                throw Refusal(.wrongState, "case \(caseId) is already at level \(level)")
            }
            let lowered = level < step.record.level
            changeLevel(&step.record, to: level, now: step.now)
            step.payload["level"] = .int(Int64(level))
            if lowered && level == 0, let state = workflow.state(step.record.state) {
                // Back at level 0 the case is under its regular watch again: state timers that fired while it was
                // escalated (the stagnation timer) start afresh, so a de-escalated case is never left unwatched.
                for def in state.timers where !step.record.timers.contains(where: { $0.name == def.name }) {
                    step.record.timers += startTimer(def, owner: state.name, step)
                }
            }
        case .offerHandover(let timer):
            let target = try validTarget(command)
            if let h = step.record.details.handover {
                throw Refusal(
                    .wrongState,
                    "a handover to \(h.to) is already running in case \(caseId) (\(h.stage)); complete or withdraw it first"
                )
            }
            guard target != step.record.regie.partner, target != command.actor.partner else {
                throw Refusal(.invalidTarget, "\(target) cannot receive a handover from itself")
            }
            let subject = Handover.Subject(rawValue: step.field("onderwerp") ?? "regie") ?? .regie
            if subject == .regie && command.actor.partner != step.record.regie.partner {
                throw Refusal(.wrongRole, "only the regiehouder, \(step.record.regie.partner), can hand over regie")
            }
            let joined = !step.record.participants.contains { $0.partner == target }
            if joined { step.record.participants.append(Participant(partner: target, role: .betrokken)) }
            step.record.details.handover = Handover(
                from: command.actor.partner, to: target, subject: subject, offeredAt: step.now, acceptedAt: nil,
                metAt: nil, receiverJoined: joined, timer: timer)
            step.payload["handover"] = .string("\(subject.rawValue) to \(target)")
            startNamedTimer(timer, &step)
        case .acceptHandover(let timer):
            var h = try runningHandover(step, by: [.receiver], stage: "aangeboden")
            step.record.timers.removeAll { $0.name == h.timer }
            h.acceptedAt = step.now
            h.timer = timer
            step.record.details.handover = h
            startNamedTimer(timer, &step)
        case .refuseHandover:
            let h = try runningHandover(step, by: [.receiver], stage: "aangeboden")
            endHandover(&step)
            if h.receiverJoined { step.record.participants.removeAll { $0.partner == h.to } }
        case .recordMeeting:
            var h = try runningHandover(step, by: [.receiver, .giver], stage: "geaccepteerd")
            step.record.timers.removeAll { $0.name == h.timer }
            h.metAt = step.now
            h.timer = nil
            step.record.details.handover = h
        case .completeHandover:
            guard let h = step.record.details.handover, h.metAt != nil else {
                let stage = step.record.details.handover?.stage ?? "none"
                throw Refusal(
                    .wrongState,
                    "a handover completes only after the receiver accepted and the kennismaking took place (handover in case \(caseId): \(stage)); record kennismaking first"
                )
            }
            _ = try runningHandover(step, by: [.receiver, .giver], stage: "kennisgemaakt")
            endHandover(&step)
            if h.subject == .regie {
                moveRegie(to: h.to, &step.record)
                step.payload["regie"] = .string(h.to)
            } else if h.from != step.record.regie.partner {
                step.record.participants.removeAll { $0.partner == h.from && $0.role == .betrokken }
            }
        case .withdrawHandover:
            _ = try runningHandover(step, by: [.giver], stage: nil)
            let h = step.record.details.handover
            endHandover(&step)
            if let h, h.receiverJoined { step.record.participants.removeAll { $0.partner == h.to } }
        case .giveOpdracht(let timer):
            let target = try validTarget(command)
            if let o = step.record.details.opdracht {
                throw Refusal(
                    .wrongState, "an opdracht for \(o.partner) is still running in case \(caseId); it ends first")
            }
            if !step.record.partners.contains(where: { $0.partner == target }) {
                step.record.participants.append(Participant(partner: target, role: .betrokken))
            }
            step.record.details.opdracht = Opdracht(
                partner: target, text: command.note, givenBy: command.actor.partner, givenAt: step.now, timer: timer)
            step.payload["opdracht"] = .string(target)
            startNamedTimer(timer, &step)
        case .completeOpdracht:
            guard let o = step.record.details.opdracht else {
                throw Refusal(.wrongState, "case \(caseId) has no running opdracht")
            }
            guard o.partner == command.actor.partner else {
                throw Refusal(.wrongRole, "the opdracht in case \(caseId) is for \(o.partner); only it reports it done")
            }
            endOpdracht(&step.record, o)
        case .endOpdracht:
            if let o = step.record.details.opdracht { endOpdracht(&step.record, o) }
        case .openCase(let workflowName):
            let target = try validTarget(command)
            let id = newCaseID()
            step.spawns.append(
                Spawn(id: id, workflow: workflowName, regie: target, actor: command.actor, fields: command.fields))
            step.record.details.links.append(CaseLink(caseId: id, workflow: workflowName, direction: .opened))
            step.payload["opened"] = .string(id)
        case .notify(let topic, let to):
            step.notifications.append(
                Notification(
                    caseId: caseId, sequence: step.sequence, topic: topic,
                    recipients: recipients(to, step.record, command.target), event: step.event,
                    level: step.record.level))
        }
    }

    private enum HandoverSide { case receiver, giver }

    /// The running handover, if the actor is on an allowed side of it and it is at `stage` (nil: any stage).
    private func runningHandover(_ step: Step, by sides: [HandoverSide], stage: String?) throws(Refusal) -> Handover {
        guard let h = step.record.details.handover else {
            throw Refusal(
                .wrongState, "case \(step.record.id) has no running handover; offer one with overdracht-aanbieden")
        }
        let who = step.command.actor.partner
        let allowed =
            (sides.contains(.receiver) && who == h.to)
            || (sides.contains(.giver) && (who == h.from || who == step.record.regie.partner))
        guard allowed else {
            let names = sides.map { $0 == .receiver ? h.to : h.from }.joined(separator: " or ")
            throw Refusal(.wrongRole, "only \(names) may do this in the handover of case \(step.record.id)")
        }
        if let stage, h.stage != stage {
            throw Refusal(
                .wrongState,
                "the handover to \(h.to) in case \(step.record.id) is \(h.stage), not \(stage); \(stage == "aangeboden" ? "it was already accepted" : "accept it first, then hold the kennismaking")"
            )
        }
        return h
    }

    private func endOpdracht(_ record: inout CaseRecord, _ o: Opdracht) {
        record.timers.removeAll { $0.name == o.timer }
        record.details.opdracht = nil
    }

    private func endHandover(_ step: inout Step) {
        if let t = step.record.details.handover?.timer { step.record.timers.removeAll { $0.name == t } }
        step.record.details.handover = nil
    }

    private func assignRegie(to target: String, _ step: inout Step) throws(Refusal) {
        guard target != step.record.regie.partner else {
            throw Refusal(.invalidTarget, "\(target) already holds regie in case \(step.record.id)")
        }
        if step.record.details.handover != nil { endHandover(&step) }
        moveRegie(to: target, &step.record)
        step.payload["regie"] = .string(target)
    }

    /// Regie moves in one step: the new holder leaves the other partners, the old one stays as `betrokken`.
    private func moveRegie(to target: String, _ record: inout CaseRecord) {
        record.participants.removeAll { $0.partner == target && $0.role == .betrokken }
        let previous = Participant(partner: record.regie.partner, role: .betrokken)
        if !record.participants.contains(previous) { record.participants.append(previous) }
        record.regie = RegieHolder(partner: target, contact: nil)
    }

    /// Moves the case to `level`, restarting the level's response deadline from the ladder.
    private func changeLevel(_ record: inout CaseRecord, to level: Int, now: Instant) {
        record.timers.removeAll { $0.name == Self.levelTimer }
        record.level = level
        guard level > 0 else {
            record.details.levelSince = nil
            return
        }
        record.details.levelSince = now
        guard let l = region.level(level) else { return }
        record.timers.append(
            TimerRecord(
                name: Self.levelTimer, kind: .deadline, event: Self.levelTimerEvent,
                dueAt: calendar.deadline(after: l.deadline, from: now), startedAt: now, ownerState: nil,
                paused: record.suspended))
    }

    private func startNamedTimer(_ name: String, _ step: inout Step) {
        guard let def = workflow.timer(name) else { return }
        step.record.timers.removeAll { $0.name == name }
        step.record.timers += startTimer(def, owner: nil, step)
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
            case .levelOwner: levelOwners(of: record).forEach(add)
            case .handover: if let h = record.details.handover { add(h.to) }
            case .role(let role): holders(of: role, in: record).forEach(add)
            }
        }
        return out
    }

    // MARK: Timers

    /// The timer rows for a definition: the deadline and its reminders still in the future.
    func startTimer(_ def: TimerDefinition, owner: String?, _ step: Step) -> [TimerRecord] {
        let deadline = TimerRecord(
            name: def.name, kind: .deadline, event: def.fires, dueAt: due(def, step), startedAt: step.now,
            ownerState: owner, paused: step.record.suspended)
        return [deadline] + reminders(for: deadline, def, now: step.now)
    }

    /// When a timer started now falls due: its duration (a fixed one, the region's window, or working days given in a
    /// field) counted from now or from its anchor.
    private func due(_ def: TimerDefinition, _ step: Step) -> Instant {
        var spec = def.duration
        if let w = def.window, let d = region.window(w) { spec = d }
        if let f = def.durationField, let n = step.command.fields[f].flatMap({ Int($0) }) { spec = .workingDays(n) }
        var start = step.now
        if def.anchor == .vsoMeeting, let team = step.field("basisteam"), let schedule = region.vsoSchedule(team) {
            start = schedule.meeting(for: step.now, in: calendar)
        }
        return calendar.deadline(after: spec, from: start, statutory: def.statutory)
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
        // A window that ran out is over; the handover itself stays until someone acts on it.
        if base.details.handover?.timer == timer.name { base.details.handover?.timer = nil }
        if timer.name == Self.levelTimer && timer.event == Self.levelTimerEvent {
            return levelDeadlineMissed(base, details: details, now: now)
        }
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

    /// A level's response deadline passed: the case goes one level up and its new owner is told; at the top level
    /// the owner is told that the deadline passed.
    private func levelDeadlineMissed(_ base: CaseRecord, details: [JSONObject.Member], now: Instant) -> Decision {
        var record = base
        let from = record.level
        var topic = "escalation.overdue"
        if from < topLevel {
            changeLevel(&record, to: from + 1, now: now)
            topic = "escalation.raised"
        }
        record.sequence += 1
        record.updatedAt = now
        var payload = JSONObject(details)
        payload["fromLevel"] = .int(Int64(from))
        payload["level"] = .int(Int64(record.level))
        let event = CaseEvent(
            caseId: record.id, sequence: record.sequence, at: now, event: Self.levelTimerEvent, actor: .system,
            payload: .object(payload))
        var notes = [
            Notification(
                caseId: record.id, sequence: record.sequence, topic: topic,
                recipients: recipients([.levelOwner, .role(.regiehouder)], record, nil), event: Self.levelTimerEvent,
                level: record.level)
        ]
        if record.level != from {
            notes.append(
                Notification(
                    caseId: record.id, sequence: record.sequence, topic: "case.changed",
                    recipients: recipients([.all], record, nil), event: Self.levelTimerEvent, level: record.level))
        }
        return Decision(record: record, events: [event], notifications: notes)
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
