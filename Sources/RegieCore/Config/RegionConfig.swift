/// A region's configuration: its partners, who holds which mandate, the escalation ladder, the windows of its
/// agreements, the VSO schedules, and its calendar.
public struct RegionConfig: Sendable {
    public var region: String
    /// The centrumgemeente (a municipality partner), where the ketenregisseur sits.
    public var centrumgemeente: String?
    public var partners: [Partner]
    /// Partners holding a region-wide mandate role.
    public var mandates: [Role: Set<String>]
    /// For each municipality, the partner holding procesregie for its cases.
    public var procesregisseurs: [String: String]
    /// Levels 0 to 3, in order.
    public var ladder: [EscalationLevel]
    /// The windows of local agreements by name (see `RegionConfig.windowDefaults`).
    public var windows: [String: DurationSpec]
    /// The Vroegsignaleringsoverleg of each police basisteam.
    public var vso: [VSOSchedule]
    /// The practice calendar: what the region's windows and the ladder count in (the law's days plus the region's
    /// own closing days). Statutory periods count in `calendar.law`.
    public var calendar: DutchCalendar
    /// Where the pseudonym secret is read from when the environment does not give it (relative to the config folder).
    public var pseudonymSecretFile: String?
    /// Whom a lookup that hits a shielded case tells an outsider to contact (e.g. Veilig Thuis), instead of the
    /// holder of regie; nil: the ketenregisseur.
    public var safePoint: String?
    /// The purposes a lookup may state; empty: any short text.
    public var lookupPurposes: [String]
    /// How many lookups a partner may do within `lookupWindow`.
    public var lookupLimit: Int
    public var lookupWindow: DurationSpec
    /// The partners whose people and API keys may run the monitor's reports; nil: the centrumgemeente alone.
    public var monitorPartners: [String]?
    /// Counts under this are shown as "< threshold" in the monitor's reports (at least 2; 5 by default).
    public var monitorThreshold: Int
    /// Whether `partner` may run the monitor's reports.
    public func mayReport(_ partner: String) -> Bool {
        (monitorPartners ?? centrumgemeente.map { [$0] } ?? []).contains(partner)
    }
    /// How long closed cases and the access log are kept.
    public var retention: RetentionPolicy
    /// The most characters each kind of free text may have.
    public var textLimits: TextLimits

    /// The partner an outsider is told to contact about a shielded case.
    public var shieldedContact: String? { safePoint ?? mandates[.ketenregisseur]?.sorted().first }

    /// The windows a region sets, with DOMAIN.md's defaults and what each is for.
    public static let windowDefaults: [(name: String, duration: DurationSpec, meaning: String)] = [
        ("handoverAcceptance", .workingDays(3), "the receiver accepts or refuses a handover"),
        ("handoverMeeting", .workingDays(10), "the joint meeting (kennismaking) of a warm handover"),
        ("bemoeizorgTriage", .workingDays(5), "triage of a bemoeizorg referral"),
        ("bemoeizorgOutreach", .workingDays(3), "a first outreach attempt (contactpoging)"),
        ("vsoFeedback", .workingDays(5), "the police hear back after the VSO meeting"),
        ("opdracht", .workingDays(5), "a binding opdracht is carried out, unless the besluit sets its own termijn"),
    ]

    /// The names a timer may use as its `window`: the windows above, and `stagnation` (the ladder's level 0 period).
    public static var windowNames: [String] { windowDefaults.map(\.name) + ["stagnation"] }

    /// The duration of a window by name; `stagnation` is the ladder's level 0 period.
    public func window(_ name: String) -> DurationSpec? {
        if name == "stagnation" { return level(0)?.deadline ?? .workingDays(10) }
        return windows[name]
    }

    /// An empty configuration: no partner list (any valid partner id is accepted), no mandates, DOMAIN.md's ladder
    /// and windows, no VSO schedules, no extra days.
    public init() {
        region = ""
        centrumgemeente = nil
        monitorPartners = nil
        monitorThreshold = 5
        partners = []
        mandates = [:]
        procesregisseurs = [:]
        ladder = EscalationLevel.defaultLadder
        windows = Dictionary(uniqueKeysWithValues: Self.windowDefaults.map { ($0.name, $0.duration) })
        vso = []
        calendar = DutchCalendar()
        pseudonymSecretFile = nil
        safePoint = nil
        lookupPurposes = []
        lookupLimit = 20
        lookupWindow = .calendar(days: 0, seconds: 3600)
        retention = RetentionPolicy()
        textLimits = TextLimits()
    }

    /// The partner with `id`.
    public func partner(_ id: String) -> Partner? { partners.first { $0.id == id } }

    /// The escalation level `n`, if the ladder has it.
    public func level(_ n: Int) -> EscalationLevel? { ladder.first { $0.level == n } }

    /// The VSO schedule of a basisteam.
    public func vsoSchedule(_ basisteam: String) -> VSOSchedule? { vso.first { $0.basisteam == basisteam } }

    /// Checks a partner id: a slug, and listed when the region lists its partners.
    /// - Throws: `Refusal` (.invalidTarget) naming the problem and where to look.
    public func checkPartner(_ id: String) throws(Refusal) {
        guard isSlug(id) else {
            throw Refusal(
                .invalidTarget, "\"\(id)\" is not a partner id; ids are lowercase slugs such as gemeente-haarlem")
        }
        if !partners.isEmpty && partner(id) == nil {
            let hint = closest(id, in: partners.map(\.id)).map { "did you mean \($0)? " } ?? ""
            throw Refusal(.invalidTarget, "unknown partner \"\(id)\"; \(hint)see `regie partner list`")
        }
    }
}
