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
