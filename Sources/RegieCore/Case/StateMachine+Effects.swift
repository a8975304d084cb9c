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
        // Room for the members a payload usually has (from, to, note, timers...), so that it grows once at most.
        var members: [JSONObject.Member] = []
        members.reserveCapacity(8)
        members.append(JSONObject.Member(key: "from", value: .string(old.state)))
        var step = Step(
            record: old, payload: JSONObject(members), command: command, sequence: old.sequence + 1, now: now,
            event: transition.event)
        step.movesOn = transition.to != nil
        step.firing = firing
        try applyEffects(transition.effects, &step, newCaseID: newCaseID)
        if let contact = command.contact {
            step.record.regie.contact = contact
            step.record.details.contactRequired = false
            step.payload["contact"] = .string(contact)
        }
        // The timers the new state starts, counted on the case as the effects left it.
        var started: [TimerRecord] = []
        if let to = transition.to, let def = workflow.state(to) {
            for timer in def.timers { started += startTimer(timer, owner: to, step) }
        }
        // The record and the payload are taken out of the step (which keeps the case as it was), so that the changes
        // below are made in place instead of on a copy.
        var record = step.record
        step.record = old
        var payload = step.payload
        step.payload = JSONObject()
        if let to = transition.to {
            // Leaving (or re-entering) a state cancels its timers; entering starts them afresh.
            record.timers.removeAll { $0.ownerState == old.state }
            record.state = to
            record.timers += started
            if let def = workflow.state(to) {
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
            try addPartner(role, &step)
        case .removePartner:
            try removePartner(&step)
        case .startTimer(let name):
            startNamedTimer(name, &step)
        case .cancelTimer(let name):
            try cancelTimer(name, &step)
        case .raiseLevel:
            try raiseLevel(&step)
        case .setLevel(let level):
            try setLevel(level, &step)
        case .offerHandover(let timer):
            try offerHandover(timer: timer, &step)
        case .acceptHandover(let timer):
            try acceptHandover(timer: timer, &step)
        case .refuseHandover:
            try refuseHandover(&step)
        case .recordMeeting:
            try recordMeeting(&step)
        case .completeHandover:
            try completeHandover(&step)
        case .withdrawHandover:
            try withdrawHandover(&step)
        case .giveOpdracht(let timer):
            try giveOpdracht(to: try validTarget(command), timer: timer, &step)
        case .completeOpdracht:
            try completeOpdracht(&step)
        case .withdrawOpdracht:
            try withdrawOpdracht(&step)
        case .endOpdracht:
            expireOpdracht(&step)
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
                step.record.details.postponed += 1
                step.payload["agenda"] = .string(next.iso8601)
            }
        case .notify(let topic, let to):
            step.notify(topic, recipients(to, step.record, command.target))
        }
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
