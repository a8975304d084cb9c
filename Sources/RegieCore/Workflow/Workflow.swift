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
    /// The named details a command may (or must) carry, e.g. the outcome of `afsluiten`.
    public var fields: [FieldDefinition]
    /// Only the owner of the case's current escalation level may fire it (e.g. `afschalen`).
    public var levelOwner: Bool
    /// Only the owner of the current level, and only at a level with doorzettingsmacht (a `doorzettingsbesluit`).
    public var doorzettingsmacht: Bool
    /// The module it came from (written when a module is merged in), or nil for the workflow's own.
    public var module: String?

    /// Creates a transition.
    public init(
        event: String, description: String = "", from: [String], to: String?, roles: Set<Role>,
        requires: Set<Requirement> = [], effects: [Effect] = [], fields: [FieldDefinition] = [],
        levelOwner: Bool = false, doorzettingsmacht: Bool = false, module: String? = nil
    ) {
        self.event = event
        self.description = description
        self.from = from
        self.to = to
        self.roles = roles
        self.requires = requires
        self.effects = effects
        self.fields = fields
        self.levelOwner = levelOwner
        self.doorzettingsmacht = doorzettingsmacht
        self.module = module
    }
}

/// What opening a case of a workflow asks for and does.
public struct OpeningDefinition: Sendable, Equatable {
    /// Fields recorded with the case when it is opened (e.g. the referral criteria of bemoeizorg).
    public var fields: [FieldDefinition]
    /// Effects run when the case opens, after its initial state's timers have started.
    public var effects: [Effect]

    /// Creates an opening definition.
    public init(fields: [FieldDefinition] = [], effects: [Effect] = []) {
        self.fields = fields
        self.effects = effects
    }
}

/// A named detail a command carries: a choice from fixed values, free text, a number of working days, or a
/// basisteam of the region's VSO schedule.
public struct FieldDefinition: Sendable, Equatable {
    /// What values a field takes.
    public enum Kind: Sendable, Equatable {
        case text
        case choice([String])
        case workingDays
        case basisteam
    }

    public var name: String
    public var description: String
    public var required: Bool
    public var kind: Kind

    /// Creates a field.
    public init(name: String, description: String = "", required: Bool, kind: Kind) {
        self.name = name
        self.description = description
        self.required = required
        self.kind = kind
    }

