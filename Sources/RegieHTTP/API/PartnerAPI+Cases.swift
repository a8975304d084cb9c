internal import RegieCore
internal import RegieEngine
internal import Foundation

/// The case resources.
extension PartnerAPI {
    /// The case in the path, if the caller may see it; otherwise 404, the same as for a case that does not exist.
    func visibleCase(_ call: inout Call, id given: String? = nil) throws(APIProblem) -> (CaseRecord, CaseAccess) {
        let id = given ?? call.params["caseId"] ?? ""
        let record: CaseRecord
        do { record = try engine.show(id) } catch {
            throw problem(error, caseId: id)
        }
        call.touched = [(record.id, record.clientKey)]
        guard let access = engine.access(to: record, for: call.partnerId) else {
            call.detail = "not visible to \(call.partnerId)"
            throw .caseNotFound(id)
        }
        return (record, access)
    }

    private func outboxRows(_ id: String) throws(APIProblem) -> [(sequence: Int, recipients: [String])] {
        do {
            return try engine.notified(of: id)
        } catch {
            throw problem(error, caseId: id)
        }
    }

    private func events(_ id: String, after: Int = 0, limit: Int = Int(Int32.max)) throws(APIProblem) -> [CaseEvent] {
        do { return try engine.timeline(id, after: after, limit: limit) } catch { throw problem(error, caseId: id) }
    }

    /// The most a page of the timeline may take, rendered: a page stops before the event that would pass it (but
    /// holds at least one), so one read never holds a whole long timeline in memory.
    static let maxPageBytes = 1 << 20

    func getCase(_ call: inout Call) throws(APIProblem) -> Reply {
        let (record, access) = try visibleCase(&call)
        var outbox: [(sequence: Int, recipients: [String])] = []
        var events: [CaseEvent] = []
        if access.view == .outcome {
            outbox = try outboxRows(record.id)
            events = try self.events(record.id)
        }
        let body = CaseRepresentation.caseJSON(
            record, access: access, engine: engine, outbox: outbox, events: events, partner: call.partnerId)
        var headers: [(String, String)] = []
        if access.view != .outcome { headers.append(("ETag", "\"\(record.sequence)\"")) }
        return Reply(body: body, headers: headers)
    }

    func listEvents(_ call: inout Call) throws(APIProblem) -> Reply {
        let q = try query(call, allowed: ["after", "pageSize"])
        var after = 0
        if let a = q["after"] {
            guard let n = Int(a), n >= 0 else {
                throw .invalid(
                    "query.after", "must be the sequence of the last event you have (0 for the first page)",
                    code: "range")
            }
            after = n
        }
        let pageSize = try positive(q["pageSize"], "pageSize", default: 100, max: 500)
        let (record, access) = try visibleCase(&call)
        let outbox = access.view == .outcome ? try outboxRows(record.id) : []
        let page = try events(record.id, after: after, limit: pageSize)
        var list: [JSONValue] = []
        var bytes = 0
        var last = after
        for e in page {
            let shown = CaseRepresentation.eventsJSON(
                [e], record: record, access: access, engine: engine, outbox: outbox, partner: call.partnerId)
            let size = shown.reduce(0) { $0 + $1.compactText.utf8.count }
            if bytes + size > Self.maxPageBytes && last > after { break }
            bytes += size
            list += shown
            last = e.sequence
        }
        var links: JSONObject = JSONObject(pairs: ["case": ["href": .string("/v1/cases/\(record.id)")]])
        if last < record.sequence {
            links["next"] = ["href": .string("/v1/cases/\(record.id)/events?after=\(last)&pageSize=\(pageSize)")]
        }
        return Reply(
            body: [
                "caseId": .string(record.id), "view": .string(access.view.rawValue), "events": .array(list),
                "_links": .object(links),
            ])
    }

