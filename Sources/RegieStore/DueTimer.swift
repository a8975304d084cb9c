public import RegieCore

/// A due timer as the scheduler sees it.
public struct DueTimer: Sendable, Equatable {
    public var id: Int64
    public var caseId: String
    public var dueAt: Instant

    /// Creates a due timer.
    public init(id: Int64, caseId: String, dueAt: Instant) {
        self.id = id
        self.caseId = caseId
        self.dueAt = dueAt
    }
}
