internal import RegieCore
internal import RegieEngine

/// The JSON a partner gets of a case and its events: exactly what its access (`CaseAccess`) allows.
enum CaseRepresentation {
    /// The case, as the caller may see it.
    static func caseJSON(
        _ r: CaseRecord, access: CaseAccess, engine: Engine, outbox: [(sequence: Int, recipients: [String])]? = nil,
        events: [CaseEvent] = [], partner: String
    ) -> JSONValue {
        var o = JSONObject(pairs: [
            "id": .string(r.id), "workflow": .string(r.workflow), "view": .string(access.view.rawValue),
            "yourRoles": .array(access.roles.map { .string($0.rawValue) }),
        ])
        switch access.view {
        case .outcome:
            o["status"] = .string(r.closedAt == nil ? "lopend" : "afgerond")
            o["openedAt"] = .string(r.openedAt.iso8601)
            o["closedAt"] = .optional(r.closedAt?.iso8601)
            // A melder of a signal learns when it is discussed.
            o["meetingAt"] = .optional(r.details.agenda?.iso8601)
            o["outcomes"] = .array(outcomes(events, outbox: outbox ?? [], partner: partner))
        case .status, .oversight, .full:
            o["version"] = .int(Int64(r.version))
            o["state"] = .string(r.state)
            o["level"] = .int(Int64(r.level))
            o["levelName"] = .optional(engine.config.level(r.level)?.name)
            o["regie"] = regie(r.regie, engine: engine)
            o["suspended"] = .bool(r.suspended)
            o["sequence"] = .int(Int64(r.sequence))
            o["openedAt"] = .string(r.openedAt.iso8601)
            o["updatedAt"] = .string(r.updatedAt.iso8601)
            o["closedAt"] = .optional(r.closedAt?.iso8601)
            o["shielded"] = .bool(r.details.shield != nil)
            let described = engine.json(of: r)
            let opdrachten = described["opdrachten"]?.arrayValue ?? []
            if access.view >= .oversight {
                o["partners"] = .array(
                    r.partners.map { p in
                        var j = JSONObject(pairs: ["partner": .string(p.partner), "role": .string(p.role.rawValue)])
                        if let m = p.members { j["serves"] = .array(m.sorted().map { .string($0) }) }
                        return .object(j)
                    })
                o["deadlines"] = .array((described["timers"]?.arrayValue ?? []).map(deadline))
                let d = r.details.json
                o["municipality"] = d["municipality"] ?? .null
                o["handover"] = d["handover"] ?? .null
                o["opdrachten"] = .array(opdrachten)
                // Before 1.1 a case had at most one opdracht; `opdracht` is the first, for clients of 1.0.
                o["opdracht"] = opdrachten.first ?? .null
                o["suspension"] = d["suspension"] ?? .null
                o["escalation"] = d["escalation"] ?? .null
                o["links"] = d["links"] ?? .array([])
                o["members"] = .array(
                    (try? engine.stateMachine(for: r))?.members(of: r).filter {
                        access.members?.contains($0.id) ?? true
                    }.map { ["id": .string($0.id), "relation": .string($0.relation)] } ?? [])
            } else if access.carriesOpdracht {
                o["opdrachten"] = .array(opdrachten.filter { $0["partner"]?.stringValue == partner })
            }
            if access.view == .full {
                // A partner serving some members of a household does not see the fields of the client the case was
                // opened for.
                o["fields"] =
                    access.members == nil ? r.details.json["fields"] ?? .object(JSONObject()) : .object(JSONObject())
            }
            o["allowedEvents"] = .array(engine.events(for: access, on: r).map { .string($0) })
        }
        o["_links"] = [
            "self": ["href": .string("/v1/cases/\(r.id)")],
            "events": ["href": .string("/v1/cases/\(r.id)/events")],
        ]
        return .object(o)
    }

    /// A deadline as the API describes it.
    private static func deadline(_ t: JSONValue) -> JSONValue {
        var j = JSONObject()
        for key in ["name", "label", "dueAt", "dueDate", "paused", "statutory", "legalBasis", "calendar", "ownerLevel"]
        {
            j[key] = t[key] ?? .null
        }
        return .object(j)
    }

