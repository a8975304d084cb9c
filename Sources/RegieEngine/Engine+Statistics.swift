import RegieCore
internal import RegieStore

/// What the API shows of the store's bookkeeping, mapped here so that no store row reaches the API.
extension Engine {
    /// Counts across all cases and timers at one moment, for monitoring.
    public struct Statistics: Sendable, Equatable {
        /// Open cases per escalation level.
        public var openCasesByLevel: [Int: Int]
        /// Running, unpaused timers.
        public var timersPending: Int
        /// Of those, the ones past their due time.
        public var timersOverdue: Int
        /// How long the oldest overdue timer has waited (0 when none): the scheduler's lag.
        public var oldestOverdueSeconds: Double
    }

    /// The figures as of now.
    public func statistics() throws(EngineError) -> Statistics {
        let now = clock.now()
        let s = try read { try $0.statistics(now: now) }
        return Statistics(
            openCasesByLevel: s.openCasesByLevel, timersPending: s.timersPending, timersOverdue: s.timersOverdue,
            oldestOverdueSeconds: s.oldestOverdueSeconds)
    }

    /// Who was notified of a case's events: the recipients of each notification, by the event's sequence.
    public func notified(of caseId: String) throws(EngineError) -> [(sequence: Int, recipients: [String])] {
        try read { try $0.outbox(of: caseId) }.map { ($0.sequence, $0.recipients) }
    }
}
