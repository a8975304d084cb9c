public import RegieCore

/// Figures for monitoring (`/metrics`).
extension CaseStore {
    /// The figures as of `now`.
    public func statistics(now: Instant) throws -> Statistics {
        var byLevel: [Int: Int] = [0: 0, 1: 0, 2: 0, 3: 0]
        try db.query("SELECT level, count(*) FROM cases WHERE closed_at IS NULL GROUP BY level") {
            byLevel[Int($0.int(0))] = Int($0.int(1))
        }
        let pending = try db.scalarInt("SELECT count(*) FROM timers WHERE paused_at IS NULL") ?? 0
        let overdue =
            try db.scalarInt(
                "SELECT count(*) FROM timers WHERE paused_at IS NULL AND due_at < ?", [.int(now.milliseconds)]) ?? 0
        let oldest = try db.scalarInt("SELECT min(due_at) FROM timers WHERE paused_at IS NULL")
        let lag = oldest.map { max(0, Double(now.milliseconds - $0) / 1000) } ?? 0
        return Statistics(
            openCasesByLevel: byLevel, timersPending: Int(pending), timersOverdue: Int(overdue),
            oldestOverdueSeconds: lag)
    }
}
