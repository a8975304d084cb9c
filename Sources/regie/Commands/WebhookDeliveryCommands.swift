import Foundation
import RegieCore
import RegieEngine
import RegieHTTP
import RegieNotify
import RegieStore

/// `regie webhook status`.
struct WebhookStatusCommand: RegieCommand {
    static let path = "webhook status"
    static let summary = "how each endpoint's deliveries stand, and which endpoints were disabled and whom to tell"
    static let synopsis = "[PARTNER] [--json]"
    static let positionals = 0...1
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        An endpoint that answers 410 Gone, or whose every attempt failed for disableAfterDays (Config/webhooks.json,
        default 5), is disabled by the deliverer. That is written to the access log, and shown here with whom to
        tell: the partner's contact and the region's functional administrator. After the partner has mended its
        receiver: `regie webhook enable ENDPOINT`, then `regie webhook recover --since TIME`.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let endpoints = try engine.webhookEndpoints(partner: arguments.first)
        let statistics = try engine.deliveryStatistics()
        let cal = engine.config.calendar
        if json {
            Output.json([
                "endpoints": .array(
                    endpoints.map { e in
                        let s = statistics[e.id] ?? DeliveryStatistics()
                        var o = JSONObject(pairs: [
                            "id": .string(e.id), "partner": .string(e.partner), "url": .string(e.url),
                            "state": .string(e.state.rawValue), "pending": .int(Int64(s.pending)),
                            "delivered": .int(Int64(s.delivered)), "failed": .int(Int64(s.failed)),
                        ])
                        if let at = e.failingSince { o["failingSince"] = .string(at.iso8601) }
                        if let at = e.disabledAt {
                            o["disabledAt"] = .string(at.iso8601)
                            o["disabledReason"] = .string(e.disabledReason ?? "")
                            o["tell"] = .string(engine.whomToTell(about: e))
                        }
                        if let last = s.last {
                            o["lastAttempt"] = .object(
                                JSONObject(pairs: [
                                    "at": .string(last.at.iso8601),
                                    "status": last.status.map { .int(Int64($0)) } ?? .null,
                                    "error": last.error.map { .string($0) } ?? .null,
                                ]))
                        }
                        return .object(o)
                    })
            ])
            return
        }
        guard !endpoints.isEmpty else {
            Output.print("No webhook endpoints. Add one with `regie webhook add PARTNER URL --events '*'`.")
            return
        }
        Output.print(
            Output.table(
                ["ENDPOINT", "PARTNER", "STATE", "PENDING", "DELIVERED", "FAILED", "LAST ATTEMPT"],
                endpoints.map { e in
                    let s = statistics[e.id] ?? DeliveryStatistics()
                    let last = s.last.map { l in
                        "\(cal.localText(l.at)) \(l.status.map(String.init) ?? "no answer")"
                    }
                    return [
                        e.id, e.partner, e.state.rawValue, String(s.pending), String(s.delivered), String(s.failed),
                        last ?? "-",
                    ]
                }))
        for e in endpoints {
            if let at = e.disabledAt {
                Output.print(
                    "\n\(e.id) was disabled \(cal.localText(at)): \(e.disabledReason ?? "").\n  Tell \(engine.whomToTell(about: e)); once mended: `regie webhook enable \(e.id)`, then `regie webhook recover --since \(cal.localText(at).prefix(10))`."
                )
            } else if let since = e.failingSince {
                let days = engine.webhooks.disableAfterSeconds / 86400
                Output.print(
                    "\n\(e.id) has failed since \(cal.localText(since)); it is disabled after \(days) days of failing. See `regie webhook log \(e.id)`."
                )
            }
        }
    }
}

/// `regie webhook log`.
struct WebhookLogCommand: RegieCommand {
    static let path = "webhook log"
    static let summary = "the delivery log: every attempt, newest first (time, status, duration, error)"
    static let synopsis = "[ENDPOINT] [--delivery ID] [--limit N] [--json]"
    static let positionals = 0...1
    @Option("delivery", "ID", "only attempts at this delivery (its number or its msg_ id)") var delivery: String?
    @Option("limit", "N", "at most this many attempts (default 50)", range: 1...100_000) var limit: Int?
    @Flag("json", "print as JSON, with up to 1 KiB of each answer") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let limit = limit ?? 50
        var deliveryId: Int64?
        if let reference = delivery { deliveryId = try engine.delivery(reference).id }
        if let endpoint = arguments.first { _ = try engine.webhookEndpoint(endpoint) }
        let log = try engine.deliveryLog(delivery: deliveryId, endpoint: arguments.first, limit: limit)
        if json {
            Output.json(["attempts": .array(log.map { .object(WebhookRepresentation.attempt($0)) })])
            return
        }
        guard !log.isEmpty else {
            Output.print("No attempts yet.")
            return
        }
        let cal = engine.config.calendar
        Output.print(
            Output.table(
                ["TIME", "DELIVERY", "WEBHOOK-ID", "ENDPOINT", "TOPIC", "CASE", "STATUS", "MS", "ERROR"],
                log.map { e in
                    [
                        cal.localText(e.attempt.at), String(e.attempt.deliveryId), e.webhookId, e.endpointId,
                        e.topic, e.caseId, e.attempt.status.map(String.init) ?? "-", String(e.attempt.durationMs),
                        e.attempt.error ?? "",
                    ]
                }))
    }
}

