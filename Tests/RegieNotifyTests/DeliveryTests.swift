import RegieTestSupport
import Foundation
import RegieCore
import RegieCrypto
import RegieHTTP
import RegieNotify
import RegieStore
import Testing

@testable import RegieEngine

/// Delivery to a real receiver on loopback (allowed through the test's allow-list), with the engine's clock in the
/// test's hands: a retry falls due when the test moves the clock.
@Suite struct DeliveryTests {
    static func settings(allowLoopback: Bool = true, attempts: Int = 4) -> WebhookSettings {
        var s = WebhookSettings()
        if allowLoopback { s.allowedNetworks = ["127.0.0.0/8"] }
        s.retry = RetrySchedule(delays: [0] + Array(repeating: 10, count: attempts - 1), jitter: 0)
        s.connectTimeoutMilliseconds = 1000
        s.timeoutMilliseconds = 700
        s.concurrency = 8
        return s
    }

    /// A harness, a receiver, and the regiehouder's endpoint subscribed to everything.
    struct Setup {
        let h: NotifyHarness
        let receiver: Receiver
        let hook: Engine.NewWebhook
        let deliverer: Deliverer

        init(
            settings: WebhookSettings = DeliveryTests.settings(), timing: Deliverer.Timing = .init(),
            url: ((Receiver) -> String)? = nil
        ) throws {
            h = try NotifyHarness(settings: settings)
            receiver = try Receiver()
            hook = try h.engine.addWebhook(
                partner: "bw-aanbieder", url: url?(receiver) ?? receiver.url(), events: ["*"], format: .thin)
            deliverer = try Deliverer(engine: h.engine, timing: timing, unit: { 0 })
        }

        func deliveries(_ status: DeliveryRow.Status? = nil) throws -> [DeliveryRow] {
            try h.engine.deliveries(endpoint: hook.endpoint.id, status: status).reversed()
        }
    }

    @Test func deliveriesAreSignedPerStandardWebhooksAndVerifiedByAnotherImplementation() throws {
        let s = try Setup()
        let id = try s.h.openCase()
        try s.h.fire(id, "plan-vastgesteld")
        try s.h.fire(id, "partner-toevoegen", target: "ggz-aanbieder")
        let planned = try s.deliveries()
        #expect(planned.count >= 2)
        let attempts = try s.deliverer.runUntilIdle()
        #expect(attempts == planned.count)
        let got = s.receiver.received
        #expect(got.map(\.id) == planned.map(\.webhookId), "each delivery once, in order, with its own id")
        #expect(got.allSatisfy { $0.contentType == "application/json" && $0.signature.hasPrefix("v1,") })
        #expect(got.map(\.body) == planned.map(\.body))
        #expect(try s.deliveries(.delivered).count == planned.count)
        let verified = try s.receiver.verifyWithStandardWebhooks(secret: s.hook.secret)
        #expect(verified == "\(planned.count)", "Python's standardwebhooks: \(verified)")
        // Under another secret the same requests do not verify.
        let other = try s.receiver.verifyWithStandardWebhooks(secret: try WebhookSignatureSecret.fresh())
        #expect(other.contains("WebhookVerificationError"))
        let log = try s.h.engine.deliveryLog(endpoint: s.hook.endpoint.id).map(\.attempt)
        #expect(log.count == planned.count && log.allSatisfy { $0.status == 204 && $0.error == nil })
    }

    @Test func aFailingReceiverIsRetriedWithTheSameIdUntilItRecovers() throws {
        let s = try Setup()
        s.receiver.answer { _, n in HTTPResponse.text(n < 2 ? 500 : 200, n < 2 ? "busy" : "ok") }
        _ = try s.h.openCase()
        #expect(try s.deliverer.runUntilIdle() == 1)
        var row = try #require(try s.deliveries().first)
        #expect(row.status == .pending && row.attempts == 1 && row.lastStatus == 500)
        #expect(row.nextAt == s.h.clock.now().adding(seconds: 10), "the schedule's second delay")
        #expect(try s.deliverer.runUntilIdle() == 0, "not due before its time")
        #expect(try s.h.engine.webhookEndpoint(s.hook.endpoint.id).failingSince != nil)
        for _ in 0..<2 {
            s.h.clock.advance(seconds: 10)
            #expect(try s.deliverer.runUntilIdle() == 1)
        }
        row = try #require(try s.deliveries().first)
        #expect(row.status == .delivered && row.attempts == 3)
        let got = s.receiver.received
        #expect(got.count == 3 && Set(got.map(\.id)) == [row.webhookId], "the same webhook-id on every retry")
        let log = try s.h.engine.deliveryLog(delivery: row.id).reversed().map(\.attempt.status)
        #expect(log == [500, 500, 200])
        #expect(try s.h.engine.deliveryLog(delivery: row.id).last?.attempt.response == "busy")
        #expect(try s.h.engine.webhookEndpoint(s.hook.endpoint.id).failingSince == nil, "working again")
    }

