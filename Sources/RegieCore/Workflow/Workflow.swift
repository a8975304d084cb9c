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
    /// The canonical JSON text of the definition, as stored with the cases that use it.
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

/// One state of a workflow.
public struct StateDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var initial: Bool
    public var final: Bool
    /// Timers that start when the case enters this state and are cancelled when it leaves.
    public var timers: [TimerDefinition]
}

/// One transition: an event moves a case from one of `from` to `to`.
public struct TransitionDefinition: Sendable, Equatable {
    /// The event name, e.g. `overdracht-accepteren`.
    public var event: String
    public var description: String
    /// The states this event is accepted in.
    public var from: [String]
    /// The state it moves to; nil keeps the state without re-entering it (its timers keep running).
    /// A transition to the same state re-enters it, which restarts that state's timers.
    public var to: String?
    /// Roles that may fire it.
    public var roles: Set<Role>
    /// What the command must carry.
    public var requires: Set<Requirement>
    /// What it does besides changing state, in order.
    public var effects: [Effect]
}

/// What a command must carry for a transition.
public enum Requirement: String, Sendable, Hashable, CaseIterable {
    /// A written motivation (e.g. for a doorzettingsbesluit).
    case motivation
    /// A target partner (e.g. to hand over to).
    case target
    /// A note (e.g. the progress made).
    case note
}

/// Something a transition does besides changing state.
public enum Effect: Sendable, Equatable {
    /// Regie moves to the command's target partner; the previous holder stays involved as `betrokken`.
    case assignRegie
    /// The command's target partner joins the case with a role.
    case addPartner(Role)
    /// The command's target partner leaves the case (never the regiehouder).
    case removePartner
    /// Starts a transition timer by name.
    case startTimer(String)
    /// Cancels a running timer by name.
    case cancelTimer(String)
    /// Raises the escalation level by one (at most 3).
    case raiseLevel
    /// Lowers the escalation level to a given level.
    case setLevel(Int)
    /// Emits a notification to the partners in the given roles (and `target`).
    case notify(topic: String, to: [Audience])
}

/// Who a notification goes to.
public enum Audience: Sendable, Hashable {
    case role(Role)
    case target
    case all

    /// Parses `target`, `all` or a role name.
    public init?(_ text: String) {
        switch text {
        case "target": self = .target
        case "all": self = .all
        default:
            guard let r = Role(rawValue: text) else { return nil }
            self = .role(r)
        }
    }

    /// The text form.
    public var text: String {
        switch self {
        case .role(let r): return r.rawValue
        case .target: return "target"
        case .all: return "all"
        }
    }
}

/// A timer: after `duration`, it fires `fires` into the case, with reminders before it.
public struct TimerDefinition: Sendable, Equatable {
    public var name: String
    public var duration: DurationSpec
    /// A statutory deadline: one ending on a non-working day moves to the next working day.
    public var statutory: Bool
    /// The legal basis of a statutory deadline, cited for people.
    public var legalBasis: String?
    /// The event fired into the case when the timer expires.
    public var fires: String
    /// How long before the deadline each reminder is due.
    public var reminders: [DurationSpec]
}
