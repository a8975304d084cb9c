public import RegieCore

/// Which cases to list.
public struct CaseFilter: Sendable {
    public var state: String?
    public var level: Int?
    public var workflow: String?
    /// Only stalled cases: an overdue deadline, or no activity since the workflow's cutoff.
    public var stalled: (now: Instant, inactiveSince: [String: Instant])?
    public var includeClosed = false
    /// Only the cases of one client (by pseudonym).
    public var clientKey: String?
    /// Only cases this partner takes part in, or that are escalated (whose level owners the caller then checks), or
    /// whose responsible municipality is one of `responsibleFor`.
    public var takingPartOrEscalated: String?
    /// The municipalities the partner is responsible for (itself, or those whose procesregie it holds).
    public var responsibleFor: [String] = []
    public var limit = 1000

    /// Creates a filter matching every open case.
    public init() {}
}
