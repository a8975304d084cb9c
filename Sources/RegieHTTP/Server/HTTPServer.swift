internal import CSocket
import Foundation
import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// Our HTTP/1.1 server: epoll event loops (one per core) that move bytes and parse strictly, and a pool of workers
/// that run the handler, so a handler that waits on the database holds up neither the loops nor other requests.
///
/// `shutdown()` stops accepting, lets requests in flight finish (their responses say `Connection: close`), closes
/// idle connections, and returns once every connection is closed.
public final class HTTPServer: Sendable {
    /// Where to listen and how to behave.
    public struct Configuration: Sendable {
        /// The address to bind; loopback unless a deployment says otherwise.
        public var host = "127.0.0.1"
        /// The port; 0 picks a free one (see `port` after `start`).
        public var port = 8080
        public var limits = ServerLimits()
        /// Event loop threads; one per core by default.
        public var eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Threads running handlers; requests beyond this wait in a queue. Handlers should not wait long: one that
        /// answers later (after a group commit, say) frees its thread at once, and one that must block (a write
        /// waiting for its commit) belongs on a pool of its own. Then two per core suffice; more only add switching.
        public var workers = 2 * max(1, ProcessInfo.processInfo.activeProcessorCount)
        public var backlog: Int32 = 1024
        /// Addresses the per-address connection limit does not apply to: the reverse proxy, through which every
        /// client comes.
        public var unlimitedAddresses: Set<String> = []

        /// The defaults: loopback, port 8080.
        public init() {}
    }

    /// Answers a request by calling `respond` exactly once, then or later and from any thread (say, once an
    /// access-log record is durable). Runs on a worker thread; may block, but a worker that blocks serves nobody
    /// else meanwhile.
    public typealias Handler = @Sendable (HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) -> Void

    public let configuration: Configuration
    private let handler: Handler
    private let errorResponder: @Sendable (HTTPParseError) -> HTTPResponse
    let workers: WorkerPool
    /// What the loops, the workers and the caller share.
    private struct State {
        var loops: [EventLoop] = []
        var listenFD: Int32 = -1
        var port = 0
        var openConnections = 0
        /// Open connections by remote address.
        var connectionsByAddress: [String: Int] = [:]
        var connectionSerial: UInt64 = 16
        var date = ""
        var dateSecond = 0
    }

    private let state = Mutex(State())
    /// Whether a shutdown has begun: read by every connection at every step, so an atomic rather than the lock.
    private let isDraining = Atomic(false)
    private let notListening = DispatchSemaphore(value: 0)
    /// The port bound by `start`.
    public var port: Int { state.withLock { $0.port } }

    /// Creates a server; `start` binds it.
    /// - Parameters:
    ///   - handler: answers every well-formed request.
    ///   - errorResponse: the response to a malformed request, a timeout or a full server.
    public init(
        configuration: Configuration, handler: @escaping Handler,
        errorResponse: @escaping @Sendable (HTTPParseError) -> HTTPResponse = { .text($0.status, $0.message + "\n") }
    ) {
        self.configuration = configuration
        self.handler = handler
        self.errorResponder = errorResponse
        workers = WorkerPool(threads: configuration.workers, name: "regie-http-worker")
    }

    /// Creates a server whose handler answers at once.
    public convenience init(
        configuration: Configuration,
        errorResponse: @escaping @Sendable (HTTPParseError) -> HTTPResponse = { .text($0.status, $0.message + "\n") },
        answering answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.init(configuration: configuration, handler: { $1(answer($0)) }, errorResponse: errorResponse)
    }

    /// Binds the address and starts the event loops.
    /// - Throws: `HTTPServerError` when the address is invalid or in use.
    public func start() throws(HTTPServerError) {
        raiseFileLimit()
        let (listenFD, port) = try bind()
        state.withLock { ($0.listenFD, $0.port) = (listenFD, port) }
        refreshDate()
        for i in 0..<max(1, configuration.eventLoops) {
            let loop = try EventLoop(server: self, listenFD: listenFD)
            state.withLock { $0.loops.append(loop) }
            loop.start(name: "regie-http-loop-\(i)")
        }
    }

