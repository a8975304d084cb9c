internal import RegieCore
internal import RegieEngine
internal import RegieStore

/// The escalation board, the lookup and health.
extension PartnerAPI {
    /// Cases at a level the caller owns, overdue first, then by time left.
    func escalations(_ call: inout Call) throws(APIProblem) -> Reply {
        _ = try query(call, allowed: [])
        let now = engine.clock.now()
        var items: [(record: CaseRecord, access: CaseAccess, due: Instant?)] = []
        for level in 1...3 {
            let visible: [(CaseRecord, CaseAccess)]
            do {
                visible = try engine.visibleCases(
                    to: call.partnerId, state: nil, level: level, workflow: nil, stalled: false)
            } catch {
                throw problem(error, caseId: nil)
            }
            for (r, a) in visible where engine.levelOwners(of: r).contains(call.partnerId) {
                let deadlines = r.timers.filter { $0.kind == .deadline && !$0.paused }
                let due =
                    deadlines.first { $0.name == StateMachine.levelTimer }?.dueAt ?? deadlines.map(\.dueAt).min()
                items.append((r, a, due))
            }
        }
        items.sort { a, b in
            switch (a.due, b.due) {
            case (let x?, let y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.record.id < b.record.id
            }
        }
        call.touched = items.map { ($0.record.id, $0.record.clientKey) }
        let list: [JSONValue] = items.map { item in
            let r = item.record
            var o = JSONObject(pairs: [
                "id": .string(r.id), "workflow": .string(r.workflow), "state": .string(r.state),
                "level": .int(Int64(r.level)), "levelName": .optional(engine.config.level(r.level)?.name),
                "regie": CaseRepresentation.regie(r.regie, engine: engine),
                "since": .optional(r.details.levelSince?.iso8601),
            ])
            o["dueAt"] = .optional(item.due?.iso8601)
            let seconds = item.due.map { ($0.milliseconds - now.milliseconds) / 1000 }
            o["overdue"] = .bool((seconds ?? 1) < 0)
            o["secondsLeft"] = seconds.map { JSONValue.int($0) } ?? .null
            o["timeLeft"] = .optional(seconds.map { DurationText.rough(seconds: $0) })
            o["_links"] = ["self": ["href": .string("/v1/cases/\(r.id)")]]
            return .object(o)
        }
        return Reply(body: ["partner": .string(call.partnerId), "cases": .array(list)])
    }

    /// Is this person known? Answers only existence and the regiehouders' contacts; tells each regiehouder.
    func lookup(_ call: inout Call) throws(APIProblem) -> Reply {
        let body = try jsonBody(call, allowed: ["bsn"])
        guard let bsn = try string(body, "bsn") else {
            throw .invalid("body.bsn", "the BSN to look up is required", code: "required")
        }
        let audit = call.auditEntry(at: engine.clock.now(), outcome: .ok, status: 200)
        let holders: [RegieHolder]
        do { holders = try engine.lookup(bsn: bsn, by: call.partnerId, audit: audit) } catch {
            if case .refused(let r) = error { throw .invalid("body.bsn", r.message) }
            throw problem(error, caseId: nil)
        }
        call.audited = true
        return Reply(
            body: [
                "known": .bool(!holders.isEmpty),
                "contacts": .array(
                    holders.map {
                        [
                            "partner": .string($0.partner), "name": .optional(engine.config.partner($0.partner)?.name),
                            "contact": .optional($0.contact ?? engine.config.partner($0.partner)?.contact),
                        ]
                    }),
            ])
    }

    func health() throws(APIProblem) -> Reply {
        let checks: JSONValue
        var healthy = true
        do {
            let due = try engine.nextDueAt()
            checks = ["database": "ok", "nextTimerDue": .optional(due?.iso8601)]
        } catch {
            healthy = false
            checks = ["database": .string("failing: \(error.description)")]
        }
        return Reply(
            status: healthy ? 200 : 503,
            body: [
                "status": .string(healthy ? "ok" : "failing"), "version": .string(Self.version),
                "startedAt": .string(startedAt.iso8601), "checks": checks,
            ])
    }
}
