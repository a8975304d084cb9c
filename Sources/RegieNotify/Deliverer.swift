public import RegieEngine
internal import RegieCore
internal import RegieCrypto
internal import RegieStore
internal import Foundation
import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// Sends the webhook deliveries the engine committed, one deliverer per database (guarded by a lock file).
///
/// One thread drives up to `WebhookSettings.concurrency` transfers at once through libcurl, reusing connections.
/// It takes due deliveries from the store (at most one per endpoint and case, so a case's notifications arrive in
/// order), checks where each URL resolves to, signs each attempt afresh (Standard Webhooks: `webhook-id` kept on
/// every retry, a new `webhook-timestamp` and `webhook-signature`), and records the attempts in batches through
/// the group committer. A delivery stays "in flight" from its send until its attempt is durable, so it is neither
/// sent twice at once nor overtaken. It sleeps until the next retry falls due or a commit that wrote deliveries
/// wakes it, from this process or another.
///
/// After a crash nothing is lost: a delivery whose attempt was not recorded is still pending, and is sent again
/// (same `webhook-id`) once the deliverer runs again. Receivers deduplicate on that id.
public final class Deliverer: Sendable {
    /// How long the deliverer sleeps, lets transfers finish, and pauses.
    public struct Timing: Sendable {
        /// Longest sleep with nothing due, a safety net should a wake-up datagram ever be lost.
        public var maxSleepMilliseconds = 60_000
        /// How long `stop` lets transfers under way finish; the rest stay pending and go out at the next start.
        public var stopGraceMilliseconds = 5_000
        /// How long new sends pause after the store could not be read or written.
        public var pauseAfterFailureMilliseconds = 5_000

        /// The defaults, with the pause after a failure of the store set.
        public init(pauseAfterFailureMilliseconds: Int = 5_000) {
            self.pauseAfterFailureMilliseconds = pauseAfterFailureMilliseconds
        }
    }

    private let engine: Engine
    private let settings: WebhookSettings
    private let timing: Timing
    private let sender: CurlSender
    private let resolver: TargetResolver
    private let wake: WakeSignal
    private let lock: ExclusiveLock
    private let unit: @Sendable () -> Double
    private let shared = Shared()
    /// The state of the loop, used by the thread running `run` or `runUntilIdle` alone (the lock is uncontended).
    private let loop = Mutex(Loop())

    private struct Loop {
        var sending: [Int64: (row: DeliveryRow, at: Instant)] = [:]
        var nextDue: Instant?
        var mustFill = true
    }