    @Test func afterTheLastAttemptADeliveryFailsAndCanBeRecoveredOrReplayed() throws {
        let s = try Setup(settings: Self.settings(attempts: 2))
        s.receiver.answer { _, _ in HTTPResponse(status: 500) }
        _ = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        s.h.clock.advance(seconds: 10)
        try s.deliverer.runUntilIdle()
        let failed = try #require(try s.deliveries().first)
        #expect(failed.status == .failed && failed.attempts == 2)
        s.receiver.answer { _, _ in HTTPResponse(status: 200) }
        #expect(try s.h.engine.recoverDeliveries(since: s.h.clock.now().adding(seconds: -3600)) == 1)
        #expect(try s.deliverer.runUntilIdle() == 1)
        #expect(try s.deliveries().first?.status == .delivered)
        try s.h.engine.replayDelivery(failed.id)
        #expect(try s.deliverer.runUntilIdle() == 1)
        #expect(Set(s.receiver.received.map(\.id)) == [failed.webhookId])
        #expect(s.receiver.received.count == 4)
    }

    @Test func goneDisablesTheEndpointAndTellsWhomToTell() throws {
        let s = try Setup()
        s.receiver.answer { _, _ in HTTPResponse(status: 410) }
        let id = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        let endpoint = try s.h.engine.webhookEndpoint(s.hook.endpoint.id)
        #expect(endpoint.disabledAt != nil && endpoint.disabledReason?.contains("410") == true)
        #expect(try s.deliveries().first?.status == .failed)
        let record = try #require(
            try s.h.engine.auditRecords(CaseStore.AuditFilter()).last { $0.channel == .system })
        #expect(record.partner == "bw-aanbieder" && record.detail?.contains("functioneel beheer") == true)
        // A disabled endpoint gets nothing more.
        try s.h.fire(id, "plan-vastgesteld")
        #expect(try s.deliverer.runUntilIdle() == 0)
        #expect(s.receiver.received.count == 1)
    }

    @Test(arguments: [429, 503])
    func retryAfterIsHonoured(status: Int) throws {
        let s = try Setup()
        s.receiver.answer { _, _ in HTTPResponse(status: status, headers: HTTPHeaders([("Retry-After", "120")])) }
        _ = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        let row = try #require(try s.deliveries().first)
        #expect(row.status == .pending && row.nextAt == s.h.clock.now().adding(seconds: 120))
    }

    @Test func aHangingReceiverTimesOutAndIsTriedAgain() throws {
        let s = try Setup()
        s.receiver.hang(seconds: 2)
        _ = try s.h.openCase()
        let started = Date()
        try s.deliverer.runUntilIdle()
        #expect(Date().timeIntervalSince(started) < 1.8, "given up after the 0.7 s timeout")
        let attempt = try #require(try s.h.engine.deliveryLog(endpoint: s.hook.endpoint.id).first?.attempt)
        #expect(attempt.status == nil && attempt.error?.contains("timed out") == true)
        #expect(attempt.durationMs >= 600)
        #expect(try s.deliveries().first?.status == .pending)
    }

    @Test func aRedirectIsNotFollowedAndCountsAsAFailure() throws {
        let s = try Setup()
        s.receiver.answer { request, _ in
            request.target == "/hook"
                ? HTTPResponse(status: 307, headers: HTTPHeaders([("Location", "/elsewhere")]))
                : HTTPResponse(status: 200)
        }
        _ = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        #expect(s.receiver.received.map(\.path) == ["/hook"])
        let row = try #require(try s.deliveries().first)
        #expect(row.status == .pending && row.lastStatus == 307)
    }

    @Test func aCaseKeepsItsOrderWhileOtherCasesGoOn() throws {
        let s = try Setup()
        let a = try s.h.openCase()
        let b = try s.h.openCase()
        for id in [a, b] {
            try s.h.fire(id, "plan-vastgesteld")
            try s.h.fire(id, "partner-toevoegen", target: "ggz-aanbieder")
        }
        // Case a's first notification fails twice; b's go through meanwhile.
        let first = try #require(try s.deliveries().first { $0.caseId == a })
        s.receiver.answer { request, _ in
            let failing = request.headers["webhook-id"] == first.webhookId
            return HTTPResponse(status: failing ? 500 : 200)
        }
        try s.deliverer.runUntilIdle()
        func received(_ id: String) -> [String] {
            s.receiver.received.filter { $0.body.contains(id) }.map(\.id)
        }
        let planned = { (id: String) in try s.deliveries().filter { $0.caseId == id }.map(\.webhookId) }
        #expect(received(b) == (try planned(b)), "b is not held up by a")
        #expect(received(a) == [first.webhookId], "a's later notifications wait for its first")
        s.h.clock.advance(seconds: 10)
        try s.deliverer.runUntilIdle()
        #expect(received(a) == [first.webhookId, first.webhookId])
        s.receiver.answer { _, _ in HTTPResponse(status: 200) }
        s.h.clock.advance(seconds: 10)
        try s.deliverer.runUntilIdle()
        let all = try planned(a)
        #expect(all.count == 2 && all.first == first.webhookId)
        #expect(received(a) == [first.webhookId, first.webhookId] + all, "then the rest of a, in order")
    }

    @Test func duringRotationBothSecretsSignAndAfterwardsOnlyTheNewOne() throws {
        let s = try Setup()
        let id = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        let newSecret = try s.h.engine.rotateWebhookSecret(s.hook.endpoint.id)
        try s.h.fire(id, "plan-vastgesteld")
        try s.deliverer.runUntilIdle()
        let during = try #require(s.receiver.received.last)
        #expect(during.signature.split(separator: " ").count == 2)
        let isDuring = { (r: Receiver.Received) in r.id == during.id }
        #expect(try s.receiver.verifyWithStandardWebhooks(secret: s.hook.secret, only: isDuring) == "1")
        #expect(try s.receiver.verifyWithStandardWebhooks(secret: newSecret, only: isDuring) == "1")
        s.h.clock.advance(seconds: 25 * 3600)
        _ = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        let after = try #require(s.receiver.received.last)
        #expect(after.id != during.id && after.signature.split(separator: " ").count == 1)
        let isAfter = { (r: Receiver.Received) in r.id == after.id }
        #expect(try s.receiver.verifyWithStandardWebhooks(secret: newSecret, only: isAfter) == "1")
        #expect(try s.receiver.verifyWithStandardWebhooks(secret: s.hook.secret, only: isAfter) != "1")
    }

    @Test func whenAttemptsCannotBeRecordedTheDeliveryStaysPendingAndIsNotHammered() throws {
        let s = try Setup(timing: .init(pauseAfterFailureMilliseconds: 300))
        let store = try CaseStore(path: s.h.database)
        try store.db.execute(
            "CREATE TRIGGER attempts_refuse BEFORE INSERT ON delivery_attempts BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        _ = try s.h.openCase()
        #expect(try s.deliverer.runUntilIdle() == 1)
        #expect(s.deliverer.takeProblems().first?.contains("not recorded") == true)
        #expect(s.receiver.received.count == 1, "sent once, not again and again while the store fails")
        let row = try #require(try s.deliveries().first)
        #expect(row.status == .pending && row.attempts == 0)
        try store.db.execute("DROP TRIGGER attempts_refuse")
        Thread.sleep(forTimeInterval: 0.35)
        #expect(try s.deliverer.runUntilIdle() == 1)
        #expect(try s.deliveries().first?.status == .delivered)
        #expect(s.receiver.received.map(\.id) == [row.webhookId, row.webhookId], "at least once, with its own id")
    }

    final class Flag: @unchecked Sendable {
        let lock = NSLock()
        var on = false
        var value: Bool { lock.withLock { on } }
        func set() { lock.withLock { on = true } }
    }

    /// A retry leaves on schedule when nothing else is going on: with `Retry-After: 1` the attempts are about a
    /// second apart (they waited up to 60 s when the wait was computed before the attempt was recorded).
    @Test func retriesLeaveOnScheduleWhenTheDelivererIsOtherwiseIdle() throws {
        let s = try Setup()
        s.receiver.answer { _, n in
            n < 3 ? HTTPResponse(status: 503, headers: HTTPHeaders([("Retry-After", "1")])) : HTTPResponse(status: 204)
        }
        _ = try s.h.openCase()
        // The engine's clock follows real time from here.
        let stop = Flag()
        let start = s.h.clock.now()
        let began = Date()
        Thread.detachNewThread {
            while !stop.value {
                s.h.clock.set(Instant(milliseconds: start.milliseconds + Int64(Date().timeIntervalSince(began) * 1000)))
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? s.deliverer.run { _ in }
            done.signal()
        }
        let deadline = Date().addingTimeInterval(10)
        while s.receiver.received.count < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        s.deliverer.stop()
        done.wait()
        stop.set()
        let at = s.receiver.received.map(\.at)
        #expect(at.count == 4, "attempts in 10 s: \(at.count)")
        let gaps = zip(at, at.dropFirst()).map { $1.timeIntervalSince($0) }
        #expect(gaps.allSatisfy { $0 >= 0.9 && $0 < 2.5 }, "gaps: \(gaps)")
    }

    @Test func anEndpointFailingForFiveDaysIsDisabled() throws {
        var settings = Self.settings(attempts: 40)
        settings.retry.delays = [0] + Array(repeating: 6 * 3600, count: 39)
        let s = try Setup(settings: settings)
        s.receiver.answer { _, _ in HTTPResponse(status: 500) }
        _ = try s.h.openCase()
        try s.deliverer.runUntilIdle()
        let since = try #require(try s.h.engine.webhookEndpoint(s.hook.endpoint.id).failingSince)
        for _ in 0..<19 {
            s.h.clock.advance(seconds: 6 * 3600)
            try s.deliverer.runUntilIdle()
        }
        #expect(try s.h.engine.webhookEndpoint(s.hook.endpoint.id).disabledAt == nil, "4 days 18 hours")
        s.h.clock.advance(seconds: 6 * 3600)
        try s.deliverer.runUntilIdle()
        let endpoint = try s.h.engine.webhookEndpoint(s.hook.endpoint.id)
        #expect(endpoint.disabledAt == s.h.clock.now() && endpoint.failingSince == since)
        #expect(endpoint.disabledReason?.contains("5 days") == true)
        #expect(try s.deliveries().first?.status == .failed)
    }

    @Test func aNameThatResolvesToLoopbackIsRefusedWithoutAnAllowList() throws {
        let s = try Setup(settings: Self.settings(allowLoopback: false)) { "http://localhost:\($0.port)/hook" }
        _ = try s.h.openCase()
        #expect(try s.deliverer.runUntilIdle() == 1)
        #expect(s.receiver.received.isEmpty, "never contacted")
        let attempt = try #require(try s.h.engine.deliveryLog(endpoint: s.hook.endpoint.id).first?.attempt)
        #expect(attempt.status == nil && attempt.error?.contains("loopback") == true)
        #expect(attempt.error?.contains("allowedNetworks") == true, "and what to do")
        // An address in the URL itself is refused when the endpoint is registered.
        for url in [
            "http://127.0.0.1:9/h", "http://10.1.2.3/h", "http://[::ffff:127.0.0.1]/h", "http://169.254.169.254/",
        ] {
            #expect(throws: EngineError.self) {
                try s.h.engine.addWebhook(partner: "bw-aanbieder", url: url, events: ["*"], format: .thin)
            }
        }
    }
}

/// A signing secret that no endpoint has.
enum WebhookSignatureSecret {
    static func fresh() throws -> String { try RegieCrypto.WebhookSignature.newSecret() }
}
