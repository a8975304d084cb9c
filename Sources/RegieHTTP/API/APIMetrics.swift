internal import Foundation
internal import RegieCore
internal import RegieEngine
import Synchronization

/// Request counts and latencies, kept in memory, and the engine's figures read at scrape time; exposed in the
/// Prometheus text format at `/metrics`.
final class APIMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct Latency {
        var counts = [Int](repeating: 0, count: APIMetrics.buckets.count)
        var sum = 0.0
        var total = 0
    }

    /// Requests by route and status, and latencies by route.
    private struct Counts {
        var requests: [String: [Int: Int]] = [:]
        var latency: [String: Latency] = [:]
    }

    private let counts: Mutex<Counts>

    init(routes: [String]) {
        var counts = Counts()
        for r in routes + ["unmatched", "unparsed"] { counts.latency[r] = Latency() }
        self.counts = Mutex(counts)
    }

    func record(route: String?, status: Int, seconds: Double) {
        let name = route ?? "unmatched"
        let bucket = Self.buckets.firstIndex { seconds <= $0 }
        counts.withLock {
            $0.requests[name, default: [:]][status, default: 0] += 1
            var l = $0.latency[name] ?? Latency()
            if let bucket { l.counts[bucket] += 1 }
            l.sum += seconds
            l.total += 1
            $0.latency[name] = l
        }
    }

    /// The text exposition format (version 0.0.4).
    func exposition(engine: Engine) -> String {
        let (requests, latency) = counts.withLock { ($0.requests, $0.latency) }
        var out = """
            # HELP regie_http_requests_total HTTP requests answered, by route and status.
            # TYPE regie_http_requests_total counter

            """
        for route in requests.keys.sorted() {
            for (status, n) in (requests[route] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "regie_http_requests_total{route=\"\(route)\",status=\"\(status)\"} \(n)\n"
            }
        }
        out += """
            # HELP regie_http_request_duration_seconds Time from a complete request to its response.
            # TYPE regie_http_request_duration_seconds histogram

            """
        for route in latency.keys.sorted() {
            guard let l = latency[route], l.total > 0 else { continue }
            var cumulative = 0
            for (i, bound) in Self.buckets.enumerated() {
                cumulative += l.counts[i]
                out += "regie_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "regie_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(l.total)\n"
            out += "regie_http_request_duration_seconds_sum{route=\"\(route)\"} \(l.sum)\n"
            out += "regie_http_request_duration_seconds_count{route=\"\(route)\"} \(l.total)\n"
        }
        if let guarded = engine.clock as? GuardedClock {
            let (jumps, behind) = guarded.backwards
            out += """
                # HELP regie_clock_backwards_total Times the system clock was found behind the last recorded time.
                # TYPE regie_clock_backwards_total counter
                regie_clock_backwards_total \(jumps)
                # HELP regie_clock_behind_seconds How far the system clock is behind the last recorded time now.
                # TYPE regie_clock_behind_seconds gauge
                regie_clock_behind_seconds \(behind)

                """
        }
        if let s = try? engine.statistics() {
            out += """
                # HELP regie_cases_open Open cases by escalation level.
                # TYPE regie_cases_open gauge

                """
            for (level, n) in s.openCasesByLevel.sorted(by: { $0.key < $1.key }) {
                out += "regie_cases_open{level=\"\(level)\"} \(n)\n"
            }
            out += """
                # HELP regie_timers_pending Running timers that are not paused.
                # TYPE regie_timers_pending gauge
                regie_timers_pending \(s.timersPending)
                # HELP regie_timers_overdue Running timers past their due time, not yet fired.
                # TYPE regie_timers_overdue gauge
                regie_timers_overdue \(s.timersOverdue)
                # HELP regie_scheduler_lag_seconds How long the oldest due timer has waited to fire.
                # TYPE regie_scheduler_lag_seconds gauge
                regie_scheduler_lag_seconds \(s.oldestOverdueSeconds)

                """
        }
        return out
    }
}
