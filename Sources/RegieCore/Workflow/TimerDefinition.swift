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
