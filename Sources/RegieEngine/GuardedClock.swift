public import RegieCore
internal import Foundation
internal import Synchronization

/// The real clock, guarded against running backwards (an NTP step, a VM restored from a snapshot, a wrong manual
/// setting): it never answers a time before one it answered already or before the database's last event; during a
/// backwards jump it answers that floor, says so once on standard error, and counts it for `/metrics`.
public final class GuardedClock: Clock, Sendable {
    private let base: any Clock
    private struct State {
        var floor: Instant
        var jumps = 0
        var behindMilliseconds: Int64 = 0
        var warned = false
    }
    private let state: Mutex<State>

    /// Wraps `base`; `floor` is the latest time already recorded (the database's last event), if known.
    public init(_ base: any Clock, floor: Instant = Instant(milliseconds: 0)) {
        self.base = base
        state = Mutex(State(floor: floor))
    }

    public func now() -> Instant {
        let real = base.now()
        let (answer, warn) = state.withLock { s -> (Instant, Bool) in
            if real >= s.floor {
                s.floor = real
                s.behindMilliseconds = 0
                return (real, false)
            }
            if s.behindMilliseconds == 0 { s.jumps += 1 }
            s.behindMilliseconds = s.floor.milliseconds - real.milliseconds
            defer { s.warned = true }
            return (s.floor, !s.warned)
        }
        if warn {
            FileHandle.standardError.write(
                Data(
                    "regie: the system clock is \(answer.milliseconds - real.milliseconds) ms behind the last recorded time; events are recorded at that time until the clock catches up (check NTP)\n"
                        .utf8))
        }
        return answer
    }

    /// Raises the floor to a time already recorded (the database's last event).
    public func observe(_ recorded: Instant) {
        state.withLock { if recorded > $0.floor { $0.floor = recorded } }
    }

    /// How often the clock was found running backwards, and how far behind it is now (0 when it is not).
    public var backwards: (jumps: Int, behindSeconds: Double) {
        state.withLock { ($0.jumps, Double($0.behindMilliseconds) / 1000) }
    }
}
