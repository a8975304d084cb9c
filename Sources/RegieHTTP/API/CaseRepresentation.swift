internal import RegieCore
internal import RegieEngine

/// The JSON a partner gets of a case and its events: exactly what its view (`CaseAccess.View`) allows.
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
            o["outcomes"] = .array(outcomes(events, outbox: outbox ?? [], partner: partner))
        case .status, .full:
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
            if access.view == .full {
                o["partners"] = .array(
                    r.partners.map { ["partner": .string($0.partner), "role": .string($0.role.rawValue)] })
                let described = engine.json(of: r)
                o["deadlines"] = .array(
                    (described["timers"]?.arrayValue ?? []).map { t in
                        var j = JSONObject()
                        for key in [
                            "name", "label", "dueAt", "dueDate", "paused", "statutory", "legalBasis", "calendar",
                        ] {
                            j[key] = t[key] ?? .null
                        }
                        j["ownerLevel"] = t["ownerLevel"] ?? .null
                        return .object(j)
                    })
                let d = r.details.json
                o["municipality"] = d["municipality"] ?? .null
                o["fields"] = d["fields"] ?? .object(JSONObject())
                o["handover"] = d["handover"] ?? .null
                let opdrachten = described["opdrachten"]?.arrayValue ?? []
                o["opdrachten"] = .array(opdrachten)
                // Before 1.1 a case had at most one opdracht; `opdracht` is the first, for clients of 1.0.
                o["opdracht"] = opdrachten.first ?? .null
                o["suspension"] = d["suspension"] ?? .null
                o["links"] = d["links"] ?? .array([])
            }
            o["allowedEvents"] = .array(engine.events(for: access, on: r).map { .string($0) })
        }
        o["_links"] = [
            "self": ["href": .string("/v1/cases/\(r.id)")],
            "events": ["href": .string("/v1/cases/\(r.id)/events")],
        ]
        return .object(o)
    }

    /// A line of a list.
    static func summary(_ r: CaseRecord, access: CaseAccess, engine: Engine) -> JSONValue {
        var o = JSONObject(pairs: [
            "id": .string(r.id), "workflow": .string(r.workflow), "view": .string(access.view.rawValue),
        ])
        if access.view == .outcome {
            o["status"] = .string(r.closedAt == nil ? "lopend" : "afgerond")
        } else {
            o["state"] = .string(r.state)
            o["level"] = .int(Int64(r.level))
            o["regie"] = regie(r.regie, engine: engine)
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

    /// The events as the caller may see them.
    static func eventsJSON(
        _ events: [CaseEvent], access: CaseAccess, outbox: [(sequence: Int, recipients: [String])], partner: String
    ) -> [JSONValue] {
        switch access.view {
        case .full: return events.map(\.json)
        case .status:
            return events.map { e in
                var o = JSONObject(pairs: [
                    "sequence": .int(Int64(e.sequence)), "at": .string(e.at.iso8601), "event": .string(e.event),
                ])
                if let from = e.payload["from"] { o["from"] = from }
                if let to = e.payload["to"] { o["to"] = to }
                if let level = e.payload["level"] { o["level"] = level }
                return .object(o)
            }
        case .outcome: return outcomes(events, outbox: outbox, partner: partner)
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
            return .object(o)
        }
    }
}
