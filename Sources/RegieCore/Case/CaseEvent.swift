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
    /// What the receiver is told besides the event (who looked a client up, and why); never care content.
    public var details: JSONObject

    /// Creates a notification.
    public init(
        caseId: String, sequence: Int, topic: String, recipients: [String], event: String, level: Int,
        details: JSONObject = JSONObject()
    ) {
        self.caseId = caseId
        self.sequence = sequence
        self.topic = topic
        self.recipients = recipients
        self.event = event
        self.level = level
        self.details = details
    }

    /// The case id of a notification about the region rather than one case (a partner that hit the lookup limit).
    public static let regionCase = ""
}

/// What a command or timer decided: the case after it, the events to append, the notifications to send.
public struct Decision: Sendable, Equatable {
    public var record: CaseRecord
    public var events: [CaseEvent]
    public var notifications: [Notification]
    /// Cases to open, linked to this one, in the same transaction.
    public var spawns: [Spawn]

    /// Creates a decision. Notifications of one event with the same topic become one, to the union of their
    /// recipients: a workflow's own `notify` of `case.changed` and the built-in one are one notification with one
    /// webhook-id, not two.
    public init(record: CaseRecord, events: [CaseEvent], notifications: [Notification], spawns: [Spawn] = []) {
        self.record = record
        self.events = events
        self.notifications = Notification.merged(notifications)
        self.spawns = spawns
    }
}

extension Notification {
    /// `notifications` with those of the same case, event and topic merged (first one's place, recipients in order
    /// of first mention, details of the first one completed by the others').
    public static func merged(_ notifications: [Notification]) -> [Notification] {
        var out: [Notification] = []
        for n in notifications {
            if let i = out.firstIndex(where: {
                $0.caseId == n.caseId && $0.sequence == n.sequence && $0.topic == n.topic
            }) {
                for r in n.recipients where !out[i].recipients.contains(r) { out[i].recipients.append(r) }
                for m in n.details.members where out[i].details[m.key] == nil { out[i].details[m.key] = m.value }
            } else {
                out.append(n)
            }
        }
        return out
    }
}

/// A case a decision opens from the case it decides on (an `openCase` effect); the engine opens it in the same
/// transaction, linked back to its origin.
public struct Spawn: Sendable, Equatable {
    /// The id the new case gets (already recorded in the origin's links).
    public var id: String
    public var workflow: String
    /// Its regiehouder.
    public var regie: String
    /// Who fired the event that opens it; joins the new case as its `melder` (the referrer).
    public var actor: Actor
    /// The command's fields; the new case keeps those its opening declares.
    public var fields: [String: String]
}
