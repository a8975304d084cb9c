/// Decides what a command or a timer does to a case. Pure: no I/O, time is passed in.
public struct StateMachine: Sendable {
    /// Built-in events every workflow has: suspension, resumption and extension of deadlines, and the regiehouder's
    /// contact person.
    public static let builtInEvents: [String: String] = [
        "opschorten":
            "suspend the case: the timers your level owns pause; statutory ones and higher levels' run on (requires --motivation)",
        "hervatten": "lift the suspension (its level or above): paused deadlines shift by the working days they lost",
        "verlengen":
            "extend a deadline by N working days, if your level owns it and it is not statutory (requires --timer, --days, --motivation)",
        "contactpersoon": "the regiehouder names its contact person for the case (requires --contact)",
        "gemeente-wijzigen":
            "the responsible municipality is assigned or changes (a move): --target the municipality, --motivation; both municipalities hear it",
        "afschermen":
            "shield the case (domestic violence, a shelter, threats): outsiders learn nothing that names it (requires --motivation)",
        "afscherming-opheffen": "lift the shielding (requires --motivation)",
        "lid-toevoegen":
            "the regiehouder adds a member to a household case: --relatie (ouder, kind, partner, huisgenoot) and --bsn",
    ]

    /// Built-in events that only the regiehouder fires.
    static let holderEvents: Set<String> = ["contactpersoon", "lid-toevoegen"]
    /// Events the engine records itself; they cannot be fired by a command.
    public static let systemEvents: Set<String> = [
        "geopend", "herinnering", "timer-vervallen", "gekoppeld", levelTimerEvent, lookupEvent,
    ]
    /// What a lookup that found the case records on it (who asked, why); shown to the regiehouder.
    public static let lookupEvent = "opgezocht"
    /// The timer every escalated case runs: its level's response deadline from the ladder.
    public static let levelTimer = "niveau-termijn"
    /// What a missed level deadline records: the case goes one level up, and the next owner is told.
    public static let levelTimerEvent = "niveau-termijn-verstreken"

    /// What a machine is made of, built once and shared: the engine hands machines from its cache to every command,
    /// and copying one copies a single reference instead of a workflow and a region.
    private final class Definition: Sendable {
        let workflow: Workflow
        let region: RegionConfig
        let transitions: [String: [String: TransitionDefinition]]
        let allowed: [String: [String]]
        let escalationEvents: Set<String>

        init(
            workflow: Workflow, region: RegionConfig, transitions: [String: [String: TransitionDefinition]],
            allowed: [String: [String]], escalationEvents: Set<String>
        ) {
            (self.workflow, self.region, self.transitions) = (workflow, region, transitions)
            (self.allowed, self.escalationEvents) = (allowed, escalationEvents)
        }
    }

    private let definition: Definition

    // Read accessors lend the definition's values in place: a plain getter would copy the whole workflow or region
    // (a retain of each of their fields) at every use inside a transition.

    /// The workflow version this machine runs.
    public var workflow: Workflow {
        _read { yield definition.workflow }
    }
    /// The region: its calendar, mandates, ladder, windows and VSO schedules.
    public var region: RegionConfig {
        _read { yield definition.region }
    }
    /// The transition for each event and state, indexed once: commands are decided without scanning the workflow.
    var transitions: [String: [String: TransitionDefinition]] {
        _read { yield definition.transitions }
    }
    /// The events a person may fire in each state, indexed once (the partner API lists them on every read).
    private var allowed: [String: [String]] { definition.allowed }
    /// The events that steer the escalation, whose details the owner of a level sees (see `isEscalationEvent`).
    private var escalationEvents: Set<String> { definition.escalationEvents }
    private static let builtInEventNames = builtInEvents.keys.sorted()

    /// The working-day calendar.
    public var calendar: DutchCalendar {
        _read { yield definition.region.calendar }
    }