    func listCases(_ call: inout Call) throws(APIProblem) -> Reply {
        let q = try query(call, allowed: ["state", "level", "stalled", "workflow", "page", "pageSize"])
        var level: Int?
        if let l = q["level"] {
            guard let n = Int(l), (0...3).contains(n) else {
                throw .invalid("query.level", "must be a level from 0 to 3", code: "range")
            }
            level = n
        }
        var stalled = false
        if let s = q["stalled"] {
            guard s == "true" || s == "false" else {
                throw .invalid("query.stalled", "must be true or false", code: "type")
            }
            stalled = s == "true"
        }
        let page = try positive(q["page"], "page", default: 1, max: 1_000_000)
        let pageSize = try positive(q["pageSize"], "pageSize", default: 20, max: 100)
        if let w = q["workflow"], engine.catalog.workflows[w] == nil {
            throw .invalid(
                "query.workflow",
                "no workflow \"\(w)\"; known: \(engine.catalog.workflows.keys.sorted().joined(separator: ", "))",
                code: "unknown")
        }
        let visible: [(CaseRecord, CaseAccess)]
        do {
            visible = try engine.visibleCases(
                to: call.partnerId, state: q["state"], level: level, workflow: q["workflow"], stalled: stalled)
        } catch {
            throw problem(error, caseId: nil)
        }
        let start = min(visible.count, (page - 1) * pageSize)
        let shown = visible[start..<min(visible.count, start + pageSize)]
        call.touched = shown.map { ($0.0.id, $0.0.clientKey) }
        var links = JSONObject(pairs: ["self": ["href": .string(pageLink(call, page))]])
        if start + pageSize < visible.count { links["next"] = ["href": .string(pageLink(call, page + 1))] }
        if page > 1 { links["prev"] = ["href": .string(pageLink(call, page - 1))] }
        return Reply(
            body: [
                "cases": .array(shown.map { CaseRepresentation.summary($0.0, access: $0.1, engine: engine) }),
                "page": .int(Int64(page)), "pageSize": .int(Int64(pageSize)), "total": .int(Int64(visible.count)),
                "_links": .object(links),
            ])
    }

    private func positive(_ text: String?, _ name: String, default value: Int, max: Int) throws(APIProblem) -> Int {
        guard let text else { return value }
        guard let n = Int(text), n >= 1, n <= max else {
            throw .invalid("query.\(name)", "must be a whole number from 1 to \(max)", code: "range")
        }
        return n
    }

    private func pageLink(_ call: Call, _ page: Int) -> String {
        let others = call.request.query.filter { $0.name != "page" }.map { "\($0.name)=\(percentEncoded($0.value))" }
        return call.request.path + "?" + (others + ["page=\(page)"]).joined(separator: "&")
    }

    func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if HTTPParser.isTokenByte(b) && b != UInt8(ascii: "%") && b != UInt8(ascii: "&") && b != UInt8(ascii: "+") {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }

    func fireEvent(_ call: inout Call) throws(APIProblem) -> Reply {
        let body = try jsonBody(
            call,
            allowed: [
                "event", "role", "note", "target", "motivation", "timer", "days", "fields", "contact", "members", "bsn",
                "relation",
            ])
        let (record, access) = try visibleCase(&call)
        guard let event = try string(body, "event"), !event.isEmpty else {
            throw .invalid("body.event", "the event to fire is required", code: "required")
        }
        call.detail = "event \(event)"
        var expected: Int?
        if let m = call.request.headers["if-match"] {
            let text = m.hasPrefix("W/") ? String(m.dropFirst(2)) : m
            let digits = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard let n = Int(digits), n >= 0 else {
                throw .invalid("header.If-Match", "must be the case's ETag, its sequence in quotes, e.g. \"7\"")
            }
            expected = n
        }
        let role: Role
        if let r = try string(body, "role") {
            guard let parsed = Role(rawValue: r), parsed != .systeem else {
                throw .invalid("body.role", "unknown role \"\(r)\"; yours here: \(roleList(access))", code: "unknown")
            }
            guard access.roles.contains(parsed) else {
                throw APIProblem(
                    422, "forbidden-transition", "The rules do not allow this",
                    "\(call.partnerId) does not hold role \(r) in case \(record.id); its roles: \(roleList(access))",
                    invalidParams: [
                        APIProblem.InvalidParam(name: "body.role", code: "notInCase", reason: "not your role")
                    ])
            }
            role = parsed
        } else {
            let allowed = engine.roles(allowedFor: event, on: record)
            role = access.roles.first { allowed.contains($0) } ?? access.roles[0]
        }
        var days: Int?
        if let d = body["days"], d != .null {
            guard let n = d.intValue, n > 0, n <= 366 else {
                throw .invalid("body.days", "must be a whole number of working days from 1 to 366", code: "range")
            }
            days = Int(n)
        }
        var command = CaseCommand(
            event: event, actor: Actor(partner: call.partnerId, person: call.person, role: role),
            note: try string(body, "note"), target: try string(body, "target"),
            motivation: try string(body, "motivation"), timer: try string(body, "timer"), days: days,
            expectedSequence: expected, fields: try strings(body, "fields"), contact: try string(body, "contact"))
        if let list = body["members"], list != .null {
            guard let items = list.arrayValue, let ids = Optional(items.compactMap(\.stringValue)),
                ids.count == items.count
            else { throw .invalid("body.members", "must be a list of member ids", code: "type") }
            command.members = ids
        }
        command.relation = try string(body, "relation")
        if let bsn = try string(body, "bsn") {
            do { command.clientKey = try engine.clientKey(bsn: bsn) } catch {
                if case .refused(let r) = error { throw .invalid("body.bsn", r.message) }
                throw problem(error, caseId: record.id)
            }
        }
        let key = try idempotencyKey(call)
        let audit = call.auditEntry(
            at: engine.clock.now(), outcome: .ok, status: 200, caseId: record.id, clientKey: record.clientKey)
        let outcome: Engine.Outcome
        do {
            outcome = try engine.fire(record.id, command, idempotencyKey: key, audit: audit)
        } catch {
            if case .refused(let r) = error { call.detail = "event \(event): \(r.reason.rawValue)" }
            throw problem(error, caseId: record.id)
        }
        call.audited = true
        let after = outcome.record ?? (try? engine.show(record.id)) ?? record
        let view = engine.access(to: after, for: call.partnerId)
        var headers: [(String, String)] = [("ETag", "\"\(after.sequence)\"")]
        if outcome.replayed { headers.append(("Idempotent-Replayed", "true")) }
        let json =
            view.map { CaseRepresentation.caseJSON(after, access: $0, engine: engine, partner: call.partnerId) }
            ?? [
                "id": .string(after.id), "workflow": .string(after.workflow), "view": "none", "yourRoles": [],
                "_links": ["self": ["href": .string("/v1/cases/\(after.id)")]],
            ]
        return Reply(body: json, headers: headers)
    }

