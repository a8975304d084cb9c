internal import Foundation
internal import RegieStore

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
final class GroupCommitter: @unchecked Sendable {
    private final class Job {
        let work: (CaseStore) throws -> Any
        var result: Result<Any, any Error>?
        /// Set when this job's caller must lead the next batch instead of waiting for a result.
        var lead = false
        let wake = DispatchSemaphore(value: 0)
        /// For a submitted job: what to do once it is durable or has failed. Nobody waits on `wake`.
        let done: (@Sendable ((any Error)?) -> Void)?
        init(_ work: @escaping (CaseStore) throws -> Any, done: (@Sendable ((any Error)?) -> Void)? = nil) {
            self.work = work
            self.done = done
        }
    }

    /// The thread that leads batches whose first job nobody waits on.
    private final class BackgroundLeader: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        var thread: Thread?
        var stopped = false
    }

    private let store: CaseStore
    private let lock = NSLock()
    private var queue: [Job] = []
    private var leading = false
    private let background = BackgroundLeader()
    /// Largest number of jobs in one transaction.
    let maxBatch: Int
    /// Called once after each committed transaction (outside the lock), e.g. to wake the scheduler.
    var afterCommit: (@Sendable () -> Void)?

    init(store: CaseStore, maxBatch: Int = 1024) {
        self.store = store
        self.maxBatch = maxBatch
    }

    deinit {
        lock.withLock { background.stopped = true }
        background.wake.signal()
    }

    /// Configures the writer's store before any job runs.
    func withStore(_ body: (CaseStore) -> Void) { lock.withLock { body(store) } }

    /// Lets `checkpointer` copy the log into the database file instead of the committing thread.
    func handOffCheckpoints(to checkpointer: Checkpointer) {
        store.db.handOffCheckpoints { checkpointer.logGrew(to: $0) }
    }

    /// Queues `work` for the next transaction and returns at once; `done` runs on a background thread once the
    /// transaction is durable (with nil) or once the work or the commit failed (with the error).
    func submit(_ work: @escaping (CaseStore) throws -> Void, done: @escaping @Sendable ((any Error)?) -> Void) {
        let job = Job({ try work($0) }, done: done)
        lock.lock()
        queue.append(job)
        let mustLead = !leading
        leading = true
        if background.thread == nil {
            let t = Thread { [weak self, background] in
                while true {
                    background.wake.wait()
                    guard let self, !self.lock.withLock({ background.stopped }) else { return }
                    self.lead()
                }
            }
            t.name = "regie-group-commit"
            background.thread = t
            t.start()
        }
        lock.unlock()
        if mustLead { background.wake.signal() }
    }

    /// Runs `work` in a write transaction (possibly shared with other jobs) and returns once it is durable.
    func run<T>(_ work: @escaping (CaseStore) throws -> T) throws -> T {
        let job = Job { try work($0) }
        lock.lock()
        queue.append(job)
        if !leading {
            // The queue was empty: this job is first in it and leads the next batch, which contains it.
            leading = true
            job.lead = true
        }
        lock.unlock()
        while lock.withLock({ job.result == nil }) {
            if lock.withLock({ job.lead }) {
                lock.withLock { job.lead = false }
                lead()
            } else {
                job.wake.wait()
            }
        }
        switch job.result {
        case .success(let value)?:
            guard let typed = value as? T else {
                throw EngineError.environment("internal error: unexpected result type")
            }
            return typed
        case .failure(let error)?: throw error
        case nil: throw EngineError.environment("internal error: job without result")
        }
    }

    /// Commits one batch, hands out its results, and passes leadership to the next waiting job, if any.
    private func lead() {
        lock.lock()
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        lock.unlock()
        let results = execute(batch)
        afterCommit?()
        lock.lock()
        for (j, r) in zip(batch, results) { j.result = r }
        let next = queue.first
        if let next { next.lead = true } else { leading = false }
        lock.unlock()
        for (j, r) in zip(batch, results) {
            if let done = j.done {
                if case .failure(let e) = r { done(e) } else { done(nil) }
            } else {
                j.wake.signal()
            }
        }
        // The next batch is led by its first job's caller, or by the background thread when nobody waits on it.
        if let next { (next.done == nil ? next.wake : background.wake).signal() }
    }

    private func execute(_ batch: [Job]) -> [Result<Any, any Error>] {
        var results: [Result<Any, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try store.db.write {
                if batch.count == 1 {
                    // One job: the transaction itself is its savepoint.
                    let r = Result { try batch[0].work(store) }
                    results.append(r)
                    if case .failure(let e) = r { throw e }
                    return
                }
                for job in batch {
                    try store.db.run("SAVEPOINT job")
                    do {
                        results.append(.success(try job.work(store)))
                        try store.db.run("RELEASE job")
                    } catch {
                        try store.db.run("ROLLBACK TO job")
                        try store.db.run("RELEASE job")
                        results.append(.failure(error))
                    }
                }
            }
        } catch {
            if batch.count == 1, results.count == 1, case .failure = results[0] { return results }
            return batch.map { _ in .failure(error) }
        }
        return results
    }
}
