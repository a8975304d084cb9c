public import RegieCore
public import RegieStore
internal import RegieEngine

/// A partner's own webhook endpoints: register, list, remove, rotate the secret, and read the delivery log.
extension PartnerAPI {
    func listWebhooks(_ call: inout Call) throws(APIProblem) -> Reply {
        _ = try query(call, allowed: [])
        let endpoints: [WebhookEndpoint]
        do { endpoints = try engine.webhookEndpoints(partner: call.partnerId) } catch {
            throw problem(error, caseId: nil)
        }
        return Reply(body: ["webhooks": .array(endpoints.map { .object(WebhookRepresentation.endpoint($0)) })])
    }

    func createWebhook(_ call: inout Call) throws(APIProblem) -> Reply {
        let body = try jsonBody(call, allowed: ["url", "events", "format"])
        guard let url = try string(body, "url") else {
            throw .invalid("body.url", "the URL to deliver to is required", code: "required")
        }
        guard let list = body["events"]?.arrayValue else {
            throw .invalid("body.events", "a list of notification types is required, such as [\"*\"]", code: "required")
        }
        let events = list.compactMap(\.stringValue)
        guard events.count == list.count else {
            throw .invalid("body.events", "must be a list of strings", code: "type")
        }
        let formatText = try string(body, "format") ?? "thin"
        guard let format = WebhookEndpoint.Format(rawValue: formatText) else {
            throw .invalid("body.format", "must be thin or zgw", code: "enum")
        }
        if let problem = WebhookEndpoint.problem(inPatterns: events) { throw .invalid("body.events", problem) }
        let added: Engine.NewWebhook
        do { added = try engine.addWebhook(partner: call.partnerId, url: url, events: events, format: format) } catch {
            // The caller is a partner and its events are checked: what is left to refuse is the URL.
            if case .refused(let r) = error { throw .invalid("body.url", r.message) }
            throw problem(error, caseId: nil)
        }
        call.detail = "added webhook \(added.endpoint.id)"
        var o = WebhookRepresentation.endpoint(added.endpoint)
        o["secret"] = .string(added.secret)
        return Reply(status: 201, body: .object(o), headers: [("Location", "/v1/webhooks/\(added.endpoint.id)")])
    }

    /// The caller's endpoint named in the path; 404 for any other.
    private func ownEndpoint(_ call: Call) throws(APIProblem) -> WebhookEndpoint {
        let id = call.params["webhookId"] ?? ""
        do { return try engine.webhookEndpoint(id, of: call.partnerId) } catch {
            throw .notFound("no webhook \(id) of yours; GET /v1/webhooks lists them")
        }
    }

    func deleteWebhook(_ call: inout Call) throws(APIProblem) -> Reply {
        let endpoint = try ownEndpoint(call)
        if endpoint.disabledAt == nil {
            do { try engine.disableWebhook(endpoint.id, of: call.partnerId, reason: "removed by the partner") } catch {
                throw problem(error, caseId: nil)
            }
        }
        call.detail = "removed webhook \(endpoint.id)"
        return Reply(status: 204, body: .null, rawBody: [])
    }

    func rotateWebhookSecret(_ call: inout Call) throws(APIProblem) -> Reply {
        let endpoint = try ownEndpoint(call)
        guard endpoint.disabledAt == nil else {
            throw APIProblem(
                409, "webhook-disabled", "The webhook is disabled",
                "\(endpoint.id) is disabled (\(endpoint.disabledReason ?? "")); register a new one")
        }
        let secret: String
        do { secret = try engine.rotateWebhookSecret(endpoint.id, of: call.partnerId) } catch {
            throw problem(error, caseId: nil)
        }
        call.detail = "rotated the secret of webhook \(endpoint.id)"
        let until = engine.clock.now().adding(seconds: engine.webhooks.rotationGraceSeconds)
        return Reply(
            status: 201,
            body: ["secret": .string(secret), "previousSecretValidUntil": .string(until.iso8601)])
    }

    func listWebhookDeliveries(_ call: inout Call) throws(APIProblem) -> Reply {
        let q = try query(call, allowed: ["limit"])
        var limit = 100
        if let text = q["limit"] {
            guard let n = Int(text), (1...500).contains(n) else {
                throw .invalid("query.limit", "must be a number from 1 to 500", code: "range")
            }
            limit = n
        }
        let endpoint = try ownEndpoint(call)
        let log: [DeliveryLogEntry]
        do { log = try engine.deliveryLog(endpoint: endpoint.id, limit: limit) } catch {
            throw problem(error, caseId: nil)
        }
        return Reply(body: ["attempts": .array(log.map { .object(WebhookRepresentation.attempt($0)) })])
    }
}

/// Webhook endpoints and delivery attempts as JSON, the same for the API and `regie webhook ... --json`.
public enum WebhookRepresentation {
    /// An endpoint, never with its secret.
    public static func endpoint(_ e: WebhookEndpoint) -> JSONObject {
        var o = JSONObject(pairs: [
            "id": .string(e.id), "url": .string(e.url), "events": .array(e.events.map { .string($0) }),
            "format": .string(e.format.rawValue), "createdAt": .string(e.createdAt.iso8601),
            "state": .string(e.state.rawValue),
        ])
        o["failingSince"] = .optional(e.failingSince?.iso8601)
        o["disabledAt"] = .optional(e.disabledAt?.iso8601)
        o["disabledReason"] = .optional(e.disabledReason)
        o["previousSecretValidUntil"] = .optional(e.previousSecretUntil?.iso8601)
        o["_links"] = [
            "self": ["href": .string("/v1/webhooks/\(e.id)")],
            "deliveries": ["href": .string("/v1/webhooks/\(e.id)/deliveries")],
        ]
        return o
    }

    /// One attempt in the delivery log: at most 1 KiB of the answer, never a secret.
    public static func attempt(_ e: DeliveryLogEntry) -> JSONObject {
        var o = JSONObject(pairs: [
            "deliveryId": .int(e.attempt.deliveryId), "webhookId": .string(e.webhookId),
            "endpointId": .string(e.endpointId), "caseId": .string(e.caseId), "type": .string(e.topic),
            "at": .string(e.attempt.at.iso8601), "durationMs": .int(e.attempt.durationMs),
        ])
        o["status"] = e.attempt.status.map { .int(Int64($0)) } ?? .null
        o["error"] = .optional(e.attempt.error)
        o["response"] = .optional(e.attempt.response)
        return o
    }
}
