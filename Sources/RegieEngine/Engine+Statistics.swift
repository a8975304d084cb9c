public import RegieCore
internal import RegieStore

/// What the API shows of the store's bookkeeping, mapped here so that no store row reaches the API.
extension Engine {
    /// The figures as of now.
    public func statistics() throws(EngineError) -> Statistics {
        let now = clock.now()
        return try read { try $0.statistics(now: now) }
    }

    /// Who was notified of a case's events: the recipients of each notification, by the event's sequence.
    public func notified(of caseId: String) throws(EngineError) -> [(sequence: Int, recipients: [String])] {
        try read { try $0.outbox(of: caseId) }.map { ($0.sequence, $0.recipients) }
    }
}
