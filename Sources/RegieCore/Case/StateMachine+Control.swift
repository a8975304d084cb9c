/// The built-in events of every workflow: suspension (opschorten), resumption (hervatten), extension (verlengen)
/// and the regiehouder's contact person. A deadline belongs to whoever set it: only the owner of its level, or of a
/// level above, may suspend or extend it; nobody may move a statutory one; and the owner of the case's level hears
/// of every suspension and extension.
extension StateMachine {
    func applyBuiltIn(_ command: CaseCommand, to record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        let actor = command.actor
        if command.event == "contactpersoon" { return try nameContact(command, record, now: now) }
        guard ownerRoles.contains(actor.role) else {
            let roles = ownerRoles.sorted().map(\.rawValue).joined(separator: ", ")
            throw Refusal(
                .wrongRole,
                "role \(actor.role.rawValue) may not fire \"\(command.event)\"; only the owners of escalation levels may: \(roles)"
            )
        }
        try checkHolds(actor, in: record)
        try checkContact(command, record, movesRegie: false)
        let authority = self.authority(of: actor, in: record) ?? 0
        var next = record
        var payload = JSONObject()
        let topic: String
        switch command.event {
        case "opschorten":
            let motivation = try required(command.motivation, "\"opschorten\" requires a motivation (--motivation)")
            if let s = record.details.suspension, authority <= s.level {
                throw Refusal(
                    .wrongState,
                    "case \(record.id) is already suspended by \(s.by.partner) (\(s.by.role.rawValue)), up to \(levelName(s.level)); lift it with hervatten"
                )
            }
            next.suspendedAt = record.suspendedAt ?? now
            next.details.suspension = Suspension(by: actor, level: authority, motivation: motivation)
            payload["motivation"] = .string(motivation)
            payload["level"] = .int(Int64(authority))
            settleTimers(&next, now: now).add(to: &payload)
            let running = next.timers.filter { $0.kind == .deadline && !$0.paused }.map { t in
                let why =
                    info(t).statutory
                    ? "statutory" : t.ownerLevel > authority ? "of \(levelName(t.ownerLevel))" : "held"
                return JSONValue.string("\(t.label) (\(why))")
            }
            if !running.isEmpty { payload["running"] = .array(running) }
            topic = "case.suspended"
        case "hervatten":
            guard let since = record.suspendedAt else {
                throw Refusal(.wrongState, "case \(record.id) is not suspended")
            }
            if let s = record.details.suspension, authority < s.level {
                throw Refusal(
                    .wrongRole,
                    "case \(record.id) was suspended by \(s.by.partner) (\(s.by.role.rawValue)) up to \(levelName(s.level)); only \(owners(from: s.level)) may lift it"
                )
            }
            next.suspendedAt = nil
            next.details.suspension = nil
            payload["suspendedSince"] = .string(since.iso8601)
            payload["workingDays"] = .int(Int64(calendar.workingDaysBetween(since, now)))
            settleTimers(&next, now: now).add(to: &payload)
            topic = "case.resumed"
        default:
            let t = try timerToExtend(command, record)
            guard let days = command.days, days > 0, days <= 365 else {
                throw Refusal(
                    .missingRequirement, "\"verlengen\" requires a number of working days from 1 to 365 (--days)")
            }
            let motivation = try required(command.motivation, "\"verlengen\" requires a reason (--motivation)")
            let def = workflow.timer(t.name)
            if let def, def.statutory {
                throw Refusal(
                    .wrongState,
                    "\(t.label) is a statutory deadline (\(def.legalBasis ?? "by law")): nobody may extend it; it is due \(calendar.law.deadlineText(t.dueAt))"
                )
            }
            guard authority >= t.ownerLevel else {
                throw Refusal(
                    .wrongRole,
                    "the deadline \(t.label) belongs to \(levelName(t.ownerLevel)); only \(owners(from: t.ownerLevel)) may extend it; \(actor.partner) acts as \(actor.role.rawValue)"
                )
            }
            var moved = t
            moved.dueAt = calendar.shifting(t.dueAt, byWorkingDays: days)
            next.timers.removeAll { $0.sameTimer(as: t) }
            next.timers.append(moved)
            if let def {
                next.timers += reminders(for: moved, def, now: now).map {
                    var r = $0
                    r.startedAt = t.startedAt
                    return r
                }
            }
            payload["timer"] = .string(t.label)
            payload["days"] = .int(Int64(days))
            payload["from"] = .string(t.dueAt.iso8601)
            payload["to"] = .string(moved.dueAt.iso8601)
            payload["motivation"] = .string(motivation)
            topic = "deadline.extended"
        }
        if let note = command.note { payload["note"] = .string(note) }
        if let contact = command.contact {
            next.regie.contact = contact
            next.details.contactRequired = false
            payload["contact"] = .string(contact)
        }
        next.sequence = record.sequence + 1
        next.updatedAt = now
        next.lastActivityAt = now
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: command.event, actor: actor,
            payload: .object(payload))
        // The owner of the case's level (and the regiehouder) hear of it, unless they did it themselves.
        let told = recipients([.levelOwner, .role(.regiehouder)], next, nil).filter { $0 != actor.partner }
        let notes =
            told.isEmpty
            ? []
            : [
                Notification(
                    caseId: record.id, sequence: next.sequence, topic: topic, recipients: told, event: command.event,
                    level: next.level)
            ]
        return Decision(record: next, events: [event], notifications: notes)
    }

    /// The running deadline `verlengen` names: `--timer NAME`, with `:PARTNER` (or `--target PARTNER`) for one
    /// of several instances.
    private func timerToExtend(_ command: CaseCommand, _ record: CaseRecord) throws(Refusal) -> TimerRecord {
        let running = record.timers.filter { $0.kind == .deadline }
        let names = running.map(\.label).joined(separator: ", ")
        guard let text = command.timer?.trimmingSpaces, !text.isEmpty else {
            throw Refusal(
                .missingRequirement, "\"verlengen\" requires the timer to extend (--timer); running: \(names)")
        }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let subject = parts.count == 2 ? parts[1] : command.target
        let matches = running.filter { $0.name == parts[0] && (subject == nil || $0.subject == subject) }
        guard let first = matches.first else {
            throw Refusal(.invalidArgument, "case \(record.id) has no running timer \"\(text)\"; running: \(names)")
        }
        guard matches.count == 1 else {
            throw Refusal(
                .invalidArgument,
                "case \(record.id) runs several \"\(text)\" deadlines: \(matches.map(\.label).joined(separator: ", ")); name one, e.g. --timer \(matches[0].label)"
            )
        }
        return first
    }

    /// `contactpersoon`: the regiehouder names its contact person.
    private func nameContact(_ command: CaseCommand, _ record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        guard command.actor.role == .regiehouder else {
            throw Refusal(
                .wrongRole,
                "only the regiehouder names its contact person (\"contactpersoon\"); \(command.actor.partner) acts as \(command.actor.role.rawValue)"
            )
        }
        try checkHolds(command.actor, in: record)
        let contact = try required(command.contact, "\"contactpersoon\" requires the contact person (--contact NAME)")
        var next = record
        next.regie.contact = contact
        next.details.contactRequired = false
        next.sequence = record.sequence + 1
        next.updatedAt = now
        next.lastActivityAt = now
        var payload = JSONObject(pairs: ["contact": .string(contact)])
        if let note = command.note { payload["note"] = .string(note) }
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: command.event, actor: command.actor,
            payload: .object(payload))
        return Decision(record: next, events: [event], notifications: [])
    }

    private func required(_ value: String?, _ message: String) throws(Refusal) -> String {
        guard let value, !value.trimmingSpaces.isEmpty else { throw Refusal(.missingRequirement, message) }
        return value
    }
}
