internal import Foundation
internal import RegieStore
import Synchronization

/// Runs write jobs against the store, committing jobs that arrive together in one durable transaction.
///
/// The first caller becomes the leader and commits every job queued meanwhile; each job runs in its own savepoint,
/// so a job that fails changes nothing and does not affect the others. Nobody returns before their transaction
/// has committed: group commit never acknowledges what is not durable. Each waiting caller sleeps on its own
/// semaphore, so a commit wakes exactly the callers it finished (and the next leader), not everyone.
///
/// A job may also be submitted without waiting (`submit`): nobody sleeps on it, a background thread leads the batch
/// it is in, and its completion runs on that thread once the transaction is durable. The partner API uses this for
/// the access-log records of reads, so that a thread answering requests never sleeps through an fsync.
final class GroupCommitter: Sendable {
    /// Where a job stands; changed by its caller and by the leader of its batch.
    private enum Stage: Sendable {
        case queued
        /// Its caller must lead the next batch instead of waiting.
        case lead
        /// Its transaction ended: durable (nil) or rolled back (the error).
        case finished((any Error)?)
    }

    private final class Job: Sendable {
        /// Runs the work and keeps its result where the caller reads it; throws to roll its savepoint back.
        let work: @Sendable (CaseStore) throws -> Void
        let stage = Mutex(Stage.queued)
        let wake = DispatchSemaphore(value: 0)
        /// For a submitted job: what to do once it is durable or has failed. Nobody waits on `wake`.
        let done: (@Sendable ((any Error)?) -> Void)?
        init(_ work: @escaping @Sendable (CaseStore) throws -> Void, done: (@Sendable ((any Error)?) -> Void)? = nil) {
            self.work = work
            self.done = done
        }
    }

    /// What the callers share: the jobs not yet in a transaction, and who leads.
    private struct Queue {
        var jobs: [Job] = []
        var leading = false
        /// Whether the thread that leads batches whose first job nobody waits on was started (by the first `submit`).
        var backgroundStarted = false
        var stopped = false
    }

    private let store: CaseStore
    private let queue = Mutex(Queue())
    private let backgroundWake = DispatchSemaphore(value: 0)
    /// The background leader, kept: a `Thread` released before its pthread has begun may never run on Linux.
    private let background = Mutex<Thread?>(nil)
    /// Largest number of jobs in one transaction.
    let maxBatch: Int
    /// Called once after each committed transaction (outside the lock), e.g. to wake the scheduler.
    private let afterCommit: @Sendable () -> Void

    init(store: CaseStore, maxBatch: Int = 1024, afterCommit: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.maxBatch = maxBatch
        self.afterCommit = afterCommit
    }

    deinit {
        queue.withLock { $0.stopped = true }
        backgroundWake.signal()
    }

    /// Configures the writer's store before any job runs.
    func withStore(_ body: (CaseStore) -> Void) { queue.withLock { _ in body(store) } }

    /// Lets `checkpointer` copy the log into the database file instead of the committing thread.
    func handOffCheckpoints(to checkpointer: Checkpointer) {
        store.db.handOffCheckpoints { checkpointer.logGrew(to: $0) }
    }

    /// Queues `work` for the next transaction and returns at once; `done` runs on a background thread once the
    /// transaction is durable (with nil) or once the work or the commit failed (with the error).
    func submit(
        _ work: @escaping @Sendable (CaseStore) throws -> Void, done: @escaping @Sendable ((any Error)?) -> Void
    ) {
        let job = Job(work, done: done)
        let (mustLead, startBackground) = queue.withLock { q in
            q.jobs.append(job)
            defer {
                q.leading = true
                q.backgroundStarted = true
            }
            return (!q.leading, !q.backgroundStarted)
        }
        if startBackground {
            // Made and started where it is kept.
            background.withLock { [backgroundWake] slot in
                let t = Thread { [weak self] in
                    while true {
                        backgroundWake.wait()
                        guard let self, !self.queue.withLock({ $0.stopped }) else { return }
                        self.lead()
                    }
                }
                t.name = "regie-group-commit"
                t.start()
                slot = t
            }
        }
        if mustLead { backgroundWake.signal() }
    }

    /// Runs `work` in a write transaction (possibly shared with other jobs) and returns once it is durable.
    func run<T: Sendable>(_ work: @escaping @Sendable (CaseStore) throws -> T) throws -> T {
        let result = Mutex<T?>(nil)
        let job = Job { store in
            let value = try work(store)
            result.withLock { $0 = value }
        }
        let leads = queue.withLock { q in
            q.jobs.append(job)
            // The queue was empty: this job is first in it and leads the next batch, which contains it.
            defer { q.leading = true }
            return !q.leading
        }
        if leads { job.stage.withLock { $0 = .lead } }
        while true {
            switch job.stage.withLock({ $0 }) {
            case .queued:
                job.wake.wait()
            case .lead:
                job.stage.withLock { $0 = .queued }
                lead()
            case .finished(let error?):
                throw error
            case .finished(nil):
                guard let value = result.withLock({ $0 }) else {
                    throw EngineError.environment("internal error: a committed job left no result")
                }
                return value
            }
        }
    }

    /// Commits one batch, hands out its results, and passes leadership to the next waiting job, if any.
    private func lead() {
        let batch = queue.withLock { q in
            let batch = Array(q.jobs.prefix(maxBatch))
            q.jobs.removeFirst(batch.count)
            return batch
        }
        let errors = execute(batch)
        afterCommit()
        for (j, e) in zip(batch, errors) where j.done == nil { j.stage.withLock { $0 = .finished(e) } }
        let next = queue.withLock { q in
            let next = q.jobs.first
            if next == nil { q.leading = false }
            return next
        }
        if let next, next.done == nil { next.stage.withLock { $0 = .lead } }
        for (j, e) in zip(batch, errors) {
            if let done = j.done { done(e) } else { j.wake.signal() }
        }
        // The next batch is led by its first job's caller, or by the background thread when nobody waits on it.
        if let next { (next.done == nil ? next.wake : backgroundWake).signal() }
    }

    /// Runs the batch in one transaction; returns each job's error, nil for those that are durable.
    private func execute(_ batch: [Job]) -> [(any Error)?] {
        var errors: [(any Error)?] = []
        errors.reserveCapacity(batch.count)
        do {
            try store.db.write {
                if batch.count == 1 {
                    // One job: the transaction itself is its savepoint.
                    try batch[0].work(store)
                    errors.append(nil)
                    return
                }
                for job in batch {
                    do {
                        try store.db.savepoint { try job.work(store) }
                        errors.append(nil)
                    } catch {
                        errors.append(error)
                    }
                }
            }
        } catch {
            // The commit failed (or the only job did): nothing of the batch is durable.
            return batch.map { _ in error }
        }
        return errors
    }
}
