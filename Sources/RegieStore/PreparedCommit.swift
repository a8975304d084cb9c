public import RegieCore

/// A decision turned into the values the writer binds, prepared in the caller's thread so that the single writer
/// only binds and steps: event payloads are encoded, participants joined, changed projection columns found.
///
/// A class: it is made once and handed from the thread that decided to the writer, where passing one is a single
/// retain instead of a copy of every field.
public final class PreparedCommit: Sendable {
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
    /// The monitor's counts the decision adds (see `StateMachine.monitorFacts`): each row's key and how often it occurs.
    let monitor: [(key: [SQLValue], n: Int64)]
    /// For a timer's firing: the fired timer's name, recorded with the firing.
    public let firedTimerName: String?

    /// Prepares the decision of a fired timer: the fired row is left out of the timer diff (the writer deletes it,
    /// so that its id is never reused for a restarted timer).
    public convenience init(
        firing decision: Decision, previous: CaseRecord, timer id: Int64, monitor: [MonitorFact] = []
    ) {
        var before = previous
        let name = before.timers.first { $0.id == id }?.name
        before.timers.removeAll { $0.id == id }
        self.init(decision, previous: before, monitor: monitor, firedTimerName: name)
    }

    /// Prepares a decision made on `previous` (nil when it opens the case), with the monitor's facts of it.
    public init(_ decision: Decision, previous: CaseRecord?, monitor: [MonitorFact] = [], firedTimerName: String? = nil)
    {
        let r = decision.record
        record = r
        self.previous = previous
        self.firedTimerName = firedTimerName
        // A decision has a fact or two: counted in a short list, not hashed into a dictionary.
        var counted: [(fact: MonitorFact, n: Int64)] = []
        for fact in monitor {
            if let i = counted.firstIndex(where: { $0.fact == fact }) {
                counted[i].n += 1
            } else {
                counted.append((fact, 1))
            }
        }
        self.monitor = counted.map { fact, n in
            (
                [
                    .int(Int64(fact.month)), .text(fact.workflow), .text(fact.municipality), .text(fact.figure),
                    .text(fact.category), .int(Int64(fact.days)),
                ], n
            )
        }
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
        // Only changed columns are written, so that SQLite maintains only the indexes it must. Written out, not as a
        // table of closures: each closure would copy the record, and this runs for every transition.
        var mask = 0
        var values: [SQLValue] = []
        values.reserveCapacity(Self.projectionColumns.count)
        func changed(_ bit: Int, _ value: @autoclosure () -> SQLValue) {
            mask |= 1 << bit
            values.append(value())
        }
        if r.state != p.state { changed(0, .text(r.state)) }
        if r.regie.partner != p.regie.partner { changed(1, .text(r.regie.partner)) }
        if r.regie.contact != p.regie.contact { changed(2, .text(r.regie.contact)) }
        if r.participants != p.participants { changed(3, .text(CaseStore.encodeParticipants(r.participants))) }
        if r.level != p.level { changed(4, .int(Int64(r.level))) }
        if r.suspendedAt != p.suspendedAt { changed(5, .int(r.suspendedAt?.milliseconds)) }
        if r.sequence != p.sequence { changed(6, .int(Int64(r.sequence))) }
        if r.updatedAt != p.updatedAt { changed(7, .int(r.updatedAt.milliseconds)) }
        if r.lastActivityAt != p.lastActivityAt { changed(8, .int(r.lastActivityAt.milliseconds)) }
        if r.closedAt != p.closedAt { changed(9, .int(r.closedAt?.milliseconds)) }
        if r.details != p.details { changed(10, .text(CaseStore.encodeDetails(r.details))) }
        projection = values
        projectionMask = mask
    }
}
