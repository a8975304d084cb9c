public import RegieCore

/// A decision turned into the values the writer binds, prepared in the caller's thread so that the single writer
/// only binds and steps: event payloads are encoded, participants joined, changed projection columns found.
public struct PreparedCommit: Sendable {
    /// The projection columns an update may change, in the order of `projectionMask`'s bits.
    static let projectionColumns = [
        "state", "regie_partner", "regie_contact", "participants", "level", "suspended_at", "seq", "updated_at",
        "last_activity_at", "closed_at", "details",
    ]

    /// The case after the decision.
    public let record: CaseRecord
    /// The case the decision was made on; nil when the decision opens the case.
    public let previous: CaseRecord?
    /// The values of each event row; the chain link (index 2) is filled in by the writer.
    let events: [[SQLValue]]
    /// For a new case, every column but last_event_id; for an update, the changed columns' values in mask order.
    let projection: [SQLValue]
    /// Which projection columns changed (bit i: `projectionColumns[i]`).
    let projectionMask: Int
    let outbox: [[SQLValue]]
    /// The notifications the outbox rows hold, for planning their webhook deliveries.
    let notifications: [Notification]
    /// The digest of the case's state after the decision, and of each event with it (the writer chains them).
    let state: String
    let digests: [String]
    /// For a timer's firing: the fired timer's name, recorded with the firing.
    public private(set) var firedTimerName: String?

    /// Prepares the decision of a fired timer: the fired row is left out of the timer diff (the writer deletes it,
    /// so that its id is never reused for a restarted timer).
    public init(firing decision: Decision, previous: CaseRecord, timer id: Int64) {
        var before = previous
        let name = before.timers.first { $0.id == id }?.name
        before.timers.removeAll { $0.id == id }
        self.init(decision, previous: before)
        firedTimerName = name
    }

    /// Prepares a decision made on `previous` (nil when it opens the case).
    public init(_ decision: Decision, previous: CaseRecord?) {
        let r = decision.record
        record = r
        self.previous = previous
        events = decision.events.map { e in
            [
                .text(e.caseId), .int(Int64(e.sequence)), .null, .int(e.at.milliseconds), .text(e.event),
                .text(e.actor.partner), .text(e.actor.person), .text(e.actor.role.rawValue),
                .text(e.payload.compactText),
            ]
        }
        notifications = decision.notifications
        state = EventSeal.stateDigest(r)
        let state = self.state
        digests = events.map { EventSeal.digest($0, state: state) }
        outbox = decision.notifications.map { n in
            [
                .text(n.caseId), .int(Int64(n.sequence)), .text(n.topic), .text(n.recipients.joined(separator: ",")),
                .text(n.event), .int(Int64(n.level)), .int(r.updatedAt.milliseconds),
            ]
        }
        guard let p = previous else {
            projection = [
                .text(r.id), .text(r.workflow), .int(Int64(r.version)), .text(r.state), .text(r.regie.partner),
                .text(r.regie.contact), .text(CaseStore.encodeParticipants(r.participants)), .int(Int64(r.level)),
                .text(r.clientKey), .int(r.suspendedAt?.milliseconds), .int(Int64(r.sequence)),
                .int(r.openedAt.milliseconds), .int(r.updatedAt.milliseconds), .int(r.lastActivityAt.milliseconds),
                .int(r.closedAt?.milliseconds), .text(CaseStore.encodeDetails(r.details)),
            ]
            projectionMask = 0
            return
        }
        // Only changed columns are written, so that SQLite maintains only the indexes it must.
        let changes: [(Bool, () -> SQLValue)] = [
            (r.state != p.state, { .text(r.state) }),
            (r.regie.partner != p.regie.partner, { .text(r.regie.partner) }),
            (r.regie.contact != p.regie.contact, { .text(r.regie.contact) }),
            (r.participants != p.participants, { .text(CaseStore.encodeParticipants(r.participants)) }),
            (r.level != p.level, { .int(Int64(r.level)) }),
            (r.suspendedAt != p.suspendedAt, { .int(r.suspendedAt?.milliseconds) }),
            (r.sequence != p.sequence, { .int(Int64(r.sequence)) }),
            (r.updatedAt != p.updatedAt, { .int(r.updatedAt.milliseconds) }),
            (r.lastActivityAt != p.lastActivityAt, { .int(r.lastActivityAt.milliseconds) }),
            (r.closedAt != p.closedAt, { .int(r.closedAt?.milliseconds) }),
            (r.details != p.details, { .text(CaseStore.encodeDetails(r.details)) }),
        ]
        var mask = 0
        var values: [SQLValue] = []
        for (i, change) in changes.enumerated() where change.0 {
            mask |= 1 << i
            values.append(change.1())
        }
        projection = values
        projectionMask = mask
    }
}
