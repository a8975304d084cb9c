/// One state of a workflow.
public struct StateDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var initial: Bool
    public var final: Bool
    /// Timers that start when the case enters this state and are cancelled when it leaves.
    public var timers: [TimerDefinition]
}
