/// Transitions and timers shared by several workflows (e.g. `opschaling`, `warme-overdracht`), merged into each
/// workflow that includes it, in every non-final state.
public struct WorkflowModule: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var title: String
    public var description: String
    /// The module's JSON, merged into including workflows.
    public var object: JSONObject
    /// Its transitions (from every open state) and timers, as read.
    public var transitions: [TransitionDefinition]
    public var timers: [TimerDefinition]
}
