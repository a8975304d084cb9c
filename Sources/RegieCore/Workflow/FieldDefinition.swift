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
