internal import Foundation
#if canImport(Glibc)
    internal import Glibc
#endif

/// A lock file beside the database that one process at a time may hold (the scheduler, the deliverer); the kernel
/// releases it when the process ends, however it ends.
public final class ExclusiveLock: @unchecked Sendable {
    private let fd: Int32

    /// Takes the lock at `path`.
    /// - Parameter held: what to say when another process holds it.
    /// - Throws: `EngineError.environment` when the file cannot be opened or the lock is held.
    public init(path: String, held: @autoclosure () -> String) throws(EngineError) {
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw .environment("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .environment(held())
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
