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
