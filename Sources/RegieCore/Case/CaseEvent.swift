/// Who did something: a partner, optionally a person, acting in a role.
public struct Actor: Sendable, Equatable {
    public var partner: String
    public var person: String?
    public var role: Role

    /// Creates an actor.
    public init(partner: String, person: String? = nil, role: Role) {
        self.partner = partner
        self.person = person
        self.role = role
    }

    /// The engine itself, acting for timers.
    public static let system = Actor(partner: "regie", person: nil, role: .systeem)
}

/// One entry of a case's append-only event log.
public struct CaseEvent: Sendable, Equatable {
    public var caseId: String
    /// The per-case sequence number, starting at 1.
    public var sequence: Int
    public var at: Instant
    /// The event name (a workflow event, or a built-in one such as `geopend`).
    public var event: String
    public var actor: Actor
    /// Details: from/to state, note, target, motivation, timer data.
    public var payload: JSONValue

    /// Creates an event.
    public init(caseId: String, sequence: Int, at: Instant, event: String, actor: Actor, payload: JSONValue) {
        self.caseId = caseId
        self.sequence = sequence
        self.at = at
        self.event = event
        self.actor = actor
        self.payload = payload
    }
}

/// A message for partners, written to the outbox with the event that causes it.
public struct Notification: Sendable, Equatable {
    public var caseId: String
    /// The sequence of the event that caused it.
    public var sequence: Int
    public var topic: String
    /// Partner ids to notify, without duplicates.
    public var recipients: [String]
    public var event: String
    public var level: Int

    /// Creates a notification.
    public init(caseId: String, sequence: Int, topic: String, recipients: [String], event: String, level: Int) {
        self.caseId = caseId
        self.sequence = sequence
        self.topic = topic
        self.recipients = recipients
        self.event = event
        self.level = level
    }
}

/// What a command or timer decided: the case after it, the events to append, the notifications to send.
public struct Decision: Sendable, Equatable {
    public var record: CaseRecord
    public var events: [CaseEvent]
    public var notifications: [Notification]

    /// Creates a decision.
    public init(record: CaseRecord, events: [CaseEvent], notifications: [Notification]) {
        self.record = record
        self.events = events
        self.notifications = notifications
    }
}