/// `regie webhook replay`.
struct WebhookReplayCommand: RegieCommand {
    static let path = "webhook replay"
    static let summary = "send one delivery again (same webhook-id), whatever became of it"
    static let synopsis = "DELIVERY"
    static let positionals = 1...1

    static let discussion = """
        DELIVERY is its number or its webhook-id (msg_...), from `regie webhook log`. It goes out again from the
        start of the retry schedule, with the same webhook-id, so a receiver that already had it can tell.
        """
    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let row = try engine.delivery(arguments[0])
        try engine.replayDelivery(row.id)
        context.auditDetail = "replayed delivery \(row.id) (\(row.webhookId))"
        Output.print(
            "Delivery \(row.id) (\(row.webhookId), \(row.topic) of \(row.caseId)) goes out again with the next delivery round."
        )
    }
}

/// `regie webhook recover`.
struct WebhookRecoverCommand: RegieCommand {
    static let path = "webhook recover"
    static let summary = "send every failed delivery since a time again (to enabled endpoints)"
    static let synopsis = "--since TIME"
    static let positionals = 0...0
    @Option("since", "TIME", "deliveries created at or after this time (e.g. 2026-11-20 or 2026-11-20T08:00)")
    var since: Instant?
    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        guard let since else {
            throw .invalid("say from when with --since, such as --since 2026-11-20")
        }
        let engine = try context.engine()
        let count = try engine.recoverDeliveries(since: since)
        context.auditDetail = "recovered \(count) failed deliveries since \(since.iso8601)"
        Output.print(
            count == 0
                ? "No failed deliveries to enabled endpoints since \(engine.config.calendar.localText(since))."
                : "\(count) failed deliveries go out again (same webhook-ids), from the start of the retry schedule."
        )
    }
}

/// `regie webhook deliver`.
struct WebhookDeliverCommand: RegieCommand {
    static let path = "webhook deliver"
    static let summary = "send due webhook deliveries: once, or as a deliverer that runs until stopped"
    static let synopsis = "[--once] [--json]"
    static let positionals = 0...0
    @Flag("once", "send what is due now (and what falls due meanwhile), wait for the answers, and exit") var once: Bool
    @Flag("json", "print the result as JSON (with --once)") var json: Bool
    static let discussion = """
        `regie serve` delivers by itself; use this when the API is not served from this database, or to send what
        is due now. Without --once it runs until SIGINT or SIGTERM and prints every attempt. One deliverer per
        database.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let deliverer = try Deliverer(engine: engine)
        let cal = engine.config.calendar
        if once {
            var reports: [Engine.DeliveryReport] = []
            try deliverer.runUntilIdle { reports += $0 }
            let delivered = reports.filter { $0.verdict == .delivered }.count
            if json {
                Output.json([
                    "attempts": .int(Int64(reports.count)), "delivered": .int(Int64(delivered)),
                    "now": .string(engine.clock.now().iso8601),
                ])
            } else {
                Output.print("\(reports.count) attempt(s), \(delivered) delivered.")
                reports.filter { $0.verdict != .delivered }.forEach { Output.print(Self.line($0, cal)) }
            }
            deliverer.takeProblems().forEach { Output.warn($0) }
            return
        }
        let sources = onStopSignals { deliverer.stop() }
        Output.print("Delivering webhooks from \(context.databasePath); Ctrl-C stops it.")
        try deliverer.run { reports in
            reports.forEach { Output.print(Self.line($0, cal)) }
            deliverer.takeProblems().forEach { Output.warn($0) }
        }
        sources.forEach { $0.cancel() }
        Output.print("Deliverer stopped.")
    }

    /// One attempt, for a person: what, where, and what follows.
    static func line(_ r: Engine.DeliveryReport, _ cal: DutchCalendar) -> String {
        let answer = r.attempt.status.map { "\($0)" } ?? (r.attempt.error ?? "no answer")
        let next: String
        switch r.verdict {
        case .delivered: next = "delivered"
        case .retry(let ms):
            next = "retry in " + (ms < 60_000 ? "\(ms / 1000) s" : DurationText.rough(seconds: ms / 1000))
        case .failed: next = "failed for good after \(r.delivery.attempts + 1) attempts; `regie webhook replay`"
        case .gone: next = "endpoint disabled (410 Gone)"
        }
        return
            "\(cal.localText(r.attempt.at)) \(r.delivery.webhookId) \(r.delivery.topic) \(r.delivery.caseId) -> \(r.delivery.endpointId): \(answer), \(r.attempt.durationMs) ms; \(next)"
    }
}
