import Foundation
import Synchronization
import RegieCore
import RegieEngine
import RegieHTTP
import RegieNotify
import RegieStore

/// Webhook delivery to a receiver on loopback (our own HTTP server, allowed through the allow-list): deliveries per
/// second with signatures and durable attempt records, and the time from an event's commit to the receipt of its
/// notification while the engine runs 1,000 transitions per second.
enum WebhookBench {
    struct Figures {
        var deliveriesPerSecond = Double.nan
        var delivered = 0
        var latencyP50ms = Double.nan
        var latencyP99ms = Double.nan
        var transitionsPerSecond = Double.nan
        var measured = 0
    }

    /// What the receiver saw: when each notification (case and sequence) arrived, on the monotonic clock.
    final class Receipts: Sendable {
        struct Seen {
            var count = 0
            var at: [String: Double] = [:]
            var bad = 0
        }
        let seen = Mutex(Seen())
    }

    /// The one partner, so that it may see its cases (and so receive their notifications).
    static let partners = """
        {"partners": [{"id": "gemeente-haarlem", "name": "Gemeente Haarlem", "domain": "gemeente", "kind": "gemeente"}]}
        """

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        var f = Figures()
        let setup = try BenchSetup()
        defer { setup.remove() }
        var settings = WebhookSettings()
        settings.allowedNetworks = ["127.0.0.0/8"]
        _ = try CaseStore.create(path: setup.database, simulatedClock: false, now: WallClock().now())
        let engine = try Engine(
            databasePath: setup.database, catalog: try WorkflowCatalog(folder: setup.workflows),
            config: try RegionConfig.load(region: nil, partners: (Array(partners.utf8), "bench partners")),
            clock: WallClock(),
            pseudonymizer: try Pseudonymizer(secret: Array("bench-secret-of-sufficient-length".utf8)),
            webhooks: settings)

        let receipts = Receipts()
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 1
        configuration.workers = 2
        let receiver = HTTPServer(configuration: configuration) { request in
            let now = monotonic()
            let body = (try? JSONParser.parse(request.body)) ?? .null
            let key = body["data"].flatMap { d in
                d["caseId"]?.stringValue.map { "\($0)#\(d["sequence"]?.intValue ?? -1)" }
            }
            receipts.seen.withLock { seen in
                seen.count += 1
                if let key, request.headers["webhook-signature"]?.hasPrefix("v1,") == true {
                    seen.at[key] = now
                } else {
                    seen.bad += 1
                }
            }
            return HTTPResponse(status: 204)
        }
        try receiver.start()
        defer { receiver.shutdown() }
        _ = try engine.addWebhook(
            partner: "gemeente-haarlem", url: "http://127.0.0.1:\(receiver.port)/hook", events: ["*"], format: .thin)

        // 1. Throughput: every opened case has a case.opened delivery waiting; the deliverer sends them all.
        let n = quick ? 2_000 : 20_000
        log("webhooks: opening \(n) cases, each with a delivery waiting ...")
        let ids = try openCases(engine, count: n)
        let planned = try engine.read { try $0.db.scalarInt("SELECT count(*) FROM deliveries") } ?? 0
        guard planned == Int64(n) else {
            throw BenchError(description: "\(planned) deliveries were planned for \(n) cases")
        }
        let deliverer = try Deliverer(engine: engine)
        let done = DispatchSemaphore(value: 0)
        let start = monotonic()
        Thread.detachNewThread {
            try? deliverer.run { _ in }
            done.signal()
        }
        // Until every attempt is recorded as delivered (durably), not merely received.
        func pending() throws -> Int64 {
            try engine.read { try $0.db.scalarInt("SELECT count(*) FROM deliveries WHERE status='pending'") } ?? 0
        }
        while try pending() > 0 && monotonic() - start < 120 { usleep(2000) }
        let elapsed = monotonic() - start
        f.delivered =
            try engine.read { try $0.db.scalarInt("SELECT count(*) FROM deliveries WHERE status='delivered'") }
            .map(Int.init) ?? 0
        f.deliveriesPerSecond = Double(f.delivered) / elapsed

        // 2. Latency: 1,000 transitions per second, each notifying the endpoint; commit to receipt.
        let seconds = quick ? 3 : 10
        let rate = 1000
        log("webhooks: \(rate) transitions/s for \(seconds) s, measuring commit to receipt ...")
        let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
        let sent = Receipts()
        let threads = 4
        let perThread = rate * seconds / threads
        let loadStart = monotonic()
        _ = parallel(threads: threads, count: threads) { t, _ in
            for i in 0..<perThread {
                // Paced: the i-th transition of this thread is due at i / (rate / threads) seconds.
                let due = loadStart + Double(i) / Double(rate / threads)
                let wait = due - monotonic()
                if wait > 0 { usleep(UInt32(wait * 1e6)) }
                let id = ids[(i * threads + t) % ids.count]
                let t0 = monotonic()
                guard
                    let record = try? engine.fire(id, CaseCommand(event: "gemeld", actor: actor, note: "x")).record
                else { continue }
                sent.seen.withLock { $0.at["\(id)#\(record.sequence)"] = t0 }
            }
        }
        let loadElapsed = monotonic() - loadStart
        let sentAt = sent.seen.withLock { $0.at }
        let expected = sentAt.count
        f.transitionsPerSecond = Double(expected) / loadElapsed
        let waitStart = monotonic()
        while monotonic() - waitStart < 30 {
            let arrived = receipts.seen.withLock { seen in sentAt.keys.filter { seen.at[$0] != nil }.count }
            if arrived == expected { break }
            usleep(20_000)
        }
        deliverer.stop()
        done.wait()
        var latencies: [Double] = []
        let (receivedAt, bad) = receipts.seen.withLock { ($0.at, $0.bad) }
        for (key, t0) in sentAt {
            if let t1 = receivedAt[key] { latencies.append((t1 - t0) * 1000) }
        }
        f.measured = latencies.count
        if latencies.count < expected { log("webhooks: only \(latencies.count) of \(expected) notifications arrived") }
        f.latencyP50ms = percentile(latencies, 0.5)
        f.latencyP99ms = percentile(latencies, 0.99)
        if bad > 0 { log("webhooks: \(bad) requests without a signature or case") }
        return f
    }
}
