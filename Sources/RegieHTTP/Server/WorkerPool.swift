internal import Foundation

/// A fixed set of threads that run handlers. Handlers may block (on the database's group commit, say) without
/// holding up the event loops, which only move bytes.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var head = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let done = DispatchGroup()

    init(threads count: Int, name: String) {
        for i in 0..<max(1, count) {
            done.enter()
            let t = Thread { [self] in
                self.work()
                self.done.leave()
            }
            t.name = "\(name)-\(i)"
            t.stackSize = 1 << 20
            threads.append(t)
            t.start()
        }
    }

    /// Runs `job` on a worker.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }

    /// Lets the queued jobs finish, then ends the threads; waits for that unless told not to (when a job itself
    /// may be the one stopping the pool).
    func stop(wait: Bool = true) {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        if wait { done.wait() }
    }
}
