extension CaseRecord {
    /// The case as one JSON document with stable keys (`case show --json`, and the answer to commands).
    public var json: JSONValue {
        var o = JSONObject(pairs: [
            "id": .string(id), "workflow": .string(workflow), "version": .int(Int64(version)), "state": .string(state),
            "regie": ["partner": .string(regie.partner), "contact": .optional(regie.contact)],
            "level": .int(Int64(level)),
            "partners": .array(partners.map { ["partner": .string($0.partner), "role": .string($0.role.rawValue)] }),
            "suspended": .bool(suspended), "sequence": .int(Int64(sequence)),
            "timers": .array(
                timers.filter { $0.kind == .deadline }.map {
                    [
                        "name": .string($0.name), "event": .string($0.event), "dueAt": .string($0.dueAt.iso8601),
                        "paused": .bool($0.paused),
                    ]
                }),
            "reminders": .array(
                timers.filter { $0.kind == .reminder }.map {
                    ["timer": .string($0.name), "dueAt": .string($0.dueAt.iso8601)]
                }),
            "openedAt": .string(openedAt.iso8601), "updatedAt": .string(updatedAt.iso8601),
            "lastActivityAt": .string(lastActivityAt.iso8601),
        ])
        o["closedAt"] = closedAt.map { .string($0.iso8601) } ?? .null
        o["suspendedAt"] = suspendedAt.map { .string($0.iso8601) } ?? .null
        o["clientKey"] = clientKey.map { .string(String($0.prefix(16))) } ?? .null
        let d = details.json
        o["municipality"] = d["municipality"] ?? .null
        o["levelSince"] = d["levelSince"] ?? .null
        o["fields"] = d["fields"] ?? .object(JSONObject())
        o["handover"] = d["handover"] ?? .null
        o["opdracht"] = d["opdracht"] ?? .null
        o["links"] = d["links"] ?? .array([])
        o["agenda"] = d["agenda"] ?? .null
        return .object(o)
    }
}

extension CaseEvent {
    /// The event as JSON (`case timeline --json`).
    public var json: JSONValue {
        [
            "sequence": .int(Int64(sequence)), "at": .string(at.iso8601), "event": .string(event),
            "actor": [
                "partner": .string(actor.partner), "person": .optional(actor.person),
                "role": .string(actor.role.rawValue),
            ],
            "payload": payload,
        ]
    }
}
