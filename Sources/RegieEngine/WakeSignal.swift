internal import Foundation
import Synchronization
#if canImport(Glibc)
    internal import Glibc
#endif

/// Wakes a sleeping scheduler when a timer is added (or the webhook deliverer when a delivery is written), from
/// this process or another, without polling.
///
/// The sleeper binds a Unix datagram socket beside the database; whoever commits a new timer or delivery sends it
/// one byte. With nobody listening, sending fails at once and costs nothing.
public final class WakeSignal: Sendable {
    /// The socket path for a database: `.wake` for the scheduler, `.deliver` for the webhook deliverer.
    public static func path(forDatabase db: String, suffix: String = "wake") -> String {
        let candidate = db + "." + suffix
        if candidate.utf8.count < 100 { return candidate }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in db.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "/tmp/regie-\(String(hash, radix: 16)).\(suffix)"
    }

    private let fd: Int32
    private let path: String

    /// Binds the listening socket; replaces a stale one left by a crashed process.
    /// - Throws: `EngineError.environment` when the socket cannot be created.
    public init(path: String) throws(EngineError) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else {
            throw .environment("cannot create the wake socket: \(String(cString: strerror(errno)))")
        }
        unlink(path)
        var addr = Self.address(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw .environment("cannot bind the wake socket \(path): \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The socket, for a caller that polls it together with other descriptors (then calls `drain`).
    public var descriptor: Int32 { fd }

    /// Reads away pending wake-ups without waiting; returns whether there were any.
    @discardableResult
    public func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64)
        var any = false
        while recv(fd, &buffer, buffer.count, 0) > 0 { any = true }
        return any
    }

    /// Sleeps until woken or until `milliseconds` pass; drains pending wake-ups.
    /// - Returns: true when woken.
    @discardableResult
    public func wait(milliseconds: Int) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let n = poll(&pfd, 1, Int32(clamping: max(0, milliseconds)))
        guard n > 0 else { return false }
        drain()
        return true
    }

    /// Sends a wake-up to whoever listens at `path`, if anyone.
    public static func notify(path: String) {
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard s >= 0 else { return }
        defer { close(s) }
        _ = fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK)
        var addr = address(path)
        var byte: UInt8 = 1
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(s, &byte, 1, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    private static func address(_ path: String) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return addr
    }
}

/// Sends wake-ups to one sleeper from one persistent socket: jobs that add timers (or deliveries) request one,
/// and the group committer sends at most one per committed transaction.
final class WakeSender: Sendable {
    private let fd: Int32
    private let address: sockaddr_un
    private let requested = Mutex(false)

    init(path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        self.address = address
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Asks for a wake-up after the current transaction commits.
    func request() { requested.withLock { $0 = true } }

    /// Sends one wake-up if any was requested since the last one.
    func sendIfRequested() {
        let send = requested.withLock { requested in
            defer { requested = false }
            return requested
        }
        guard send, fd >= 0 else { return }
        var byte: UInt8 = 1
        var addr = address
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, &byte, 1, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}
