/// The built-in events of every workflow: suspension (opschorten), resumption (hervatten), extension (verlengen)
/// and the regiehouder's contact person. A deadline belongs to whoever set it: only the owner of its level, or of a
/// level above, may suspend or extend it; nobody may move a statutory one; and the owner of the case's level hears
/// of every suspension and extension.
extension StateMachine {
    func applyBuiltIn(_ command: CaseCommand, to record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        let actor = command.actor
        if Self.holderEvents.contains(command.event) { return try byHolder(command, record, now: now) }
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
        case "gemeente-wijzigen":
            let target = try validTarget(command)
            if let p = region.partner(target), p.kind != "gemeente" {
                throw Refusal(.invalidTarget, "\(target) is a \(p.kind), not a municipality (gemeente)")
            }
            guard target != record.details.municipality else {
                throw Refusal(.invalidTarget, "\(target) is already the responsible municipality of case \(record.id)")
            }
            guard authority >= record.level else {
                throw Refusal(
                    .wrongRole,
                    "case \(record.id) is at \(levelName(record.level)), whose owner follows from the municipality; only \(owners(from: record.level)) may change it"
                )
            }
            let motivation = try required(
                command.motivation, "\"gemeente-wijzigen\" requires a motivation (--motivation)")
            if next.details.origin == nil { next.details.origin = record.details.municipality }
            next.details.municipality = target
            payload["from"] = .optional(record.details.municipality)
            payload["to"] = .string(target)
            payload["motivation"] = .string(motivation)
            topic = "case.municipality"
        case "afschermen", "afscherming-opheffen":
            let shielding = command.event == "afschermen"
            let motivation = try required(
                command.motivation, "\"\(command.event)\" requires a motivation (--motivation)")
            if shielding, let s = record.details.shield {
                throw Refusal(
                    .wrongState, "case \(record.id) is already shielded (by \(s.by) since \(calendar.localText(s.at)))")
            }
            if !shielding && record.details.shield == nil {
                throw Refusal(.wrongState, "case \(record.id) is not shielded")
            }
            next.details.shield = shielding ? Shield(by: actor.partner, at: now, motivation: motivation) : nil
            payload["motivation"] = .string(motivation)
            topic = shielding ? "case.shielded" : "case.unshielded"
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
        // The owner of the case's level (and the regiehouder) hear of it, unless they did it themselves; of a
        // change of municipality, both municipalities.
        var audience: [Audience] = [.levelOwner, .role(.regiehouder)]
        if command.event == "gemeente-wijzigen" { audience.append(.target) }
        var told = recipients(audience, next, command.target)
        if command.event == "gemeente-wijzigen", let before = record.details.municipality {
            told += [before] + recipients([.levelOwner], record, nil)
        }
        told = told.reduce(into: [String]()) { if !$0.contains($1) && $1 != actor.partner { $0.append($1) } }
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

    /// What only the regiehouder does: name its contact person (`contactpersoon`), add a member to a household
    /// (`lid-toevoegen`).
    private func byHolder(_ command: CaseCommand, _ record: CaseRecord, now: Instant) throws(Refusal) -> Decision {
        guard command.actor.role == .regiehouder else {
            throw Refusal(
                .wrongRole,
                "only the regiehouder fires \"\(command.event)\"; \(command.actor.partner) acts as \(command.actor.role.rawValue)"
            )
        }
        try checkHolds(command.actor, in: record)
        var next = record
        var payload = JSONObject()
        if command.event == "contactpersoon" {
            let contact = try required(
                command.contact, "\"contactpersoon\" requires the contact person (--contact NAME)")
            next.regie.contact = contact
            next.details.contactRequired = false
            payload["contact"] = .string(contact)
        } else {
            try checkContact(command, record, movesRegie: false)
            let relation = try required(
                command.relation,
                "\"lid-toevoegen\" requires the member's relation (--relatie \(CaseMember.relations.dropFirst().joined(separator: "|")))"
            )
            guard CaseMember.relations.contains(relation) else {
                throw Refusal(
                    .invalidArgument,
                    "relation \"\(relation)\" is unknown; use \(CaseMember.relations.joined(separator: ", "))")
            }
            if let key = command.clientKey,
                record.clientKey == key || record.details.members.contains(where: { $0.clientKey == key })
            {
                throw Refusal(.invalidArgument, "this person is already a member of case \(record.id)")
            }
            next.details.members = members(of: record)
            let member = CaseMember(
                id: CaseMember.nextID(relation, among: next.details.members), relation: relation,
                clientKey: command.clientKey)
            next.details.members.append(member)
            payload["member"] = .string(member.id)
            payload["relation"] = .string(relation)
            if command.clientKey != nil { payload["clientKey"] = true }
            if let contact = command.contact {
                next.regie.contact = contact
                next.details.contactRequired = false
                payload["contact"] = .string(contact)
            }
        }
        next.sequence = record.sequence + 1
        next.updatedAt = now
        next.lastActivityAt = now
        if let note = command.note { payload["note"] = .string(note) }
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: command.event, actor: command.actor,
            payload: .object(payload))
        return Decision(record: next, events: [event], notifications: [])
    }

    /// The members of a case, the client it was opened for first (as `client-1` when it was not named).
    public func members(of record: CaseRecord) -> [CaseMember] {
        if !record.details.members.isEmpty || record.clientKey == nil { return record.details.members }
        return [CaseMember(id: "client-1", relation: "client", clientKey: record.clientKey)]
    }

    /// Records on a case that a partner looked one of its clients up ("is this person known?"): who asked, for what
    /// purpose. The event is shown to the regiehouder, who is told (unless it asked itself).
    public func lookedUp(_ record: CaseRecord, by partner: String, person: String?, purpose: String, now: Instant)
        -> Decision
    {
        var next = record
        next.sequence += 1
        next.updatedAt = now
        let details = JSONObject(pairs: [
            "askedBy": .string(partner), "person": .optional(person), "purpose": .string(purpose),
        ])
        var payload = details
        payload["shielded"] = .bool(record.details.shield != nil)
        let event = CaseEvent(
            caseId: record.id, sequence: next.sequence, at: now, event: Self.lookupEvent, actor: .system,
            payload: .object(payload))
        let notes =
            partner == record.regie.partner
            ? []
            : [
                Notification(
                    caseId: record.id, sequence: next.sequence, topic: "lookup.match",
                    recipients: [record.regie.partner],
                    event: Self.lookupEvent, level: record.level, details: details)
            ]
        return Decision(record: next, events: [event], notifications: notes)
    }

    private func required(_ value: String?, _ message: String) throws(Refusal) -> String {
        guard let value, !value.isBlank else { throw Refusal(.missingRequirement, message) }
        return value
    }
}
