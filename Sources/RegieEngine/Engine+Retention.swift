import Foundation
public import RegieCore
public import RegieStore

/// Retention: closed cases are purged after their workflow's period (tombstones stay), the access log's oldest
/// records after its longer period (an anchor stays), and a legal hold stops a case's purge.
extension Engine {
    /// A closed case and when it may be purged.
    public struct RetentionItem: Sendable, Equatable {
        public var caseId: String
        public var workflow: String
        public var closedAt: Instant
        public var purgeFrom: Instant
        /// The reason of a legal hold, when one stops the purge.
        public var hold: String?
    }

    /// What `regie retention run` would do now.
    public struct RetentionPlan: Sendable {
        public var now: Instant
        /// Cases due for purging, oldest first.
        public var due: [RetentionItem]
        /// Cases that would be due but are held.
        public var held: [RetentionItem]
        /// Access-log records older than its period, and the instant they are older than.
        public var accessRecords: Int
        public var accessLogCutoff: Instant
    }

    /// The cases and access records due for purging at `now` (by default the engine's clock).
    public func retentionPlan(now: Instant? = nil) throws(EngineError) -> RetentionPlan {
        let now = now ?? clock.now()
        return try read { store in try Self.plan(store, config.retention, config.calendar, now: now) }
    }

    private static func plan(_ store: CaseStore, _ policy: RetentionPolicy, _ calendar: DutchCalendar, now: Instant)
        throws -> RetentionPlan
    {
        // Only cases closed at least the shortest period ago can be due; the index on closed_at finds them.
        let shortest = min(policy.defaultYears, policy.workflowYears.values.min() ?? policy.defaultYears)
        var due: [RetentionItem] = []
        var held: [RetentionItem] = []
        for c in try store.closedCases(closedBefore: calendar.addingYears(-shortest, to: now)) {
            let from = policy.purgeFrom(closedAt: c.closedAt, workflow: c.workflow, calendar: calendar)
            guard from <= now else { continue }
            let item = RetentionItem(
                caseId: c.caseId, workflow: c.workflow, closedAt: c.closedAt, purgeFrom: from, hold: c.hold)
            if c.hold == nil { due.append(item) } else { held.append(item) }
        }
        let cutoff = policy.accessLogCutoff(now: now, calendar: calendar)
        return RetentionPlan(
            now: now, due: due, held: held, accessRecords: try store.auditRecordsBefore(cutoff).count,
            accessLogCutoff: cutoff)
    }

    /// What a retention run did.
    public struct RetentionReport: Sendable {
        public var purged: [CaseStore.Tombstone]
        /// Cases due but held.
        public var held: [RetentionItem]
        public var accessRecordsPurged: Int
        /// Rows of sessions that ended more than 30 days ago (or began that long ago and never ended).
        public var sessionsPurged = 0
    }