    /// A line of a list. Of a shielded case, a partner that does not take part in it (a level's owner, the
    /// responsible municipality) is not told who holds regie in a list: it reads that on the case itself, logged.
    static func summary(_ r: CaseRecord, access: CaseAccess, engine: Engine) -> JSONValue {
        var o = JSONObject(pairs: [
            "id": .string(r.id), "workflow": .string(r.workflow), "view": .string(access.view.rawValue),
        ])
        if access.view == .outcome {
            o["status"] = .string(r.closedAt == nil ? "lopend" : "afgerond")
        } else {
            o["state"] = .string(r.state)
            o["level"] = .int(Int64(r.level))
            if r.details.shield == nil || access.takesPart { o["regie"] = regie(r.regie, engine: engine) }
            o["updatedAt"] = .string(r.updatedAt.iso8601)
        }
        o["_links"] = ["self": ["href": .string("/v1/cases/\(r.id)")]]
        return .object(o)
    }

    static func regie(_ h: RegieHolder, engine: Engine) -> JSONValue {
        [
            "partner": .string(h.partner), "name": .optional(engine.config.partner(h.partner)?.name),
            "contact": .optional(h.contact ?? engine.config.partner(h.partner)?.contact),
        ]
    }

    /// The events as the caller may see them. Every view but a melder's shows every change of state and level; the
    /// details of an event (its note, motivation, fields, who acted) go to the full view, to the owner of a level
    /// for the events that steer the escalation, and to a partner serving some members of a household for the
    /// events about them or the whole household. A lookup is shown to the regiehouder alone.
    static func eventsJSON(
        _ events: [CaseEvent], record: CaseRecord, access: CaseAccess, engine: Engine,
        outbox: [(sequence: Int, recipients: [String])], partner: String
    ) -> [JSONValue] {
        if access.view == .outcome { return outcomes(events, outbox: outbox, partner: partner) }
        let machine = try? engine.stateMachine(for: record)
        let holder = access.roles.contains(.regiehouder)
        return events.compactMap { e in
            if e.event == StateMachine.lookupEvent && !holder { return nil }
            if detailed(e, access: access, machine: machine, partner: partner) { return e.json }
            var o = JSONObject(pairs: [
                "sequence": .int(Int64(e.sequence)), "at": .string(e.at.iso8601), "event": .string(e.event),
            ])
            if let from = e.payload["from"] { o["from"] = from }
            if let to = e.payload["to"] { o["to"] = to }
            if let level = e.payload["level"] { o["level"] = level }
            return .object(o)
        }
    }

    private static func detailed(_ e: CaseEvent, access: CaseAccess, machine: StateMachine?, partner: String) -> Bool {
        switch access.view {
        case .full:
            guard let members = access.members else { return true }
            let about = Set((e.payload["voor"]?.arrayValue ?? []).compactMap(\.stringValue))
            return e.actor.partner == partner || about.contains(StateMachine.household)
                || !about.isDisjoint(with: members)
        case .oversight: return machine?.isEscalationEvent(e.event) ?? false
        case .status, .outcome: return false
        }
    }

    /// The events the workflow told this partner about (its notifications), with their `uitkomst` when they have
    /// one: what a melder is entitled to learn, and nothing else.
    static func outcomes(_ events: [CaseEvent], outbox: [(sequence: Int, recipients: [String])], partner: String)
        -> [JSONValue]
    {
        let told = Set(outbox.filter { $0.recipients.contains(partner) }.map(\.sequence))
        return events.filter { told.contains($0.sequence) && $0.actor.partner != partner }.map { e in
            var o = JSONObject(pairs: [
                "sequence": .int(Int64(e.sequence)), "at": .string(e.at.iso8601), "event": .string(e.event),
            ])
            o["uitkomst"] = e.payload["fields"]?["uitkomst"] ?? .null
            if let agenda = e.payload["agenda"] { o["meetingAt"] = agenda }
            return .object(o)
        }
    }
}
