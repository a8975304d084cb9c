/// A workflow definition: states, transitions and timers, loaded from `Workflows/*.json`.
public struct Workflow: Sendable, Equatable {
    /// The workflow's name, a lowercase slug such as `netwerkcasus`.
    public var name: String
    /// The version; a running case stays on the version it was opened with.
    public var version: Int
    /// A one-line title for people.
    public var title: String
    /// A longer description.
    public var description: String
    /// The states, in the order they were written.
    public var states: [StateDefinition]
    /// The transitions, in the order they were written.
    public var transitions: [TransitionDefinition]
    /// Timers started by transitions (state timers live in their state).
    public var timers: [TimerDefinition]
    /// A case with no activity for this long counts as stalled.
    public var stalledAfter: DurationSpec
    /// What opening a case asks for and does: its fields and effects.
    public var opening: OpeningDefinition
    /// The modules whose transitions and timers were merged in (e.g. `opschaling`), for people and pictures.
    public var includes: [String]
    /// The canonical JSON text of the definition (modules merged in), as stored with the cases that use it.
    public var source: String

    /// The state named `name`.
    public func state(_ name: String) -> StateDefinition? { states.first { $0.name == name } }

    /// The initial state (validation guarantees exactly one).
    public var initialState: StateDefinition {
        states.first(where: \.initial) ?? states[0]
    }

    /// The timer definition named `name`, in a state or started by a transition.
    public func timer(_ name: String) -> TimerDefinition? {
        timers.first { $0.name == name } ?? states.lazy.flatMap(\.timers).first { $0.name == name }
    }

    /// Every event name the workflow knows.
    public var eventNames: Set<String> { Set(transitions.map(\.event)) }
}
