internal import Synchronization
internal import RegieCore
internal import RegieEngine

/// The escalation board, the lookup and health.
extension PartnerAPI {
    /// Cases at a level the caller owns, overdue first, then by time left.
    func escalations(_ call: inout Call) throws(APIProblem) -> Reply {
        _ = try query(call, allowed: [])
        let now = engine.clock.now()
        let items: [Engine.BoardItem]
        do { items = try engine.escalationBoard(for: call.partnerId) } catch { throw problem(error, caseId: nil) }
        call.touched = items.map { ($0.record.id, $0.record.clientKey) }
        let list: [JSONValue] = items.map { item in
            let r = item.record
            var o = JSONObject(pairs: [
                "id": .string(r.id), "workflow": .string(r.workflow), "state": .string(r.state),
                "level": .int(Int64(r.level)), "levelName": .optional(engine.config.level(r.level)?.name),
                "since": .optional(r.details.levelSince?.iso8601),
            ])
            // A shielded case names its holder (nor who raised it) on the board only to those taking part in it.
            let named = r.details.shield == nil || item.access.takesPart
            if named { o["regie"] = CaseRepresentation.regie(r.regie, engine: engine) }
            o["shielded"] = .bool(r.details.shield != nil)
            if case .object(var e)? = r.details.json["escalation"] {
                if !named { e["by"] = nil }
                o["escalation"] = .object(e)
            }
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

    /// Is this person known? Answers only existence and whom to contact (for a shielded case the region's safe
    /// point); the lookup states its purpose, and each regiehouder is told who asked and why.
    func lookup(_ call: inout Call) throws(APIProblem) -> Reply {
        let body = try jsonBody(call, allowed: ["bsn", "purpose"])
        guard let bsn = try string(body, "bsn") else {
            throw .invalid("body.bsn", "the BSN to look up is required", code: "required")
        }
        guard let purpose = try string(body, "purpose"), !purpose.isEmpty else {
            let choices = engine.config.lookupPurposes
            throw .invalid(
                "body.purpose",
                "a lookup states its purpose\(choices.isEmpty ? "" : ": one of \(choices.joined(separator: ", "))")",
                code: "required")
        }
        let audit = call.auditEntry(at: engine.clock.now(), outcome: .ok, status: 200)
        let answer: Engine.LookupAnswer
        do {
            answer = try engine.lookup(
                bsn: bsn, purpose: purpose, by: call.partnerId, person: call.person, audit: audit)
        } catch {
            // A lookup refused for its limit is logged by the engine; other refusals by the API as usual.
            if case .tooMany = error { call.audited = true }
            if case .refused(let r) = error {
                throw .invalid(r.message.contains("purpose") ? "body.purpose" : "body.bsn", r.message)
            }
            throw problem(error, caseId: nil)
        }
        call.audited = true
        return Reply(
            body: [
                "known": .bool(answer.known),
                "contacts": .array(
                    answer.contacts.map {
                        [
                            "partner": .string($0.partner), "name": .optional(engine.config.partner($0.partner)?.name),
                            "contact": .optional($0.contact ?? engine.config.partner($0.partner)?.contact),
                        ]
                    }),
            ])
    }

    /// The agenda of a Vroegsignaleringsoverleg, for its standing participants and the chairs of its signals: one
    /// item per person, each signal with its melder and chair, and the partners already involved; no care notes.
    func vsoAgenda(_ call: inout Call) throws(APIProblem) -> Reply {
        let q = try query(call, allowed: ["date"])
        var date: LocalDate?
        if let text = q["date"] {
            guard let d = LocalDate.parse(text) else {
                throw .invalid("query.date", "must be a date as YYYY-MM-DD", code: "format")
            }
            date = d
        }
        let team = call.params["basisteam"] ?? ""
        let agenda: Engine.Agenda
        do { agenda = try engine.vsoAgenda(team: team, on: date, for: call.partnerId) } catch {
            call.detail = "agenda \(team): \(error.description)"
            if case .notFound = error { throw .notFound("no agenda of basisteam \"\(team)\" that you take part in") }
            throw problem(error, caseId: nil)
        }
        call.touched = agenda.items.flatMap(\.signals).map { ($0.id, $0.clientKey) }
        call.detail = "agenda \(team) \(agenda.meeting.iso8601)"
        let items: [JSONValue] = agenda.items.map { item in
            [
                "signals": .array(
                    item.signals.map { s in
                        [
                            "id": .string(s.id), "openedAt": .string(s.openedAt.iso8601), "state": .string(s.state),
                            "melders": .array(s.partners.filter { $0.role == .melder }.map { .string($0.partner) }),
                            "chair": .string(s.regie.partner),
                            "_links": ["self": ["href": .string("/v1/cases/\(s.id)")]],
                        ]
                    }),
                "involved": .array(item.involved.map { .string($0) }),
            ]
        }
        return Reply(
            body: [
                "basisteam": .string(agenda.basisteam), "meetingAt": .string(agenda.meeting.iso8601),
                "items": .array(items),
            ])
    }

    /// Readiness: whether the service can do its work now. It reads (the next timer) and commits a write the way
    /// an access record is written (at most once a second; a burst of probes shares one result), because every
    /// answer with a case in it needs an access record first: when that cannot be written, nothing would be answered.
    func health() throws(APIProblem) -> Reply {
        let probe = probes.current(now: monotonicSeconds()) { () -> String? in
            do throws(EngineError) {
                try engine.probeWrite()
                return nil
            } catch {
                return error.description
            }
        }
        var checks = JSONObject()
        var reasons: [String] = []
        do {
            let due = try engine.nextDueAt()
            checks["database"] = "ok"
            checks["nextTimerDue"] = .optional(due?.iso8601)
        } catch {
            checks["database"] = .string("failing: \(error.description)")
            reasons.append("the database cannot be read: \(error.description)")
        }
        if let failure = probe {
            checks["write"] = .string("failing: \(failure)")
            reasons.append("no access record can be written, so no case is answered: \(failure)")
        } else {
            checks["write"] = "ok"
        }
        var body = JSONObject(pairs: [
            "status": .string(reasons.isEmpty ? "ok" : "failing"), "ready": .bool(reasons.isEmpty), "live": true,
            "version": .string(Self.version), "startedAt": .string(startedAt.iso8601), "checks": .object(checks),
        ])
        if !reasons.isEmpty { body["reason"] = .string(reasons.joined(separator: "; ")) }
        return Reply(status: reasons.isEmpty ? 200 : 503, body: .object(body))
    }

    /// Liveness: the process answers. It touches no database, so a failing disk does not get a working process
    /// restarted in a loop; `/v1/health` says whether it can do its work.
    func liveness() -> Reply {
        Reply(
            body: [
                "status": "ok", "live": true, "version": .string(Self.version), "startedAt": .string(startedAt.iso8601),
            ])
    }
}

/// The last write probe's result, shared by the probes of one second.
final class HealthProbes: Sendable {
    private let last = Mutex<(at: Double, failure: String?)?>(nil)

    /// The result of a probe made less than a second ago, or of `probe` now.
    func current(now: Double, _ probe: () -> String?) -> String? {
        if let recent = last.withLock({ $0 }), now - recent.at < 1 { return recent.failure }
        let failure = probe()
        last.withLock { $0 = (now, failure) }
        return failure
    }

}

/// The monitor, for the region's BI tools.
extension PartnerAPI {
    /// The monitor's report: only aggregates, for the partners region.json allows (`monitor.partners`).
    func monitorReport(_ call: inout Call) throws(APIProblem) -> Reply {
        let q = try query(call, allowed: MonitorRequest.parameters.union(["format"]))
        guard engine.mayReport(call.partnerId) else {
            throw APIProblem(
                403, "forbidden", "Forbidden",
                "\(call.partnerId) may not run the monitor's reports; region.json's monitor.partners names who may")
        }
        let request: MonitorRequest
        do {
            request = try engine.monitorRequest(query: q)
        } catch {
            throw .invalid("query.\(error.parameter)", error.reason)
        }
        let format = q["format"] ?? "json"
        guard format == "json" || format == "csv" else {
            throw .invalid("query.format", "json or csv, not \"\(format)\"")
        }
        call.detail = request.summary
        let report: MonitorReport
        do { report = try engine.monitorReport(request) } catch { throw problem(error, caseId: nil) }
        if format == "csv" {
            return Reply(
                body: .null, contentType: "text/csv; charset=utf-8", rawBody: Array(report.csv.utf8))
        }
        guard case .object(var body) = report.json else { return Reply(body: report.json) }
        // An upgraded database counts from its upgrade on: say since when.
        let since: Instant?
        do { since = try engine.monitorSince() } catch { throw problem(error, caseId: nil) }
        body["countingSince"] = .optional(since?.iso8601)
        return Reply(body: .object(body))
    }
}
