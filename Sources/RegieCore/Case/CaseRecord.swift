/// The current view of one case: the projection of its events.
///
/// A value with copy-on-write storage, like `Array`: a copy shares one buffer until either side changes a field.
/// A case is handed on many times per command (the cache, the decision, the prepared rows, the answer), and each
/// copy of its fifty-odd references used to be retained and released one by one.
public struct CaseRecord: Sendable, Equatable {
    /// The fields themselves; compared and copied as a whole.
    private struct Fields: Equatable {
        var id: String
        var workflow: String
        var version: Int
        var state: String
        var regie: RegieHolder
        var participants: [Participant]
        var level: Int
        var clientKey: String?
        var suspendedAt: Instant?
        var sequence: Int
        var openedAt: Instant
        var updatedAt: Instant
        var lastActivityAt: Instant
        var closedAt: Instant?
        var timers: [TimerRecord]
        var details: CaseDetails
    }

    /// `@unchecked Sendable`: its one mutable field is written only through `unique`, that is only while this
    /// buffer is referenced by a single record, so no two threads ever see it change (as `Array`'s buffer). For the
    /// same reason its accesses need no run-time exclusivity check, which every read of a field would otherwise pay.
    private final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    /// The storage, copied first if another record shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            return storage
        }
    }

    /// The opaque case id.
    public var id: String {
        get { storage.fields.id }
        _modify { yield &unique.fields.id }
    }
    public var workflow: String {
        get { storage.fields.workflow }
        _modify { yield &unique.fields.workflow }
    }
    public var version: Int {
        get { storage.fields.version }
        _modify { yield &unique.fields.version }
    }
    public var state: String {
        get { storage.fields.state }
        _modify { yield &unique.fields.state }
    }
    /// The one holder of regie; never empty.
    public var regie: RegieHolder {
        get { storage.fields.regie }
        _modify { yield &unique.fields.regie }
    }
    /// The other partners taking part, with their roles (the regiehouder is not repeated here).
    public var participants: [Participant] {
        get { storage.fields.participants }
        _modify { yield &unique.fields.participants }
    }
    /// The escalation level, 0 (regulier) to 3 (bestuurlijk).
    public var level: Int {
        get { storage.fields.level }
        _modify { yield &unique.fields.level }
    }
    /// The keyed pseudonym of the client, if a BSN was given. Never the BSN itself.
    public var clientKey: String? {
        get { storage.fields.clientKey }
        _modify { yield &unique.fields.clientKey }
    }
    /// When the case was suspended (opgeschort), or nil.
    public var suspendedAt: Instant? {
        get { storage.fields.suspendedAt }
        _modify { yield &unique.fields.suspendedAt }
    }
    /// The sequence number of the last event.
    public var sequence: Int {
        get { storage.fields.sequence }
        _modify { yield &unique.fields.sequence }
    }
    public var openedAt: Instant {
        get { storage.fields.openedAt }
        _modify { yield &unique.fields.openedAt }
    }
    public var updatedAt: Instant {
        get { storage.fields.updatedAt }
        _modify { yield &unique.fields.updatedAt }
    }
    /// The last event by a person (timers do not count), for stall detection.
    public var lastActivityAt: Instant {
        get { storage.fields.lastActivityAt }
        _modify { yield &unique.fields.lastActivityAt }
    }
    /// When the case reached a final state, or nil.
    public var closedAt: Instant? {
        get { storage.fields.closedAt }
        _modify { yield &unique.fields.closedAt }
    }
    /// Running timers and reminders.
    public var timers: [TimerRecord] {
        get { storage.fields.timers }
        _modify { yield &unique.fields.timers }
    }
    /// Municipality, opening fields, running handover and opdracht, linked cases.
    public var details: CaseDetails {
        get { storage.fields.details }
        _modify { yield &unique.fields.details }
    }

    /// Creates a record.
    public init(
        id: String, workflow: String, version: Int, state: String, regie: RegieHolder, participants: [Participant],
        level: Int, clientKey: String?, suspendedAt: Instant?, sequence: Int, openedAt: Instant, updatedAt: Instant,
        lastActivityAt: Instant, closedAt: Instant?, timers: [TimerRecord], details: CaseDetails = CaseDetails()
    ) {
        storage = Storage(
            Fields(
                id: id, workflow: workflow, version: version, state: state, regie: regie, participants: participants,
                level: level, clientKey: clientKey, suspendedAt: suspendedAt, sequence: sequence, openedAt: openedAt,
                updatedAt: updatedAt, lastActivityAt: lastActivityAt, closedAt: closedAt, timers: timers,
                details: details))
    }

    /// Equal when every field is; records sharing their storage are equal without comparing.
    public static func == (a: CaseRecord, b: CaseRecord) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
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