    private func roleList(_ access: CaseAccess) -> String { access.roles.map(\.rawValue).joined(separator: ", ") }

    func idempotencyKey(_ call: Call) throws(APIProblem) -> String? {
        guard let key = call.request.headers["idempotency-key"] else { return nil }
        guard !key.isEmpty, key.utf8.count <= 200 else {
            throw .invalid("header.Idempotency-Key", "must be 1 to 200 characters, e.g. a UUID")
        }
        // Keys are per partner: one partner's key can never replay another partner's answer.
        return "api:\(call.partnerId):\(key)"
    }

    func openCase(_ call: inout Call) throws(APIProblem) -> Reply {
        let body = try jsonBody(
            call,
            allowed: [
                "workflow", "regie", "contact", "bsn", "fields", "gemeente", "from", "shield", "relation", "household",
            ])
        guard let workflow = try string(body, "workflow") else {
            throw .invalid("body.workflow", "the workflow to open is required", code: "required")
        }
        guard engine.catalog.workflows[workflow] != nil else {
            throw .invalid(
                "body.workflow",
                "no workflow \"\(workflow)\"; known: \(engine.catalog.workflows.keys.sorted().joined(separator: ", "))",
                code: "unknown")
        }
        call.detail = "open \(workflow)"
        let regie = try string(body, "regie") ?? call.partnerId
        if let from = try string(body, "from") {
            _ = try visibleCase(&call, id: from)
        }
        let actor = Actor(
            partner: call.partnerId, person: call.person, role: regie == call.partnerId ? .regiehouder : .melder)
        var household: [(relation: String, bsn: String?)] = []
        if let list = body["household"], list != .null {
            guard let items = list.arrayValue else {
                throw .invalid("body.household", "must be a list of {relation, bsn}", code: "type")
            }
            for (i, item) in items.enumerated() {
                guard let relation = item["relation"]?.stringValue else {
                    throw .invalid(
                        "body.household[\(i)].relation", "the member's relation is required", code: "required")
                }
                household.append((relation, item["bsn"]?.stringValue))
            }
        }
        let request = Engine.OpenRequest(
            workflow: workflow, regie: regie, contact: try string(body, "contact"), bsn: try string(body, "bsn"),
            actor: actor, idempotencyKey: try idempotencyKey(call), fields: try strings(body, "fields"),
            municipality: try string(body, "gemeente"), from: try string(body, "from"),
            shield: try string(body, "shield"),
            relation: try string(body, "relation"), members: household)
        let audit = call.auditEntry(at: engine.clock.now(), outcome: .ok, status: 201)
        let outcome: Engine.Outcome
        do { outcome = try engine.open(request, audit: audit) } catch {
            if case .refused(let r) = error { call.detail = "open \(workflow): \(r.reason.rawValue)" }
            throw problem(error, caseId: nil)
        }
        call.audited = true
        guard let id = outcome.record?.id ?? outcome.response["id"]?.stringValue,
            let record = outcome.record ?? (try? engine.show(id)),
            let access = engine.access(to: record, for: call.partnerId)
        else {
            return Reply(status: 201, body: outcome.response)
        }
        var headers: [(String, String)] = [("Location", "/v1/cases/\(id)"), ("ETag", "\"\(record.sequence)\"")]
        if outcome.replayed { headers.append(("Idempotent-Replayed", "true")) }
        return Reply(
            status: 201,
            body: CaseRepresentation.caseJSON(record, access: access, engine: engine, partner: call.partnerId),
            headers: headers)
    }
}
