/// The current view of one case: the projection of its events.
public struct CaseRecord: Sendable, Equatable {
    /// The opaque case id.
    public var id: String
    public var workflow: String
    public var version: Int
    public var state: String
    /// The one holder of regie; never empty.
    public var regie: RegieHolder
    /// The other partners taking part, with their roles (the regiehouder is not repeated here).
    public var participants: [Participant]
    /// The escalation level, 0 (regulier) to 3 (bestuurlijk).
    public var level: Int
    /// The keyed pseudonym of the client, if a BSN was given. Never the BSN itself.
    public var clientKey: String?
    /// When the case was suspended (opgeschort), or nil.
    public var suspendedAt: Instant?
    /// The sequence number of the last event.
    public var sequence: Int
    public var openedAt: Instant
    public var updatedAt: Instant
    /// The last event by a person (timers do not count), for stall detection.
    public var lastActivityAt: Instant
    /// When the case reached a final state, or nil.
    public var closedAt: Instant?
    /// Running timers and reminders.
    public var timers: [TimerRecord]
    /// Municipality, opening fields, running handover and opdracht, linked cases.
    public var details: CaseDetails

    /// Creates a record.
    public init(
        id: String, workflow: String, version: Int, state: String, regie: RegieHolder, participants: [Participant],
        level: Int, clientKey: String?, suspendedAt: Instant?, sequence: Int, openedAt: Instant, updatedAt: Instant,
        lastActivityAt: Instant, closedAt: Instant?, timers: [TimerRecord], details: CaseDetails = CaseDetails()
    ) {
        self.id = id
        self.workflow = workflow
        self.version = version
        self.state = state
        self.regie = regie
        self.participants = participants
        self.level = level
        self.clientKey = clientKey
        self.suspendedAt = suspendedAt
        self.sequence = sequence
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.lastActivityAt = lastActivityAt
        self.closedAt = closedAt
        self.timers = timers
        self.details = details
    }

    /// Whether the case is suspended.
    public var suspended: Bool { suspendedAt != nil }

    /// All partners with their roles, the regiehouder first.
    public var partners: [Participant] {
        [Participant(partner: regie.partner, role: .regiehouder)] + participants
    }
}

/// The partner holding regie, and its contact person.
public struct RegieHolder: Sendable, Equatable {
    public var partner: String
    public var contact: String?

    /// Creates a holder.
    public init(partner: String, contact: String?) {
        self.partner = partner
        self.contact = contact
    }
}

/// A partner in a case with its role.
public struct Participant: Sendable, Hashable {
    public var partner: String
    public var role: Role
    /// In a household case, the members this partner serves (it sees their part and the shared plan); nil: all.
    public var members: Set<String>?

    /// Creates a participant.
    public init(partner: String, role: Role, members: Set<String>? = nil) {
        self.partner = partner
        self.role = role
        self.members = members
    }
}

/// A running timer or reminder of a case.
public struct TimerRecord: Sendable, Equatable {
    /// Whether this row is the deadline itself or a reminder before it.
    public enum Kind: String, Sendable { case deadline, reminder }

    /// The store's id; nil until stored. Firing is by id, so each row fires at most once.
    public var id: Int64?
    public var name: String
    public var kind: Kind
    /// The event fired into the case (deadlines), or the reminder's own marker.
    public var event: String
    public var dueAt: Instant
    public var startedAt: Instant
    /// The state that owns this timer (cancelled when left), or nil for a transition timer.
    public var ownerState: String?
    /// The escalation level that owns this deadline: 0 is the regiehouder's; above 0, the level that set it (its
    /// response deadline, an opdracht it gave). Only the owner of that level or a level above may extend or suspend it.
    public var ownerLevel: Int
    /// The partner this instance of the timer is about (the carrier of an opdracht), or nil.
    public var subject: String?
    /// When the timer was paused (by a suspension, or held while a higher level's opdracht runs), or nil.
    public var pausedAt: Instant?

    /// Creates a timer record.
    public init(
        id: Int64? = nil, name: String, kind: Kind, event: String, dueAt: Instant, startedAt: Instant,
        ownerState: String?, ownerLevel: Int = 0, subject: String? = nil, pausedAt: Instant? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.event = event
        self.dueAt = dueAt
        self.startedAt = startedAt
        self.ownerState = ownerState
        self.ownerLevel = ownerLevel
        self.subject = subject
        self.pausedAt = pausedAt
    }

    /// Whether the timer is paused.
    public var paused: Bool { pausedAt != nil }

    /// Whether `other` is a row of the same timer (the deadline and its reminders share name and subject).
    public func sameTimer(as other: TimerRecord) -> Bool { name == other.name && subject == other.subject }

    /// The timer's name for people and for `verlengen --timer`: `opdracht-termijn` or, for one of several
    /// instances, `opdracht-termijn:ggz-aanbieder`.
    public var label: String { subject.map { "\(name):\($0)" } ?? name }
}
