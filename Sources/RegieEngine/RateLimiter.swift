import RegieCore
internal import Synchronization

/// How often each key (a partner's lookups, the logins of a login name or of an address) was counted in the last
/// window: `limit` times per window, counted in this process (a restart starts the count afresh).
final class RateLimiter: Sendable {
    /// A key's recent counts, and whether its first refusal since it was last admitted was reported.
    private struct Tally {
        var times: [Instant] = []
        var reported = false
    }

    private let state = Mutex<[String: Tally]>([:])
    let limit: Int
    let windowMilliseconds: Int64

    init(limit: Int, window: DurationSpec) {
        self.limit = limit
        switch window {
        case .calendar(let days, let seconds): windowMilliseconds = (Int64(days) * 86400 + Int64(seconds)) * 1000
        case .workingDays(let n): windowMilliseconds = Int64(n) * 86_400_000
        }
    }

    init(limit: Int, windowSeconds: Int64) {
        self.limit = limit
        windowMilliseconds = windowSeconds * 1000
    }

    /// A refusal: when the next count is admitted, and whether this is the key's first refusal since it was last
    /// admitted (the moment to tell someone: the ketenregisseur of a partner's lookups, the access log of logins).
    struct Refusal {
        var retryAfterSeconds: Int
        var first: Bool
    }

    /// Counts once for `partner` (any key), or refuses when the key reached its limit.
    func admit(_ partner: String, at now: Instant) -> Refusal? {
        state.withLock { tallies in
            var tally = tallies[partner] ?? Tally()
            tally.times.removeAll { now.milliseconds - $0.milliseconds >= windowMilliseconds }
            defer { tallies[partner] = tally }
            if tally.times.count < limit {
                tally.times.append(now)
                tally.reported = false
                return nil
            }
            let oldest = tally.times.first ?? now
            let wait = max(1, (oldest.milliseconds + windowMilliseconds - now.milliseconds + 999) / 1000)
            let first = !tally.reported
            tally.reported = true
            return Refusal(retryAfterSeconds: Int(wait), first: first)
        }
    }
}
