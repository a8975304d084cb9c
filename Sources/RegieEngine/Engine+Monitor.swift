public import RegieCore
internal import RegieStore

/// The monitor: its facts are derived with every decision and written in the decision's transaction.
extension Engine {
    /// A decision made by `machine` on `previous` (nil when it opens the case), ready for the writer, with the
    /// monitor's facts of it. Every commit of the engine goes through here, so none can leave the monitor out.
    /// - Parameter spawned: the opening of a case by another case's decision (a VSO signal referred to bemoeizorg).
    ///   It is that decision, counted once in the other case's workflow; counting the opening too would let one
    ///   figure be read from the other.
    func prepare(
        _ decision: Decision, on previous: CaseRecord?, by machine: StateMachine, firing timer: Int64? = nil,
        spawned: Bool = false
    ) -> PreparedCommit {
        let facts =
            spawned ? [] : machine.monitorFacts(previous: previous, record: decision.record, events: decision.events)
        guard let timer, let previous else { return PreparedCommit(decision, previous: previous, monitor: facts) }
        return PreparedCommit(firing: decision, previous: previous, timer: timer, monitor: facts)
    }
}

extension Engine {
    /// The monitor's report for `request` (threshold from the configuration unless the request raises it). Only
    /// aggregates: the caller checks who may ask (`mayReport`) and logs that it was run.
    public func monitorReport(_ request: MonitorRequest) throws(EngineError) -> MonitorReport {
        var request = request
        request.threshold = max(request.threshold, config.monitorThreshold)
        let months = request.loadedMonths
        let counts = try read { try $0.monitorCounts(from: months.lowerBound, to: months.upperBound) }
        return MonitorReport(request, counts: counts)
    }

    /// The request that query parameters ask for (the API's and the workspace's), today being the clock's day.
    public func monitorRequest(query: [String: String]) throws(MonitorRequest.ParameterError) -> MonitorRequest {
        try MonitorRequest(
            query: query, today: config.calendar.localDate(of: clock.now()), region: config,
            workflows: Set(catalog.workflows.keys))
    }

    /// Since when the monitor counts, when it started after the first cases (a database upgraded to it).
    public func monitorSince() throws(EngineError) -> Instant? { try read { try $0.monitorSince() } }

    /// Whether the people and systems of `partner` may run the monitor's reports (`monitor.partners` in region.json).
    public func mayReport(_ partner: String) -> Bool { config.mayReport(partner) }
}
