internal import Foundation
import Synchronization

/// Copies the write-ahead log into the database file on a thread and connection of its own.
///
/// SQLite checkpoints after a commit on the committing connection once the log passes 1,000 pages: the copy and the
/// database file's fsync then happen while every caller of that commit (and of the next) waits. Under a steady load
/// of access-log writes this put stalls of 50 to 250 ms into the partner API's p99. Here the writer only reports the
/// log's size after each commit, and this thread runs a passive checkpoint, which waits for nobody, when the log
/// has grown past `threshold` pages. Small, frequent checkpoints (256 pages, 1 MiB) measured better than large ones:
/// the database file's fsync still competes with the log's on the disk, and a short one delays a commit less. A
/// crash loses nothing: the log itself is durable, and SQLite replays it.
public final class Checkpointer: Sendable {
    /// What the committing threads and the checkpoint thread share (the thread must not keep `self` alive).
    private final class Shared: Sendable {
        struct Flags {
            /// A checkpoint is asked for and has not started yet.
            var requested = false
            var stopped = false
        }
        let flags = Mutex(Flags())
        let wake = DispatchSemaphore(value: 0)
    }

    private let threshold: Int
    private let shared = Shared()
    /// Kept: a `Thread` released before its pthread has begun may never run its body on Linux.
    private let thread = Mutex<Thread?>(nil)

    /// Opens a connection for checkpointing and starts its thread.
    /// - Throws: `DatabaseError` when the file cannot be opened.
    public init(path: String, threshold: Int = 256) throws(DatabaseError) {
        let db = try Database(path: path)
        self.threshold = threshold
        // The connection belongs to the thread alone. The thread is made and started where it is kept.
        thread.withLock { [shared] slot in
            let thread = Thread {
                while true {
                    shared.wake.wait()
                    if shared.flags.withLock({ $0.stopped }) { return }
                    _ = try? db.checkpointPassive()
                    shared.flags.withLock { $0.requested = false }
                }
            }
            thread.name = "regie-checkpoint"
            thread.start()
            slot = thread
        }
    }

    deinit { stop() }

    /// Called after each commit with the log's size in pages; cheap, so that commits do not wait.
    public func logGrew(to pages: Int) {
        guard pages >= threshold else { return }
        let signal = shared.flags.withLock { flags in
            defer { flags.requested = true }
            return !flags.requested
        }
        if signal { shared.wake.signal() }
    }

    /// Ends the thread after the checkpoint under way, if any.
    public func stop() {
        shared.flags.withLock { $0.stopped = true }
        shared.wake.signal()
    }
}