    /// Creates a state machine for one workflow version in a region.
    public init(workflow: Workflow, region: RegionConfig) {
        var index: [String: [String: TransitionDefinition]] = [:]
        for t in workflow.transitions {
            for state in t.from where index[t.event]?[state] == nil { index[t.event, default: [:]][state] = t }
        }
        var own: [String: [String]] = [:]
        for t in workflow.transitions where t.roles != [.systeem] {
            for state in t.from where !(own[state]?.contains(t.event) ?? false) {
                own[state, default: []].append(t.event)
            }
        }
        let allowed = own.mapValues { events in events + Self.builtInEventNames.filter { !events.contains($0) } }
        var steering = Set(Self.builtInEvents.keys).union([Self.levelTimerEvent])
        for t in workflow.transitions
        where t.levelOwner || t.doorzettingsmacht
            || t.effects.contains(where: { e in
                switch e.unconditional {
                case .raiseLevel, .giveOpdracht, .completeOpdracht, .withdrawOpdracht, .endOpdracht: return true
                case .setLevel: return t.to == nil
                case .assignRegie, .assignRegieIfTarget, .offerHandover, .acceptHandover, .refuseHandover,
                    .recordMeeting, .completeHandover, .withdrawHandover, .openCase, .nextMeeting, .when, .addPartner,
                    .removePartner, .startTimer, .cancelTimer, .notify:
                    return false
                }
            })
        {
            steering.insert(t.event)
        }
        definition = Definition(
            workflow: workflow, region: region, transitions: index, allowed: allowed,
            escalationEvents: steering.subtracting(Self.holderEvents))
    }

