/// One level of the escalation ladder (DOMAIN.md): who owns it and how long it has to decide.
public struct EscalationLevel: Sendable, Equatable {
    /// 0 (regulier) to 3 (bestuurlijk).
    public var level: Int
    public var name: String
    /// The role that owns the level: the regiehouder at 0, a mandate role above.
    public var owner: Role
    /// At level 0 the stagnation period; above it, the owner's response deadline.
    public var deadline: DurationSpec
    /// Whether the owner may take a doorzettingsbesluit at this level.
    public var doorzettingsmacht: Bool

    /// Creates a level.
    public init(level: Int, name: String, owner: Role, deadline: DurationSpec, doorzettingsmacht: Bool) {
        self.level = level
        self.name = name
        self.owner = owner
        self.deadline = deadline
        self.doorzettingsmacht = doorzettingsmacht
    }

    /// The ladder of DOMAIN.md, used when the configuration names none.
    public static let defaultLadder = [
        EscalationLevel(
            level: 0, name: "regulier", owner: .regiehouder, deadline: .workingDays(10), doorzettingsmacht: false),
        EscalationLevel(
            level: 1, name: "procesregie", owner: .procesregisseur, deadline: .workingDays(5), doorzettingsmacht: false),
        EscalationLevel(
            level: 2, name: "ketenregie", owner: .ketenregisseur, deadline: .workingDays(5), doorzettingsmacht: true),
        EscalationLevel(
            level: 3, name: "bestuurlijk", owner: .bestuurlijk, deadline: .workingDays(10), doorzettingsmacht: true),
    ]
}
