internal import Foundation
import Synchronization

/// A fixed set of threads that run handlers. Handlers may block (on the database's group commit, say) without
/// holding up the event loops, which only move bytes.
final class WorkerPool: Sendable {
    /// The jobs not yet taken (from `head` on), and whether the pool is stopping.
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopping = false
    }

    private let queue = Mutex(Queue())
    /// Counts the jobs queued, and once the pool stops, one more for each thread.
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int
    private let done = DispatchGroup()
    /// Kept: a `Thread` released before its pthread has begun may never run its body on Linux.
    private let threads = Mutex<[Thread]>([])

    init(threads count: Int, name: String) {
        threadCount = max(1, count)
        // Each thread is made and started where it is kept.
        threads.withLock { [self] threads in
            for i in 0..<threadCount {
                done.enter()
                let t = Thread {
                    self.work()
                    self.done.leave()
                }
                t.name = "\(name)-\(i)"
                t.stackSize = 1 << 20
                t.start()
                threads.append(t)
            }
        }
    }

    /// Runs `job` on a worker.
    func submit(_ job: @escaping @Sendable () -> Void) {
        queue.withLock { $0.jobs.append(job) }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            let job = queue.withLock { q -> (@Sendable () -> Void)? in
                // Jobs queued before the stop still run: a stopping pool hands out what is left first.
                guard q.head < q.jobs.count else { return nil }
                let job = q.jobs[q.head]
                q.head += 1
                if q.head > 1024 && q.head * 2 > q.jobs.count {
                    q.jobs.removeFirst(q.head)
                    q.head = 0
                }
                return job
            }
            guard let job else { return }
            job()
        }
    }

    /// Lets the queued jobs finish, then ends the threads; waits for that unless told not to (when a job itself
    /// may be the one stopping the pool).
    func stop(wait: Bool = true) {
        let first = queue.withLock { q in
            defer { q.stopping = true }
            return !q.stopping
        }
        // One wake-up per thread beyond the jobs: each thread that finds the queue empty ends.
        if first { for _ in 0..<threadCount { available.signal() } }
        if wait { done.wait() }
    }
}
