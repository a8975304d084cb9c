/// What a command must carry for a transition.
public enum Requirement: String, Sendable, Hashable, CaseIterable {
    /// A written motivation (e.g. for a doorzettingsbesluit).
    case motivation
    /// A target partner (e.g. to hand over to).
    case target
    /// A note (e.g. the progress made).
    case note
}