    /// Whether an event steers the case's escalation: a built-in control event, a level's deadline, or a transition
    /// that raises or sets the level, is reserved to a level's owner, or gives, ends or reports an opdracht. The
    /// owner of a level sees these in full; other events it sees only as changes of state.
    public func isEscalationEvent(_ event: String) -> Bool { escalationEvents.contains(event) }

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
        municipality: String? = nil, linkedFrom: CaseLink? = nil, shield: Shield? = nil, members: [CaseMember] = [],
        agenda: Instant? = nil, newCaseID: () -> String = { "" }
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
        details.shield = shield
        details.members = members
        if let f = workflow.opening.fields.first(where: { $0.kind == .basisteam }), let team = fields[f.name],
            let schedule = region.vsoSchedule(team)
        {
            details.agenda = agenda ?? schedule.meeting(for: now, in: calendar)
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
        if let shield { payload["shielded"] = .string(shield.motivation) }
        if !members.isEmpty { payload["members"] = .array(members.map { .string($0.id) }) }
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
        try checkMembers(command, record)
        try checkContact(command, record, movesRegie: transition.effects.contains { $0.movesRegie })
        for req in Requirement.allCases where transition.requires.contains(req) {
            let value: String? = req == .motivation ? command.motivation : req == .note ? command.note : command.target
            if value?.isBlank ?? true {
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
        if Self.holderEvents.contains(event) { return [.regiehouder] }
        if Self.builtInEvents[event] != nil { return ownerRoles }
        return transition(event, in: state)?.roles ?? []
    }

    /// The roles that own a level of the ladder: the regiehouder and the mandates above it.
    public var ownerRoles: Set<Role> { Set(region.ladder.map(\.owner)) }

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
    /// region-wide mandate. The procesregisseur of a case with a responsible municipality is that municipality's;
    /// of a case without one, the centrumgemeente's alone, who assigns the municipality (`gemeente-wijzigen`): level
    /// 1 always has exactly one owner.
    public func holders(of role: Role, in record: CaseRecord) -> [String] {
        switch role {
        case .regiehouder: return [record.regie.partner]
        case .systeem: return []
        case .betrokken, .procesregisseur, .ketenregisseur, .bestuurlijk, .melder:
            var out = record.participants.filter { $0.role == role }.map(\.partner)
            if role == .procesregisseur, let p = region.procesregisseurs[record.details.municipality ?? "-"] {
                out.append(p)
            } else if role == .procesregisseur, record.details.municipality == nil, let c = region.centrumgemeente,
                let p = region.procesregisseurs[c]
            {
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

    /// The highest escalation level `actor` owns in this case (0 for the regiehouder, 1 for the case's
    /// procesregisseur, and so on), or nil when it owns none (a betrokken partner, a melder). A deadline owned by a
    /// level may be moved only by an actor whose authority reaches that level.
    public func authority(of actor: Actor, in record: CaseRecord) -> Int? {
        guard let level = region.ladder.filter({ $0.owner == actor.role }).map(\.level).max() else { return nil }
        return holders(of: actor.role, in: record).contains(actor.partner) ? level : nil
    }

    /// "level 2 (ketenregie)".
    func levelName(_ level: Int) -> String {
        "level \(level)\(region.level(level).map { " (\($0.name))" } ?? "")"
    }

    /// Who may act on what `level` owns, for refusals: "the owner of level 2 or above (ketenregisseur, bestuurlijk)".
    func owners(from level: Int) -> String {
        let roles = region.ladder.filter { $0.level >= level }.sorted { $0.level < $1.level }.map(\.owner.rawValue)
        let above = level < topLevel ? " or above" : ""
        return "the owner of level \(level)\(above) (\(roles.joined(separator: ", ")))"
    }

    func checkHolds(_ actor: Actor, in record: CaseRecord) throws(Refusal) {
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

    /// A command that names a contact person must come from the regiehouder (its own) or move regie (the new
    /// holder's); after regie moved without one, the new holder's first action must name it.
    func checkContact(_ command: CaseCommand, _ record: CaseRecord, movesRegie: Bool) throws(Refusal) {
        let byHolder = command.actor.role == .regiehouder && command.actor.partner == record.regie.partner
        if let contact = command.contact {
            guard !contact.isBlank else {
                throw Refusal(.missingRequirement, "--contact is empty; name the contact person")
            }
            guard byHolder || movesRegie else {
                throw Refusal(
                    .wrongRole,
                    "only the regiehouder (\(record.regie.partner)) names its contact person, or the decision that moves regie names the new holder's; \(command.actor.partner) acts as \(command.actor.role.rawValue)"
                )
            }
        } else if byHolder && record.details.contactRequired && !movesRegie {
            throw Refusal(
                .missingRequirement,
                "regie in case \(record.id) moved to \(record.regie.partner) without a contact person; name yours first: give it with this command (--contact NAME, or \"contact\" in the API), or fire contactpersoon"
            )
        }
    }

    /// The members an event is about (`voor`) are members of the case (or `gezin`, all of them), and a partner that
    /// serves some members of a household speaks only for them.
    func checkMembers(_ command: CaseCommand, _ record: CaseRecord) throws(Refusal) {
        let known = Set(members(of: record).map(\.id))
        for m in command.members where m != Self.household && !known.contains(m) {
            let list = known.isEmpty ? "it has no members" : "its members: \(known.sorted().joined(separator: ", "))"
            throw Refusal(.invalidArgument, "case \(record.id) has no member \"\(m)\" (--voor); \(list), or gezin")
        }
        let mine = record.participants.filter { $0.partner == command.actor.partner && $0.role == command.actor.role }
        if let limited = mine.first?.members, !mine.contains(where: { $0.members == nil }) {
            for m in command.members where !limited.contains(m) {
                throw Refusal(
                    .wrongRole,
                    "\(command.actor.partner) serves \(limited.sorted().joined(separator: ", ")) in case \(record.id), not \(m)"
                )
            }
        }
    }

    /// The member id that stands for the whole household (the shared plan).
    public static let household = "gezin"

    /// The members an event is about: what the command says, else the members the acting partner serves.
    func about(_ command: CaseCommand, _ record: CaseRecord) -> [String] {
        if !command.members.isEmpty { return command.members }
        let mine = record.participants.filter { $0.partner == command.actor.partner && $0.role == command.actor.role }
        if let limited = mine.first?.members, !mine.contains(where: { $0.members == nil }) { return limited.sorted() }
        return []
    }

    /// A transition reserved to the owner of the current level (and, for a doorzettingsbesluit, to a level with
    /// doorzettingsmacht).
    private func checkLevelGuard(_ t: TransitionDefinition, _ command: CaseCommand, _ record: CaseRecord)
        throws(Refusal)
    {
        guard t.levelOwner || t.doorzettingsmacht else { return }
        let level = region.level(record.level)
        let levelName = self.levelName(record.level)
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

}
