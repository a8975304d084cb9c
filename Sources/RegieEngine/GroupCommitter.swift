internal import Foundation
internal import RegieStore

/// Runs write jobs against the store, committing jobs that arrive together in one durable transaction.
///
/// The first caller becomes the leader and commits every job queued meanwhile; each job runs in its own savepoint,
/// so a job that fails changes nothing and does not affect the others. Nobody returns before their transaction
/// has committed: group commit never acknowledges what is not durable.
final class GroupCommitter: @unchecked Sendable {
    private final class Job {
        let work: (CaseStore) throws -> Any
        var result: Result<Any, any Error>?
        init(_ work: @escaping (CaseStore) throws -> Any) { self.work = work }
    }

    private let store: CaseStore
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var leading = false
    /// Largest number of jobs in one transaction.
    let maxBatch: Int

    init(store: CaseStore, maxBatch: Int = 512) {
        self.store = store
        self.maxBatch = maxBatch
    }

    /// Runs `work` in a write transaction (possibly shared with other jobs) and returns once it is durable.
    func run<T>(_ work: @escaping (CaseStore) throws -> T) throws -> T {
        let job = Job { try work($0) }
        condition.lock()
        queue.append(job)
        while job.result == nil {
            if leading {
                condition.wait()
                continue
            }
            leading = true
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            condition.unlock()
            let results = execute(batch)
            condition.lock()
            for (j, r) in zip(batch, results) { j.result = r }
            leading = false
            condition.broadcast()
        }
        condition.unlock()
        switch job.result {
        case .success(let value)?:
            guard let typed = value as? T else { throw EngineError.environment("internal error: unexpected result type") }
            return typed
        case .failure(let error)?: throw error
        case nil: throw EngineError.environment("internal error: job without result")
        }
    }

    private func execute(_ batch: [Job]) -> [Result<Any, any Error>] {
        var results: [Result<Any, any Error>] = []
        do {
            try store.db.write {
                for job in batch {
                    if batch.count == 1 {
                        results.append(Result { try job.work(store) })
                        if case .failure(let e) = results[0] { throw e }
                        continue
                    }
                    try store.db.execute("SAVEPOINT job")
                    do {
                        results.append(.success(try job.work(store)))
                        try store.db.execute("RELEASE job")
                    } catch {
                        try store.db.execute("ROLLBACK TO job; RELEASE job")
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
