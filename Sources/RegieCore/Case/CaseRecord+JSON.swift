extension CaseRecord {
    /// The case as one JSON document with stable keys (`case show --json`, and the answer to commands).
    public var json: JSONValue {
        var o = JSONObject(pairs: [
            "id": .string(id), "workflow": .string(workflow), "version": .int(Int64(version)), "state": .string(state),
            "regie": ["partner": .string(regie.partner), "contact": .optional(regie.contact)],
            "level": .int(Int64(level)),
            "partners": .array(partners.map { ["partner": .string($0.partner), "role": .string($0.role.rawValue)] }),
            "suspended": .bool(suspended), "sequence": .int(Int64(sequence)),
            "timers": .array(timers.filter { $0.kind == .deadline }.map(\.json)),
            "reminders": .array(
                timers.filter { $0.kind == .reminder }.map {
                    [
                        "timer": .string($0.label), "dueAt": .string($0.dueAt.iso8601),
                        "dueDate": .string(Self.zone.deadlineDay(of: $0.dueAt).isoText),
                    ]
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
        o["opdrachten"] = .array(
            details.opdrachten.map { op in
                var j = JSONObject(pairs: [
                    "partner": .string(op.partner), "givenBy": .string(op.givenBy),
                    "givenAt": .string(op.givenAt.iso8601), "level": .int(Int64(op.level)),
                ])
                j["text"] = .optional(op.text)
                let due = timers.first { $0.kind == .deadline && $0.belongs(to: op) }
                j["dueAt"] = .optional(due?.dueAt.iso8601)
                j["dueDate"] = .optional(due.map { Self.zone.deadlineDay(of: $0.dueAt).isoText })
                return .object(j)
            })
        o["suspension"] = d["suspension"] ?? .null
        o["shield"] = d["shield"] ?? .null
        o["escalation"] = d["escalation"] ?? .null
        o["members"] = .array(
            details.members.map {
                ["id": .string($0.id), "relation": .string($0.relation), "known": .bool($0.clientKey != nil)]
            })
        o["contactRequired"] = .bool(details.contactRequired)
        o["links"] = d["links"] ?? .array([])
        o["agenda"] = d["agenda"] ?? .null
        return .object(o)
    }

    /// Amsterdam's zone, for the local day of a deadline (the same in every calendar).
    static let zone = DutchCalendar()
}

extension TimerRecord {
    /// A deadline as JSON: `dueAt` in UTC and `dueDate`, the local day it ends (a deadline at local midnight ends
    /// the day before).
    public var json: JSONValue {
        var o = JSONObject(pairs: [
            "name": .string(name), "label": .string(label), "event": .string(event), "dueAt": .string(dueAt.iso8601),
            "dueDate": .string(CaseRecord.zone.deadlineDay(of: dueAt).isoText), "paused": .bool(paused),
            "ownerLevel": .int(Int64(ownerLevel)),
        ])
        o["pausedAt"] = .optional(pausedAt?.iso8601)
        o["subject"] = .optional(subject)
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
