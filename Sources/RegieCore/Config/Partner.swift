/// An organisation in the network.
public struct Partner: Sendable, Equatable {
    /// The domain that decides what a partner may see.
    public enum Domain: String, Sendable, CaseIterable { case zorg, veiligheid, gemeente, wonen }

    /// A stable slug, e.g. `gemeente-haarlem`.
    public var id: String
    public var name: String
    public var domain: Domain
    /// What kind of organisation (gemeente, ggz, politie, ...).
    public var kind: String
    public var contact: String?
    /// An example partner that a region replaces with its own.
    public var example: Bool
    /// Cases it opens as regiehouder are shielded (afgeschermd) from the start: a women's shelter, Veilig Thuis.
    public var shieldsByDefault: Bool = false
}
