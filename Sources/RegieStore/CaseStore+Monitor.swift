public import RegieCore

/// Reading the monitor's counts.
extension CaseStore {
    /// The counts of the months `from` through `to` (as `year * 100 + month`), in the store's order.
    public func monitorCounts(from: Int, to: Int) throws -> [MonitorCount] {
        var out: [MonitorCount] = []
        let sql: StaticString =
            "SELECT month, workflow, municipality, figure, category, days, n FROM monitor WHERE month BETWEEN ? AND ?"
        try db.query(sql, [.int(Int64(from)), .int(Int64(to))]) {
            let fact = MonitorFact(
                month: Int($0.int(0)), workflow: $0.text(1), municipality: $0.text(2), figure: $0.text(3),
                category: $0.text(4), days: Int($0.int(5)))
            out.append(MonitorCount(fact, count: Int($0.int(6))))
        }
        return out
    }

    /// Since when the monitor counts, when it began after the first events (a database upgraded to schema 11).
    public func monitorSince() throws -> Instant? {
        try db.scalarText("SELECT value FROM meta WHERE key='monitor_since'").flatMap { Instant(iso8601: $0) }
    }
}