    /// How the field's values are described for people, e.g. `ja|nee` or `text`.
    public var valuesText: String {
        switch kind {
        case .text: return "text"
        case .choice(let values): return values.joined(separator: "|")
        case .workingDays: return "working days"
        case .basisteam: return "basisteam"
        }
    }
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
public indirect enum Effect: Sendable, Equatable {
    /// Regie moves to the command's target partner; the previous holder stays involved as `betrokken`. Directly,
    /// without acceptance (a doorzettingsbesluit); a running handover ends.
    case assignRegie
    /// Like `assignRegie` when the command names a target; nothing otherwise (e.g. `afschalen`).
    case assignRegieIfTarget
    /// A warm handover to the target is offered (by the command's actor); the named timer is the acceptance window.
    case offerHandover(timer: String)
    /// The receiver accepts the handover; the named timer is the window for the joint meeting.
    case acceptHandover(timer: String)
    /// The receiver refuses the handover (before accepting it); nothing moves.
    case refuseHandover
    /// The joint meeting (kennismaking) of an accepted handover took place.
    case recordMeeting
    /// The handover completes after the meeting: regie (or care) moves to the receiver, atomically.
    case completeHandover
    /// The offering partner withdraws the handover.
    case withdrawHandover
    /// A binding assignment (opdracht) to the target, with the named timer as its deadline.
    case giveOpdracht(timer: String)
    /// The acting partner reports its opdracht done.
    case completeOpdracht
    /// The opdracht of the command's target is withdrawn (by the owner of the level that gave it, or a level above).
    case withdrawOpdracht
    /// The opdracht whose deadline passed ends (in the transition its timer fires).
    case endOpdracht
    /// Opens a case of another workflow, linked both ways, with the command's target as its regiehouder.
    case openCase(workflow: String)
    /// Puts the case on the agenda of the next meeting of its basisteam's Vroegsignaleringsoverleg (a signal that
    /// was not discussed).
    case nextMeeting
    /// The effect applies only when a field (of the command, else of the case) has one of the values.
    case when(field: String, values: [String], Effect)
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

extension Effect {
    /// Whether this effect (or the effect it guards) opens another case.
    public var opensCase: Bool {
        switch self {
        case .openCase: return true
        case .when(_, _, let inner): return inner.opensCase
        default: return false
        }
    }

    /// Whether this effect starts the named timer.
    public func starts(_ timer: String) -> Bool {
        switch unconditional {
        case .startTimer(let t), .offerHandover(let t), .acceptHandover(let t), .giveOpdracht(let t): return t == timer
        default: return false
        }
    }

    /// Whether this effect (or the effect it guards) can move regie to another partner.
    public var movesRegie: Bool {
        switch unconditional {
        case .assignRegie, .assignRegieIfTarget, .completeHandover: return true
        default: return false
        }
    }

    /// The workflow an `openCase` effect opens.
    public var openedWorkflow: String? {
        if case .openCase(let w) = unconditional { return w }
        return nil
    }

    /// The effect without its condition.
    public var unconditional: Effect {
        if case .when(_, _, let inner) = self { return inner.unconditional }
        return self
    }
}

/// Who a notification goes to.
public enum Audience: Sendable, Hashable {
    case role(Role)
    case target
    case all
    /// Whoever owns the case's escalation level (after the transition's other effects).
    case levelOwner
    /// The receiver of the running handover.
    case handover

    /// Parses `target`, `all`, `levelOwner`, `handover` or a role name.
    public init?(_ text: String) {
        switch text {
        case "target": self = .target
        case "all": self = .all
        case "levelOwner": self = .levelOwner
        case "handover": self = .handover
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
        case .levelOwner: return "levelOwner"
        case .handover: return "handover"
        }
    }
}

/// Who owns a timer's deadline, and so who may extend or suspend it.
public enum TimerOwner: String, Sendable, Equatable, CaseIterable {
    /// The regiehouder (level 0), and every level above it.
    case regiehouder
    /// The escalation level the case is at when the timer starts, and the levels above it; never a partner below.
    case levelOwner
}

/// A timer: after `duration`, it fires `fires` into the case, with reminders before it.
public struct TimerDefinition: Sendable, Equatable {
    public var name: String
    public var duration: DurationSpec
    /// A statutory deadline, counted in the law's calendar (Algemene termijnenwet art. 1 and 2): nobody suspends or
    /// extends it.
    public var statutory: Bool
    /// Who owns the deadline (ignored for a statutory one, which nobody may move).
    public var owner: TimerOwner
    /// The legal basis of a statutory deadline, cited for people.
    public var legalBasis: String?
    /// The event fired into the case when the timer expires.
    public var fires: String
    /// How long before the deadline each reminder is due.
    public var reminders: [DurationSpec]
    /// When set, the duration is the region's window of this name (see `RegionConfig.windowDefaults`), not `duration`.
    public var window: String?
    /// When set, the timer counts from this moment instead of from when it starts.
    public var anchor: TimerAnchor?
    /// When set and the command carries this field (working days), it sets the duration.
    public var durationField: String?

    /// Creates a timer definition.
    public init(
        name: String, duration: DurationSpec, statutory: Bool = false, owner: TimerOwner = .regiehouder,
        legalBasis: String? = nil, fires: String, reminders: [DurationSpec] = [], window: String? = nil,
        anchor: TimerAnchor? = nil, durationField: String? = nil
    ) {
        self.name = name
        self.duration = duration
        self.statutory = statutory
        self.owner = owner
        self.legalBasis = legalBasis
        self.fires = fires
        self.reminders = reminders
        self.window = window
        self.anchor = anchor
        self.durationField = durationField
    }

    /// The duration for people: the window's name or the fixed duration.
    public var durationText: String {
        let base = window.map { "window \($0)" } ?? duration.description
        return anchor.map { "\(base) from the \($0.rawValue)" } ?? base
    }
}

/// A moment other than "now" that a timer counts from.
public enum TimerAnchor: String, Sendable, Equatable {
    /// The next Vroegsignaleringsoverleg of the case's basisteam (field `basisteam`), by the schedule and cut-off.
    case vsoMeeting
}

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

extension JSONObject {
    /// The object with every source offset removed (merged text has no line numbers of its own).
    public var withoutOffsets: JSONObject {
        JSONObject(members.map { JSONObject.Member(key: $0.key, value: $0.value.withoutOffsets) })
    }
}

extension JSONValue {
    /// The value with every source offset removed.
    public var withoutOffsets: JSONValue {
        switch self {
        case .object(let o): return .object(o.withoutOffsets)
        case .array(let a): return .array(a.map(\.withoutOffsets))
        default: return self
        }
    }
}
