import RegieTestSupport
import Foundation
import RegieCore
import RegieCrypto
import RegieStore
import Testing

@testable import RegieEngine

@Suite struct FanOutTests {
    @Test func eachNotificationGetsOneDeliveryPerMatchingEndpointInItsOwnTransaction() throws {
        let h = try NotifyHarness()
        let ggz = try h.engine.addWebhook(
            partner: "ggz-aanbieder", url: "https://ggz.example.nl/hook", events: ["partner.*"], format: .thin)
        let ggzAll = try h.engine.addWebhook(
            partner: "ggz-aanbieder", url: "https://ggz.example.nl/all", events: ["*"], format: .zgw)
        _ = try h.engine.addWebhook(
            partner: "ggz-aanbieder", url: "https://ggz.example.nl/esc", events: ["escalation.*"], format: .thin)
        #expect(ggz.secret.hasPrefix("whsec_"))
        let id = try h.openCase()
        #expect(try h.count("SELECT count(*) FROM deliveries") == 0, "ggz takes no part yet")
        try h.fire(id, "partner-toevoegen", target: "ggz-aanbieder")
        let rows = try h.engine.deliveries().sorted { $0.endpointId < $1.endpointId }
        #expect(rows.count == 2)
        #expect(Set(rows.map(\.endpointId)) == [ggz.endpoint.id, ggzAll.endpoint.id])
        #expect(Set(rows.map(\.webhookId)).count == 2 && rows.allSatisfy { $0.webhookId.hasPrefix("msg_") })
        // Each delivery points at the outbox row written in the same transaction as the event.
        let linked = try h.count(
            "SELECT count(*) FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE o.topic='partner.added'")
        #expect(linked == 2)
        let thin = try JSONParser.parse(try #require(rows.first { $0.endpointId == ggz.endpoint.id }).body)
        #expect(thin["type"] == "partner.added")
        #expect(thin["data"]?["caseId"]?.stringValue == id)
        #expect(thin["data"]?["url"]?.stringValue == "http://127.0.0.1:8080/v1/cases/\(id)")
        #expect(thin["data"]?["level"] == 0)
        let zgw = try JSONParser.parse(try #require(rows.first { $0.endpointId == ggzAll.endpoint.id }).body)
        #expect(zgw["kanaal"] == "regie-casussen" && zgw["resource"] == "casus" && zgw["actie"] == "update")
        #expect(zgw["resourceUrl"] == zgw["hoofdObject"])
        #expect(zgw["kenmerken"]?["workflow"] == "netwerkcasus")
        for row in rows { #expect(!row.body.contains("bw-aanbieder"), "no care content, not even who holds regie") }
    }

    @Test func aRefusedCommandWritesNoDeliveryAndOutsidersGetNone() throws {
        let h = try NotifyHarness()
        _ = try h.engine.addWebhook(
            partner: "verslavingszorg", url: "https://vz.example.nl/hook", events: ["*"], format: .thin)
        _ = try h.engine.addWebhook(
            partner: "bw-aanbieder", url: "https://bw.example.nl/hook", events: ["*"], format: .thin)
        let id = try h.openCase()
        let before = try h.count("SELECT count(*) FROM deliveries")
        #expect(throws: EngineError.self) {
            try h.fire(id, "partner-toevoegen", as: Actor(partner: "verslavingszorg", role: .betrokken), target: "x")
        }
        #expect(try h.count("SELECT count(*) FROM deliveries") == before)
        #expect(
            try h.count(
                "SELECT count(*) FROM deliveries WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE partner='verslavingszorg')"
            ) == 0)
    }

    @Test func badSubscriptionsAreRefusedWithWhatToDo() throws {
        let h = try NotifyHarness()
        func refusal(_ url: String, _ events: [String], partner: String = "ggz-aanbieder") -> String {
            do {
                _ = try h.engine.addWebhook(partner: partner, url: url, events: events, format: .thin)
                return ""
            } catch { return error.description }
        }
        #expect(refusal("ftp://x.nl/h", ["*"]).contains("only http and https"))
        #expect(refusal("not a url", ["*"]).contains("not a URL"))
        #expect(refusal("https://u:p@x.nl/h", ["*"]).contains("user name or password"))
        #expect(refusal("https://x.nl/h", []).contains("at least one event type"))
        #expect(refusal("https://x.nl/h", ["escalation.**"]).contains("not an event type"))
        #expect(refusal("https://x.nl/h", ["*"], partner: "nobody-here").contains("nobody-here"))
        #expect(try h.engine.webhookEndpoints().isEmpty)
    }

    @Test func secretsAreStoredOnlySealedAndRotateWithOverlap() throws {
        let h = try NotifyHarness()
        let added = try h.engine.addWebhook(
            partner: "ggz-aanbieder", url: "https://ggz.example.nl/hook", events: ["*"], format: .thin)
        let raw = try #require(try h.engine.read { try $0.db.scalarText("SELECT secret FROM webhook_endpoints") })
        #expect(!raw.contains(String(added.secret.dropFirst(6).prefix(12))))
        let first = try h.engine.signingKeys(for: added.endpoint.id)
        #expect(first == [WebhookSignature.key(of: added.secret)])
        let rotated = try h.engine.rotateWebhookSecret(added.endpoint.id)
        let both = try h.engine.signingKeys(for: added.endpoint.id)
        #expect(both == [WebhookSignature.key(of: rotated), WebhookSignature.key(of: added.secret)])
        h.clock.advance(seconds: 24 * 3600 + 1)
        #expect(try h.engine.signingKeys(for: added.endpoint.id) == [WebhookSignature.key(of: rotated)])
    }
}