    /// What the loop shares with the committer's completions and with `stop`.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private struct State {
        var stopped = false
        /// Deliveries sent, or whose attempt is being recorded.
        var inFlight: Set<Int64> = []
        /// Batches handed to the committer and not yet durable.
        var recording = 0
        /// Set when a batch became durable: the next delivery of those cases may now be due.
        var recorded = false
        var problems: [String] = []
        /// After a failure to read or record (a full disk, say), no new sends until then (monotonic nanoseconds):
        /// the deliveries are still pending, and sending them again at once would only repeat them.
        var pausedUntil: UInt64 = 0
    }

    /// Prepares the deliverer for the engine's database.
    /// - Parameter unit: where the retries' jitter comes from (a number in 0..<1; random unless a test fixes it).
    /// - Throws: `EngineError.environment` when another deliverer runs on this database.
    public convenience init(
        engine: Engine, timing: Timing = Timing(),
        unit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(EngineError) {
        try self.init(engine: engine, timing: timing, unit: unit, lookup: TargetResolver.addresses(of:))
    }

    /// - Parameter lookup: resolves a host name (getaddrinfo; a test gives names of its own).
    init(
        engine: Engine, timing: Timing = Timing(), unit: @escaping @Sendable () -> Double,
        lookup: @escaping @Sendable (String) -> Result<[IPAddress], TargetResolver.Problem>
    ) throws(EngineError) {
        self.engine = engine
        self.timing = timing
        self.unit = unit
        settings = engine.webhooks
        lock = try ExclusiveLock(
            path: engine.databasePath + ".deliverer.lock",
            held:
                "another deliverer already runs on \(engine.databasePath) (`regie serve` or `regie webhook deliver`); run one per database"
        )
        wake = try WakeSignal(path: WakeSignal.path(forDatabase: engine.databasePath, suffix: "deliver"))
        sender = CurlSender(
            connections: settings.concurrency, connectTimeoutMs: settings.connectTimeoutMilliseconds,
            timeoutMs: settings.timeoutMilliseconds)
        resolver = TargetResolver(policy: settings.addressPolicy, lookup: lookup)
    }

    /// Asks a running `run` to return once the transfers under way are done (or `stopGraceMilliseconds` passed).
    public func stop() {
        shared.state.withLock { $0.stopped = true }
        sender.wake()
    }

    /// Delivers until `stop()` is called, reporting every batch of finished attempts.
    public func run(report: ([Engine.DeliveryReport]) -> Void) throws(EngineError) {
        var stopDeadline: UInt64?
        while true {
            let stopped = shared.state.withLock { $0.stopped }
            if stopped && stopDeadline == nil {
                stopDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(timing.stopGraceMilliseconds) * 1_000_000
            }
            if let deadline = stopDeadline, sender.active == 0 || DispatchTime.now().uptimeNanoseconds > deadline {
                break
            }
            do {
                try cycle(fill: !stopped, waitMs: stopped ? 100 : nil, report: report)
            } catch {
                // The store could not be read; the deliveries wait in it. Say so, pause, and carry on.
                pause(because: "cannot read the deliveries: \(error.description)")
                report([])
            }
        }
        waitForRecords()
    }

    private var pauseEnd: UInt64 {
        DispatchTime.now().uptimeNanoseconds + UInt64(timing.pauseAfterFailureMilliseconds) * 1_000_000
    }

    private var isPaused: Bool {
        DispatchTime.now().uptimeNanoseconds < shared.state.withLock { $0.pausedUntil }
    }

    private func pause(because problem: String) {
        let until = pauseEnd
        shared.state.withLock {
            $0.problems.append(problem + "; new sends pause for \(timing.pauseAfterFailureMilliseconds) ms")
            $0.pausedUntil = until
        }
        loop.withLock { $0.mustFill = true }
    }

    /// Delivers what is due now and whatever falls due while doing so, then returns once nothing is due, under
    /// way or being recorded (later retries wait for the next call). Returns how many attempts were made.
    @discardableResult
    public func runUntilIdle(report: ([Engine.DeliveryReport]) -> Void = { _ in }) throws(EngineError) -> Int {
        var attempts = 0
        loop.withLock { $0.mustFill = true }
        while true {
            // Read together: a batch that became durable has also asked for a fill.
            let recording = noticeRecords()
            let idle = sender.active == 0 && recording == 0
            // Paused after a failure of the store: what is left is still pending, for a later call.
            if idle && (isPaused || (!loop.withLock { $0.mustFill } && !dueNow())) { break }
            try cycle(fill: true, waitMs: 50) {
                attempts += $0.count
                report($0)
            }
        }
        waitForRecords()
        return attempts
    }

    /// Problems met while recording attempts (the deliveries stay pending and go out again); cleared when read.
    public func takeProblems() -> [String] {
        shared.state.withLock { s in
            defer { s.problems = [] }
            return s.problems
        }
    }

    // MARK: The loop

    private func dueNow() -> Bool {
        guard let nextDue = loop.withLock({ $0.nextDue }) else { return false }
        return !(engine.clock.now() < nextDue)
    }

    private func sleepMilliseconds() -> Int {
        let (mustFill, nextDue) = loop.withLock { ($0.mustFill, $0.nextDue) }
        if mustFill || dueNow() { return 0 }
        guard let nextDue else { return timing.maxSleepMilliseconds }
        let wait = nextDue.milliseconds - engine.clock.now().milliseconds
        return Int(min(Int64(timing.maxSleepMilliseconds), max(0, wait)))
    }

    /// Once a batch of attempts is durable, the next deliveries of those cases may be due.
    /// Returns how many batches are still being recorded.
    @discardableResult
    private func noticeRecords() -> Int {
        let (recorded, recording) = shared.state.withLock { s in
            defer { s.recorded = false }
            return (s.recorded, s.recording)
        }
        if recorded { loop.withLock { $0.mustFill = true } }
        return recording
    }

    /// One turn: take what is due into free slots, move the transfers on, hand finished attempts to the committer.
    /// - Parameter waitMs: how long to wait for a transfer or a wake-up; nil: until the next retry falls due, as known
    ///   after this turn's records and take (a wait computed before them would miss a retry they scheduled).
    private func cycle(fill: Bool, waitMs: Int?, report: ([Engine.DeliveryReport]) -> Void) throws(EngineError) {
        noticeRecords()
        var finished: [Engine.DeliveryReport] = []
        let paused = isPaused
        if fill && !paused && (loop.withLock { $0.mustFill } || dueNow()) && sender.active < settings.concurrency {
            finished += try take()
        }
        let waitMs = waitMs ?? sleepMilliseconds()
        let wait = paused ? min(waitMs, 100) : waitMs
        let responses = sender.poll(timeoutMs: finished.isEmpty ? wait : 0, extra: wake.descriptor)
        if wake.drain() { loop.withLock { $0.mustFill = true } }
        for r in responses {
            guard let (row, at) = loop.withLock({ $0.sending.removeValue(forKey: r.token) }) else { continue }
            finished.append(
                attempt(
                    row, at: at, status: r.status, error: r.error, durationMs: r.durationMs, response: r.body,
                    retryAfter: r.retryAfterSeconds))
        }
        guard !finished.isEmpty else { return }
        let ids = finished.map(\.delivery.id)
        let pause = UInt64(timing.pauseAfterFailureMilliseconds) * 1_000_000
        shared.state.withLock { $0.recording += 1 }
        engine.record(deliveries: finished) { [shared, sender] error in
            shared.state.withLock { s in
                s.recording -= 1
                s.recorded = true
                ids.forEach { s.inFlight.remove($0) }
                if let error {
                    s.problems.append(
                        "attempts not recorded, to be sent again (same webhook-id): \(error.description); new sends pause for \(pause / 1_000_000) ms"
                    )
                    s.pausedUntil = DispatchTime.now().uptimeNanoseconds + pause
                }
            }
            sender.wake()
        }
        report(finished)
    }

    /// Starts the due deliveries that fit; returns the attempts that ended before a connection (a refused address).
    private func take() throws(EngineError) -> [Engine.DeliveryReport] {
        loop.withLock { $0.mustFill = false }
        let free = settings.concurrency - sender.active
        let inFlight = shared.state.withLock { $0.inFlight }
        let asked = free + inFlight.count
        let due = try engine.dueDeliveries(limit: asked)
        let rows = due.filter { !inFlight.contains($0.id) }.prefix(free)
        let now = engine.clock.now()
        // More may be due than fitted; otherwise sleep until the next retry (or a wake-up).
        let nextDue = due.count == asked ? now : try engine.nextDeliveryDue(after: now)
        loop.withLock { $0.nextDue = nextDue }
        guard !rows.isEmpty else { return [] }
        let endpoints = Dictionary(
            try engine.webhookEndpoints().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var keys: [String: [[UInt8]]] = [:]
        var unsent: [Engine.DeliveryReport] = []
        let timestamp = Int64(Date().timeIntervalSince1970)
        for row in rows {
            guard let endpoint = endpoints[row.endpointId], endpoint.disabledAt == nil else { continue }
            shared.state.withLock { _ = $0.inFlight.insert(row.id) }
            let pin: String?
            switch resolver.target(for: endpoint.url) {
            case .failure(let problem):
                unsent.append(
                    attempt(
                        row, at: now, status: nil, error: problem.description, durationMs: 0, response: nil,
                        retryAfter: nil))
                continue
            case .success(let target): pin = target.pin
            }
            if keys[endpoint.id] == nil {
                do { keys[endpoint.id] = try engine.signingKeys(for: endpoint.id) } catch {
                    unsent.append(
                        attempt(
                            row, at: now, status: nil, error: "not sent: cannot sign (\(error.description))",
                            durationMs: 0, response: nil, retryAfter: nil))
                    continue
                }
            }
            let body = Array(row.body.utf8)
            let signatures = (keys[endpoint.id] ?? []).map {
                WebhookSignature.sign(key: $0, id: row.webhookId, timestamp: timestamp, body: body)
            }
            loop.withLock { $0.sending[row.id] = (row, now) }
            let started = sender.start(
                CurlSender.Transfer(
                    token: row.id, url: endpoint.url, pin: pin,
                    headers: [
                        "webhook-id: \(row.webhookId)", "webhook-timestamp: \(timestamp)",
                        "webhook-signature: \(signatures.joined(separator: " "))",
                    ], body: body))
            if !started {
                _ = loop.withLock { $0.sending.removeValue(forKey: row.id) }
                unsent.append(
                    attempt(
                        row, at: now, status: nil, error: "libcurl could not start a transfer (out of memory)",
                        durationMs: 0, response: nil, retryAfter: nil))
            }
        }
        return unsent
    }

    private func attempt(
        _ row: DeliveryRow, at: Instant, status: Int?, error: String?, durationMs: Int64, response: String?,
        retryAfter: Int64?
    ) -> Engine.DeliveryReport {
        let verdict = DeliveryVerdict.after(
            status: status, retryAfterSeconds: retryAfter, attempt: row.attempts + 1, schedule: settings.retry,
            unit: unit())
        return Engine.DeliveryReport(
            delivery: row,
            attempt: DeliveryAttempt(
                deliveryId: row.id, at: at, status: status, durationMs: durationMs, error: error, response: response),
            verdict: verdict)
    }

    private func waitForRecords() {
        while shared.state.withLock({ $0.recording > 0 }) { usleep(1000) }
    }
}