    /// Purges what is due: closed cases past their period, in batches of `batchSize` (each one transaction with
    /// its tombstones and an access-log record per case, deciding again what is due inside it, so a hold placed
    /// meanwhile counts), then the access log's records past its period.
    /// - Parameter by: the access-log record the purge records are made from (channel, partner, person).
    public func runRetention(by template: AuditEntry, batchSize: Int = 500) throws(EngineError) -> RetentionReport {
        let policy = config.retention
        let calendar = config.calendar
        var report = RetentionReport(purged: [], held: [], accessRecordsPurged: 0)
        do {
            while true {
                let now = clock.now()
                let (stones, held) = try committer.run { store -> ([CaseStore.Tombstone], [RetentionItem]) in
                    let plan = try Self.plan(store, policy, calendar, now: now)
                    let batch = plan.due.prefix(batchSize)
                    let stones = try store.purge(batch.map(\.caseId), at: now, reason: "retention")
                    for (stone, item) in zip(stones, batch) {
                        try Self.record(
                            template, in: store, at: now, action: "purge", resource: "retention",
                            caseId: stone.caseId, clientKey: stone.clientKey,
                            detail:
                                "\(stone.workflow) case closed \(calendar.localText(item.closedAt)), kept \(policy.years(for: stone.workflow)) years: \(stone.events) event(s) purged, tombstone kept"
                        )
                    }
                    return (stones, plan.held)
                }
                report.purged += stones
                report.held = held
                if stones.count < batchSize { break }
            }
            let now = clock.now()
            report.accessRecordsPurged = try committer.run { store -> Int in
                let (count, through) = try store.auditRecordsBefore(
                    policy.accessLogCutoff(now: now, calendar: calendar))
                guard count > 0 else { return 0 }
                try store.purgeAudit(through: through)
                try Self.record(
                    template, in: store, at: now, action: "purge", resource: Self.accessLogResource, caseId: nil,
                    clientKey: nil, detail: Self.accessLogPurgeDetail(through, try store.auditAnchor().hash))
                return count
            }
            // A session runs at most `sessionAbsoluteSeconds`; its row is kept 30 days after it ended.
            let sessionCutoff = Instant(
                milliseconds: now.milliseconds - 30 * 86_400_000 - identity.sessionAbsoluteSeconds * 1000)
            report.sessionsPurged = try committer.run { store in try store.purgeSessions(before: sessionCutoff) }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
        return report
    }

    /// Places a legal hold on a case (open or closed): it is not purged until the hold is released.
    /// - Throws: `.notFound` for an unknown case, `.invalid` when it is already held or the reason is empty.
    public func placeHold(_ caseId: String, reason: String, audit template: AuditEntry) throws(EngineError) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .invalid("a legal hold needs a reason (--reason), e.g. the court case") }
        let now = clock.now()
        do {
            try committer.run { store in
                guard let record = try store.loadCase(caseId) else {
                    throw EngineError.notFound(
                        try store.tombstone(caseId) != nil ? "case \(caseId) was purged" : "no case \(caseId)")
                }
                let by = [template.partner, template.person].compactMap { $0 }.joined(separator: "/")
                guard try store.placeHold(.init(caseId: caseId, reason: reason, by: by, at: now)) else {
                    throw EngineError.invalid("case \(caseId) is already held; release it first to change the reason")
                }
                try Self.record(
                    template, in: store, at: now, caseId: caseId, clientKey: record.clientKey,
                    detail: "legal hold: \(reason)")
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Releases a legal hold.
    /// - Throws: `.notFound` when the case has no hold.
    public func releaseHold(_ caseId: String, reason: String, audit template: AuditEntry) throws(EngineError) {
        let now = clock.now()
        do {
            try committer.run { store in
                guard try store.releaseHold(caseId) else {
                    throw EngineError.notFound("case \(caseId) has no legal hold")
                }
                try Self.record(
                    template, in: store, at: now, caseId: caseId, clientKey: try store.loadCase(caseId)?.clientKey,
                    detail: "legal hold released" + (reason.isEmpty ? "" : ": \(reason)"))
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Appends an access-log record made from `template` (who, through which channel) for one retention action.
    private static func record(
        _ template: AuditEntry, in store: CaseStore, at now: Instant, action: String? = nil, resource: String? = nil,
        caseId: String?, clientKey: String?, detail: String
    ) throws {
        var e = template
        e.at = now
        if let action { e.action = action }
        if let resource { e.resource = resource }
        e.caseId = caseId
        e.clientKey = clientKey
        e.detail = detail
        try append(e, to: store)
    }

    /// Every legal hold.
    public func legalHolds() throws(EngineError) -> [CaseStore.LegalHold] {
        try read { try $0.holds() }
    }

    /// The tombstone of a purged case.
    public func tombstone(_ caseId: String) throws(EngineError) -> CaseStore.Tombstone? {
        try read { try $0.tombstone(caseId) }
    }
}
