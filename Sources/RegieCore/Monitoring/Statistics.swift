/// Counts across all cases and timers at one moment, for monitoring (`/metrics`).
public struct Statistics: Sendable, Equatable {
    /// Open cases per escalation level.
    public var openCasesByLevel: [Int: Int]
    /// Running, unpaused timers.
    public var timersPending: Int
    /// Of those, the ones past their due time.
    public var timersOverdue: Int
    /// How long the oldest overdue timer has waited (0 when none): the scheduler's lag.
    public var oldestOverdueSeconds: Double

    /// Creates the figures.
    public init(openCasesByLevel: [Int: Int], timersPending: Int, timersOverdue: Int, oldestOverdueSeconds: Double) {
        self.openCasesByLevel = openCasesByLevel
        self.timersPending = timersPending
        self.timersOverdue = timersOverdue
        self.oldestOverdueSeconds = oldestOverdueSeconds
    }
}
