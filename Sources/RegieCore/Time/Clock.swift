/// Where Regie gets the time from. Core code never reads the system clock itself.
public protocol Clock: Sendable {
    /// The current instant.
    func now() -> Instant
}

/// A clock that always says the same instant (tests, `--now`).
public struct FixedClock: Clock {
    /// The instant this clock reports.
    public var instant: Instant
    /// Creates a clock stopped at `instant`.
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}
