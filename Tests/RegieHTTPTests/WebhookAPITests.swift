import RegieTestSupport
import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// A partner manages its own webhook endpoints over the API, and only its own.
@Suite struct WebhookAPITests {
    @Test func aPartnerRegistersRotatesReadsTheLogOfAndRemovesItsOwnEndpoint() throws {
        let h = try APIHarness()
        let created = try h.call(
            "POST", "/v1/webhooks", as: "ggz-aanbieder",
            json: #"{"url": "https://ggz.example.nl/regie", "events": ["escalation.*", "case.opened"]}"#)
        #expect(created.status == 201)
        let id = try #require(created.json["id"]?.stringValue)
        let secret = try #require(created.json["secret"]?.stringValue)
        #expect(secret.hasPrefix("whsec_") && created.headers["location"] == "/v1/webhooks/\(id)")
        #expect(created.json["format"] == "thin" && created.json["state"] == "active")

        let mine = try h.call("GET", "/v1/webhooks", as: "ggz-aanbieder")
        #expect(mine.json["webhooks"]?.arrayValue?.map { $0["id"] } == [.string(id)])
        #expect(!mine.body.contains(secret) && !mine.body.contains("secret\""), "never the secret again")
        #expect(try h.call("GET", "/v1/webhooks", as: "bw-aanbieder").json["webhooks"]?.arrayValue?.isEmpty == true)

        // Another partner's endpoint does not exist for the caller.
        #expect(try h.call("DELETE", "/v1/webhooks/\(id)", as: "bw-aanbieder").status == 404)
        #expect(try h.call("POST", "/v1/webhooks/\(id)/secret", as: "bw-aanbieder").status == 404)
        #expect(try h.call("GET", "/v1/webhooks/\(id)/deliveries", as: "bw-aanbieder").status == 404)

        let rotated = try h.call("POST", "/v1/webhooks/\(id)/secret", as: "ggz-aanbieder")
        #expect(rotated.status == 201)
        let newSecret = try #require(rotated.json["secret"]?.stringValue)
        #expect(newSecret != secret && newSecret.hasPrefix("whsec_"))
        #expect(try h.engine.signingKeys(for: id).count == 2, "both sign during the grace period")

        // An attempt in the log, as the deliverer would record it.
        let caseId = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem")
        try h.fire(
            caseId, "partner-toevoegen", as: .init(partner: "bw-aanbieder", role: .regiehouder), target: "ggz-aanbieder"
        )
        _ = try h.open("netwerkcasus", regie: "ggz-aanbieder", gemeente: "gemeente-haarlem")
        let row = try #require(try h.engine.deliveries(endpoint: id).first)
        let done = DispatchSemaphore(value: 0)
        h.engine.record(deliveries: [
            Engine.DeliveryReport(
                delivery: row,
                attempt: DeliveryAttempt(
                    deliveryId: row.id, at: h.clock.now(), status: 503, durationMs: 12, error: nil,
                    response: "onderhoud"),
                verdict: .retry(afterMilliseconds: 5000))
        ]) { _ in done.signal() }
        done.wait()
        let log = try h.call("GET", "/v1/webhooks/\(id)/deliveries?limit=10", as: "ggz-aanbieder")
        #expect(log.status == 200)
        let attempt = try #require(log.json["attempts"]?.arrayValue?.first)
        #expect(
            attempt["status"] == 503 && attempt["response"] == "onderhoud"
                && attempt["webhookId"] == .string(row.webhookId))
        #expect(try h.call("GET", "/v1/webhooks/\(id)/deliveries?limit=0", as: "ggz-aanbieder").status == 400)

        #expect(try h.call("DELETE", "/v1/webhooks/\(id)", as: "ggz-aanbieder").status == 204)
        #expect(try h.call("DELETE", "/v1/webhooks/\(id)", as: "ggz-aanbieder").status == 204, "idempotent")
        let after = try h.call("GET", "/v1/webhooks", as: "ggz-aanbieder")
        #expect(after.json["webhooks"]?.arrayValue?.first?["state"] == "disabled")
        #expect(try h.call("POST", "/v1/webhooks/\(id)/secret", as: "ggz-aanbieder").status == 409)
        #expect(try h.engine.deliveries(endpoint: id, status: .pending).isEmpty, "nothing more goes out")

        // Every call is on the access log, with who asked; the secret never is.
        let audit = try h.auditLog().filter { $0.resource.contains("/v1/webhooks") }
        #expect(audit.count == 13, "one record per call")
        #expect(audit.allSatisfy { !($0.detail ?? "").contains("whsec_") })
        #expect(
            audit.contains {
                $0.resource == "DELETE /v1/webhooks/{webhookId}" && $0.partner == "bw-aanbieder"
                    && $0.outcome == .notFound
            })
    }

    @Test func badRegistrationsSayWhatIsWrongAndChangeNothing() throws {
        let h = try APIHarness()
        func refused(_ body: String) throws -> (status: Int, name: String?, detail: String) {
            let r = try h.call("POST", "/v1/webhooks", as: "ggz-aanbieder", json: body)
            return (
                r.status, r.json["invalidParams"]?.arrayValue?.first?["name"]?.stringValue,
                r.json["detail"]?.stringValue ?? ""
            )
        }
        let ftp = try refused(#"{"url": "ftp://x.nl/h", "events": ["*"]}"#)
        #expect(ftp.status == 400 && ftp.name == "body.url" && ftp.detail.contains("only http and https"))
        let privateAddress = try refused(#"{"url": "http://10.1.2.3/h", "events": ["*"]}"#)
        #expect(privateAddress.name == "body.url" && privateAddress.detail.contains("private"))
        #expect(try refused(#"{"url": "https://x.nl/h"}"#).name == "body.events")
        let pattern = try refused(#"{"url": "https://x.nl/h", "events": ["escalation.**"]}"#)
        #expect(pattern.name == "body.events" && pattern.detail.contains("not an event type"))
        #expect(try refused(#"{"url": "https://x.nl/h", "events": ["*"], "format": "xml"}"#).name == "body.format")
        #expect(try refused(#"{"url": "https://x.nl/h", "events": ["*"], "secret": "mine"}"#).name == "body.secret")
        #expect(try h.engine.webhookEndpoints().isEmpty)
    }
}
