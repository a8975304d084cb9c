/// Transitions and their effects: what a workflow event does to a case.
extension StateMachine {
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
        /// The timer whose firing runs this transition, if a timer fired it.
        var firing: TimerRecord?

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

        /// Adds a notification to the partners in `recipients`, for this step's event.
        mutating func notify(_ topic: String, _ recipients: [String]) {
            guard !recipients.isEmpty else { return }
            notifications.append(
                Notification(
                    caseId: record.id, sequence: sequence, topic: topic, recipients: recipients, event: event,
                    level: record.level))
        }
    }

    func run(
        _ transition: TransitionDefinition, command: CaseCommand, record old: CaseRecord, now: Instant,
        extra: [JSONObject.Member], firing: TimerRecord? = nil, newCaseID: () -> String = { "" }
    ) throws(Refusal) -> Decision {
        var step = Step(
            record: old, payload: JSONObject(pairs: ["from": .string(old.state)]), command: command,
            sequence: old.sequence + 1, now: now, event: transition.event)
        step.movesOn = transition.to != nil
        step.firing = firing
        try applyEffects(transition.effects, &step, newCaseID: newCaseID)
        if let contact = command.contact {
            step.record.regie.contact = contact
            step.record.details.contactRequired = false
            step.payload["contact"] = .string(contact)
        }
        var record = step.record
        if let to = transition.to {
            // Leaving (or re-entering) a state cancels its timers; entering starts them afresh.
            record.timers.removeAll { $0.ownerState == old.state }
            record.state = to
            step.record = record
            if let def = workflow.state(to) {
                record.timers += def.timers.flatMap { startTimer($0, owner: to, step) }
                if def.final {
                    if let running = record.details.opdrachten.first {
                        throw Refusal(
                            .wrongState,
                            "\(running.partner) still carries an opdracht of \(levelName(running.level)) in case \(old.id); an opdracht ends only when it is reported done, withdrawn (opdracht-intrekken) or expires, so the case cannot close yet"
                        )
                    }
                    record.closedAt = now
                    record.timers.removeAll()
                    record.suspendedAt = nil
                    record.details.suspension = nil
                    record.details.handover = nil
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
        let about = self.about(command, old)
        if !about.isEmpty { payload["voor"] = .array(about.map { .string($0) }) }
        payload.members += extra
        record.sequence = step.sequence
        record.updatedAt = now
        if command.actor.role != .systeem { record.lastActivityAt = now }
        settleTimers(&record, now: now).add(to: &payload)
        let event = CaseEvent(
            caseId: record.id, sequence: step.sequence, at: now, event: transition.event, actor: command.actor,
            payload: .object(payload))
        var notifications = step.notifications
        if record.state != old.state || record.level != old.level || record.regie != old.regie {
            notifications.append(
                Notification(
                    caseId: record.id, sequence: step.sequence, topic: "case.changed",
                    recipients: changeRecipients(record), event: transition.event, level: record.level))
        }
        return Decision(record: record, events: [event], notifications: notifications, spawns: step.spawns)
    }

    /// Who hears that a case changed: every partner in it and, while it is escalated, the owner of its level (who
    /// must hear, for one, that a case at its level was closed).
    func changeRecipients(_ record: CaseRecord) -> [String] {
        recipients(record.level > 0 ? [.all, .levelOwner] : [.all], record, nil)
    }

    func applyEffects(_ effects: [Effect], _ step: inout Step, newCaseID: () -> String) throws(Refusal) {
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
            let serves = Set(command.members).subtracting([Self.household])
            let p = Participant(
                partner: target, role: role,
                members: serves.isEmpty || command.members.contains(Self.household) ? nil : serves)
            if !step.record.participants.contains(p) && !(role == .betrokken && target == step.record.regie.partner) {
                step.record.participants.append(p)
            }
            step.payload["added"] = .string("\(target):\(role.rawValue)")
            if let m = p.members { step.payload["serves"] = .array(m.sorted().map { .string($0) }) }
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
            if step.record.details.handover?.to == target || step.record.details.opdracht(for: target) != nil {
                throw Refusal(
                    .invalidArgument,
                    "\(target) has a running handover or opdracht in case \(caseId); end that first")
            }
            step.record.participants.removeAll { $0.partner == target }
            step.payload["removed"] = .string(target)
        case .startTimer(let name):
            startNamedTimer(name, &step)
        case .cancelTimer(let name):
            try cancelTimer(name, &step)
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
            step.record.details.escalation = EscalationRequest(
                by: command.actor.partner, at: step.now,
                reason: command.motivation ?? step.firing.map { "\($0.label) passed" } ?? step.event,
                asked: command.fields)
        case .setLevel(let level):
            try setLevel(level, &step)
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
                moveRegie(to: h.to, &step)
            } else if h.from != step.record.regie.partner {
                step.record.participants.removeAll { $0.partner == h.from && $0.role == .betrokken }
            }
        case .withdrawHandover:
            _ = try runningHandover(step, by: [.giver], stage: nil)
            let h = step.record.details.handover
            endHandover(&step)
            if let h, h.receiverJoined { step.record.participants.removeAll { $0.partner == h.to } }
        case .giveOpdracht(let timer):
            try giveOpdracht(to: try validTarget(command), timer: timer, &step)
        case .completeOpdracht:
            let partner = command.actor.partner
            guard let o = step.record.details.opdracht(for: partner) else {
                let running = step.record.details.opdrachten.map(\.partner)
                throw Refusal(
                    .wrongState,
                    "case \(caseId) has no running opdracht for \(partner)\(running.isEmpty ? "" : "; running: \(running.joined(separator: ", ")) (only the partner that carries one reports it done)")"
                )
            }
            endOpdracht(o, &step, key: "opdracht")
        case .withdrawOpdracht:
            let target = try validTarget(command)
            guard let o = step.record.details.opdracht(for: target) else {
                throw Refusal(.invalidTarget, "case \(caseId) has no running opdracht for \(target)")
            }
            let authority = self.authority(of: command.actor, in: step.record) ?? -1
            guard authority >= o.level else {
                throw Refusal(
                    .wrongRole,
                    "the opdracht for \(target) was given at \(levelName(o.level)); only \(owners(from: o.level)) may withdraw it"
                )
            }
            endOpdracht(o, &step, key: "opdracht")
        case .endOpdracht:
            // Only the expiry of an opdracht's own deadline ends it here; a person ends one by reporting it done or
            // withdrawing it (workflow versions before this rule also listed it in afschalen and afsluiten).
            if let t = step.firing, let o = step.record.details.opdrachten.first(where: { t.belongs(to: $0) }) {
                endOpdracht(o, &step, key: "opdracht")
                step.notify("opdracht.expired", [o.partner])
            }
        case .openCase(let workflowName):
            let target = try validTarget(command)
            let id = newCaseID()
            step.spawns.append(
                Spawn(id: id, workflow: workflowName, regie: target, actor: command.actor, fields: command.fields))
            step.record.details.links.append(CaseLink(caseId: id, workflow: workflowName, direction: .opened))
            step.payload["opened"] = .string(id)
        case .nextMeeting:
            if let f = workflow.opening.fields.first(where: { $0.kind == .basisteam }),
                let team = step.record.details.fields[f.name], let schedule = region.vsoSchedule(team)
            {
                let next = schedule.meeting(for: step.now, in: calendar)
                step.record.details.agenda = next
                step.payload["agenda"] = .string(next.iso8601)
            }
        case .notify(let topic, let to):
            step.notify(topic, recipients(to, step.record, command.target))
        }
    }

    // MARK: The level and its decisions

    /// Sets the level. Lowering it is the decision of the owner of the level the case is at (or a level above), and
    /// withdraws, on the record and with notice to their partners, the opdrachten the levels left behind gave.
    private func setLevel(_ level: Int, _ step: inout Step) throws(Refusal) {
        let record = step.record
        let actor = step.command.actor
        let bySystem = actor.role == .systeem
        // Refused when setting the level is the transition's point (afschalen at level 0); as a side effect of
        // a transition that moves on (afsluiten of a case that never escalated), it is simply already so.
        if level == record.level && !bySystem && !step.movesOn {
            throw Refusal(.wrongState, "case \(record.id) is already at level \(level)")
        }
        let lowered = level < record.level
        if lowered && !bySystem && (authority(of: actor, in: record) ?? -1) < record.level {
            throw Refusal(
                .wrongRole,
                "case \(record.id) is escalated to \(levelName(record.level)); \"\(step.event)\" would lower it, which only \(owners(from: record.level)) may do (afschalen); ask them, or wait for their decision"
            )
        }
        changeLevel(&step.record, to: level, now: step.now)
        step.payload["level"] = .int(Int64(level))
        guard lowered else { return }
        for o in step.record.details.opdrachten where o.level > level {
            endOpdracht(o, &step, key: "withdrawn")
            step.notify("opdracht.withdrawn", [o.partner])
        }
        if level == 0, let state = workflow.state(step.record.state) {
            // Back at level 0 the case is under its regular watch again: state timers that fired while it was
            // escalated (the stagnation timer) start afresh, so a de-escalated case is never left unwatched.
            for def in state.timers where !step.record.timers.contains(where: { $0.name == def.name }) {
                step.record.timers += startTimer(def, owner: state.name, step)
            }
        }
    }

    /// Cancels a timer by name: a level's own deadlines only by the owner of that level or above.
    private func cancelTimer(_ name: String, _ step: inout Step) throws(Refusal) {
        let actor = step.command.actor
        if actor.role != .systeem,
            let owned = step.record.timers.first(where: { $0.name == name && $0.kind == .deadline && $0.ownerLevel > 0 }
            ),
            (authority(of: actor, in: step.record) ?? -1) < owned.ownerLevel
        {
            throw Refusal(
                .wrongRole,
                "\"\(step.event)\" would cancel \(owned.label), which belongs to \(levelName(owned.ownerLevel)); only \(owners(from: owned.ownerLevel)) may"
            )
        }
        step.record.timers.removeAll { $0.name == name }
    }

    private func giveOpdracht(to target: String, timer: String, _ step: inout Step) throws(Refusal) {
        if let o = step.record.details.opdracht(for: target) {
            throw Refusal(
                .wrongState,
                "an opdracht for \(target) is already running in case \(step.record.id) (given \(region.calendar.deadlineText(o.givenAt))); extend it with verlengen --timer \(o.timer):\(target), or withdraw it with opdracht-intrekken first"
            )
        }
        if !step.record.partners.contains(where: { $0.partner == target }) {
            step.record.participants.append(Participant(partner: target, role: .betrokken))
        }
        let level = step.record.level
        step.record.details.opdrachten.append(
            Opdracht(
                partner: target, text: step.command.note, givenBy: step.command.actor.partner, givenAt: step.now,
                timer: timer, level: level))
        step.payload["opdracht"] = .string(target)
        guard let def = workflow.timer(timer) else { return }
        step.record.timers += startTimer(def, owner: nil, step, ownerLevel: level, subject: target)
    }

    /// Ends an opdracht, recording its partner in the payload under `key`.
    private func endOpdracht(_ o: Opdracht, _ step: inout Step, key: String) {
        step.record.timers.removeAll { $0.belongs(to: o) }
        step.record.details.opdrachten.removeAll { $0.partner == o.partner }
        var ended = step.payload[key]?.arrayValue ?? []
        if key == "opdracht" {
            step.payload[key] = .string(o.partner)
        } else {
            ended.append(.string(o.partner))
            step.payload[key] = .array(ended)
        }
    }

    // MARK: Handover and regie

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

    private func endHandover(_ step: inout Step) {
        if let t = step.record.details.handover?.timer { step.record.timers.removeAll { $0.name == t } }
        step.record.details.handover = nil
    }

    private func assignRegie(to target: String, _ step: inout Step) throws(Refusal) {
        guard target != step.record.regie.partner else {
            throw Refusal(.invalidTarget, "\(target) already holds regie in case \(step.record.id)")
        }
        if step.record.details.handover != nil { endHandover(&step) }
        moveRegie(to: target, &step)
    }

    /// Regie moves in one step: the new holder leaves the other partners, the old one stays as `betrokken`. Unless
    /// the command names the new holder's contact person, its first action must.
    private func moveRegie(to target: String, _ step: inout Step) {
        step.record.participants.removeAll { $0.partner == target && $0.role == .betrokken }
        let previous = Participant(partner: step.record.regie.partner, role: .betrokken)
        if !step.record.participants.contains(previous) { step.record.participants.append(previous) }
        step.record.regie = RegieHolder(partner: target, contact: nil)
        step.record.details.contactRequired = true
        step.payload["regie"] = .string(target)
    }

    /// Moves the case to `level`, restarting the level's response deadline from the ladder.
    func changeLevel(_ record: inout CaseRecord, to level: Int, now: Instant) {
        record.timers.removeAll { $0.name == Self.levelTimer }
        record.level = level
        guard level > 0 else {
            record.details.levelSince = nil
            record.details.escalation = nil
            return
        }
        record.details.levelSince = now
        guard let l = region.level(level) else { return }
        record.timers.append(
            TimerRecord(
                name: Self.levelTimer, kind: .deadline, event: Self.levelTimerEvent,
                dueAt: calendar.deadline(after: l.deadline, from: now), startedAt: now, ownerState: nil,
                ownerLevel: level))
    }

    private func startNamedTimer(_ name: String, _ step: inout Step) {
        guard let def = workflow.timer(name) else { return }
        step.record.timers.removeAll { $0.name == name }
        step.record.timers += startTimer(def, owner: nil, step)
    }

    func validTarget(_ command: CaseCommand) throws(Refusal) -> String {
        guard let target = command.target?.trimmingSpaces, !target.isEmpty else {
            throw Refusal(.missingRequirement, "\"\(command.event)\" requires a target partner (--target)")
        }
        return target
    }

    func recipients(_ audience: [Audience], _ record: CaseRecord, _ target: String?) -> [String] {
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
}

extension TimerRecord {
    /// Whether this row is the deadline (or a reminder) of an opdracht.
    func belongs(to o: Opdracht) -> Bool { name == o.timer && subject == o.partner }
}
