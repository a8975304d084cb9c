internal import Foundation
#if canImport(Glibc)
    internal import Glibc
#endif

/// A lock file beside the database; the kernel releases it when the process ends, however it ends. Exclusive: one
/// process at a time (the scheduler, the deliverer, a restore). Shared: every process using the database holds it,
/// so that a restore can tell that none does.
public final class ExclusiveLock: Sendable {
    // Safe: the descriptor is set once and only closed in deinit.
    private let fd: Int32

    /// Takes the lock at `path`.
    /// - Parameters:
    ///   - shared: share it with other holders (a process using the database) instead of holding it alone.
    ///   - held: what to say when another process holds it.
    /// - Throws: `EngineError.environment` when the file cannot be opened or the lock is held.
    ///   - unlessReadOnlyFolder: when the lock file cannot be made because its folder or volume is read-only, go on
    ///     without it (nothing can replace a database there either).
    public init(path: String, shared: Bool = false, unlessReadOnlyFolder: Bool = false, held: @autoclosure () -> String)
        throws(EngineError)
    {
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        if fd < 0 && unlessReadOnlyFolder && [EROFS, EPERM, EACCES].contains(errno) { return }
        guard fd >= 0 else { throw .environment("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
            close(fd)
            throw .environment(held())
        }
    }

    /// The lock every process using a database shares (`DB.lock`).
    public static func inUse(database: String) -> String { database + ".lock" }

    deinit {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