    /// Stops accepting, finishes the requests in flight, and returns when every connection is closed.
    public func shutdown() {
        // Only the first call drains: the exchange answers whether it was already draining.
        guard !isDraining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let (loops, listenFD) = state.withLock { ($0.loops, $0.listenFD) }
        for loop in loops { loop.wake() }
        // New connections are refused (not left waiting in the backlog) as soon as no loop accepts any more.
        for _ in loops { notListening.wait() }
        Glibc.close(listenFD)
        for loop in loops { loop.join() }
        workers.stop()
    }

    /// Whether a shutdown has begun.
    public var draining: Bool { isDraining.load(ordering: .acquiring) }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.openConnections } }

    // MARK: For the loops and connections

    func respond(_ request: HTTPRequest, _ done: @escaping @Sendable (HTTPResponse) -> Void) { handler(request, done) }

    func errorResponse(_ error: HTTPParseError) -> HTTPResponse { errorResponder(error) }

    func stoppedListening() { notListening.signal() }

    /// Why a new connection from `address` is refused, or nil when it is admitted (and counted).
    func admitConnection(from address: String) -> String? {
        state.withLock { s in
            guard s.openConnections < configuration.limits.maxConnections else {
                return "the server has reached its maximum number of connections; try again later"
            }
            let mine = s.connectionsByAddress[address, default: 0]
            if mine >= configuration.limits.maxConnectionsPerAddress
                && !configuration.unlimitedAddresses.contains(address)
            {
                return
                    "\(address) has \(mine) connections open, the most one address may have; reuse them (keep-alive) or close some"
            }
            s.openConnections += 1
            s.connectionsByAddress[address] = mine + 1
            return nil
        }
    }

    func connectionClosed(from address: String) {
        state.withLock { s in
            s.openConnections -= 1
            let left = s.connectionsByAddress[address, default: 1] - 1
            s.connectionsByAddress[address] = left > 0 ? left : nil
        }
    }

    func nextConnectionID() -> UInt64 {
        state.withLock { s in
            s.connectionSerial += 1
            return s.connectionSerial
        }
    }

    /// The `Date` header's text, refreshed by the loops' sweeps.
    var dateText: String { state.withLock { $0.date } }

    func refreshDate() {
        var now = time(nil)
        guard state.withLock({ Int(now) != $0.dateSecond }) else { return }
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text =
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        state.withLock { s in
            s.date = text
            s.dateSecond = Int(now)
        }
    }

    // MARK: Socket setup

    /// Binds and listens; returns the socket and the port it got.
    private func bind() throws(HTTPServerError) -> (fd: Int32, port: Int) {
        var v4 = in_addr()
        var v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, configuration.host, &v4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, configuration.host, &v6) == 1 {
            family = AF_INET6
        } else {
            throw .invalidAddress(
                "\"\(configuration.host)\" is not an IP address; give one such as 127.0.0.1 or ::1")
        }
        guard (0...65535).contains(configuration.port) else {
            throw .invalidAddress("port \(configuration.port) is not between 0 and 65535")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let networkPort = UInt16(configuration.port).bigEndian
        let bound: Int32
        if family == AF_INET {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = networkPort
            a.sin_addr = v4
            bound = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } else {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = networkPort
            a.sin6_addr = v6
            bound = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw .addressInUse(
                "cannot listen on \(configuration.host) port \(configuration.port): \(reason); choose another port with --port"
            )
        }
        guard listen(fd, configuration.backlog) == 0 else {
            Glibc.close(fd)
            throw .system("cannot listen: \(String(cString: strerror(errno)))")
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        return (fd, port)
    }

    /// Connections need file descriptors: use the hard limit rather than the (often 1024) soft one.
    private func raiseFileLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, CustomStringConvertible {
    case invalidAddress(String)
    case addressInUse(String)
    case system(String)

    public var description: String {
        switch self {
        case .invalidAddress(let m), .addressInUse(let m), .system(let m): return m
        }
    }
}
