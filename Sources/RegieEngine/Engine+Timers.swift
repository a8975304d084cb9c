public import RegieCore
internal import RegieStore
internal import Foundation
import Synchronization

extension Engine {
    /// What one run of due timers did.
    public struct FiringReport: Sendable {
        /// How many timers fired.
        public var fired = 0
        /// For each firing, milliseconds from its due time until its firing was durable.
        public var latenessMs: [Int64] = []
    }

    /// A timer's firing decided on a read snapshot, outside the writer.
    struct PreparedFiring: Sendable {
        var timer: DueTimer
        var prepared: PreparedCommit?
        var firedAt: Instant
    }

    /// One batch being committed while the next is decided.
    final class Flight: Sendable {
        let ids: Set<Int64>
        let done = DispatchGroup()
        let result = Mutex<Result<[Int64], any Error>>(.success([]))

        init(ids: Set<Int64>) { self.ids = ids }

        func finish(into report: inout FiringReport) throws {
            done.wait()
            let lateness = try result.withLock { $0 }.get()
            report.fired += lateness.count
            report.latenessMs += lateness
        }
    }

    /// Fires every timer due at `now` (the clock's time when nil), earliest first, in batches of one transaction.
    ///
    /// Each batch is decided on a read snapshot while the previous one commits; the writer applies each firing only
    /// if its case is still at the sequence it was decided on, and decides again otherwise. A timer fires at most
    /// once: its event, the removal of its row and its firing record commit together, and a fired row is never
    /// reused.
    public func fireDueTimers(now fixed: Instant? = nil, batchSize: Int = 1000) throws(EngineError) -> FiringReport {
        var report = FiringReport()
        let writer = DispatchQueue(label: "regie.timers.writer")
        var inFlight: Flight?
        do {
            while true {
                let now = fixed ?? clock.now()
                let exclude = inFlight?.ids ?? []
                let prepared = try read { store in
                    try store.dueTimers(until: now, max: batchSize + exclude.count).lazy.filter {
                        !exclude.contains($0.id)
                    }
                    .prefix(batchSize).map { try self.prepareFiring($0, store, fixed) }
                }
                // Batches commit one after another, so timers fire in due order.
                try inFlight?.finish(into: &report)
                inFlight = nil
                if prepared.isEmpty { break }
                let flight = Flight(ids: Set(prepared.map(\.timer.id)))
                writer.async(group: flight.done) {
                    let result = Result { try self.commitFirings(prepared, fixed) }
                    flight.result.withLock { $0 = result }
                }
                inFlight = flight
                if prepared.count < batchSize {
                    try flight.finish(into: &report)
                    break
                }
            }
        } catch {
            inFlight?.done.wait()
            throw EngineError.wrap(error, path: databasePath)
        }
        return report
    }

    private func prepareFiring(_ timer: DueTimer, _ store: CaseStore, _ fixed: Instant?) throws -> PreparedFiring {
        var firedAt = fixed ?? clock.now()
        guard let record = try store.loadCase(timer.caseId) else {
            return PreparedFiring(timer: timer, prepared: nil, firedAt: firedAt)
        }
        firedAt = max(firedAt, record.updatedAt)
        let machine = try machine(for: record.workflow, version: record.version)
        let prepared = machine.fire(timerID: timer.id, of: record, now: firedAt).map {
            prepare($0, on: record, by: machine, firing: timer.id)
        }
        return PreparedFiring(timer: timer, prepared: prepared, firedAt: firedAt)
    }

    /// Commits a batch of firings in one transaction; returns the lateness of each, measured once it is durable.
    private func commitFirings(_ batch: [PreparedFiring], _ fixed: Instant?) throws -> [Int64] {
        let fired = try committer.run { store -> [DueTimer] in
            var fired: [DueTimer] = []
            for p in batch {
                if let prepared = p.prepared {
                    do {
                        try store.commitFiring(prepared, timer: p.timer, firedAt: p.firedAt)
                        fired.append(p.timer)
                        continue
                    } catch StoreError.staleCase {
                        // The case moved on since the snapshot (nothing was written): decide again below.
                    }
                }
                guard let record = try store.loadCase(p.timer.caseId) else {
                    try store.deleteTimer(p.timer.id)
                    continue
                }
                let firedAt = max(fixed ?? self.clock.now(), record.updatedAt)
                let machine = try self.machine(for: record.workflow, version: record.version)
                guard let decision = machine.fire(timerID: p.timer.id, of: record, now: firedAt) else {
                    if record.closedAt != nil { try store.deleteTimer(p.timer.id) }
                    continue
                }
                try store.commitFiring(
                    self.prepare(decision, on: record, by: machine, firing: p.timer.id), timer: p.timer,
                    firedAt: firedAt)
                fired.append(p.timer)
            }
            return fired
        }
        let durableAt = fixed ?? clock.now()
        return fired.map { max(0, durableAt.milliseconds - $0.dueAt.milliseconds) }
    }
}
