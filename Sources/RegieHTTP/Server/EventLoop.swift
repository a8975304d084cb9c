internal import CSocket
internal import Foundation
import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// One thread waiting on epoll for its connections and for new ones on the shared listening socket. It only moves
/// bytes and parses; handlers run on the worker pool.
final class EventLoop: Sendable {
    private static let listenToken: UInt64 = 0
    private static let wakeToken: UInt64 = 1

    unowned let server: HTTPServer
    private let epollFD: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    /// The loop's connections, shared with the threads that close them; and the loop's thread, kept because a
    /// `Thread` released before its pthread has begun may never run its body on Linux.
    private let state = Mutex<(connections: [UInt64: Connection], thread: Thread?)>(([:], nil))
    private let finished = DispatchSemaphore(value: 0)

    init(server: HTTPServer, listenFD: Int32) throws(HTTPServerError) {
        self.server = server
        self.listenFD = listenFD
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else { throw HTTPServerError.system("cannot create an event loop") }
        try control(EPOLL_CTL_ADD, listenFD, EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, Self.listenToken)
        try control(EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, Self.wakeToken)
    }

    deinit {
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
    }

    private func control(_ op: Int32, _ fd: Int32, _ events: UInt32, _ token: UInt64) throws(HTTPServerError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        guard epoll_ctl(epollFD, op, fd, &event) == 0 else {
            throw HTTPServerError.system("epoll_ctl failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Starts the loop's thread.
    func start(name: String) {
        let thread = Thread { [self] in
            self.run()
            self.finished.signal()
        }
        thread.name = name
        state.withLock { $0.thread = thread }
        thread.start()
    }

    /// Waits until the loop has ended (after a shutdown, once its last connection is closed).
    func join() { finished.wait() }

    /// Interrupts `epoll_wait`, e.g. to notice a shutdown.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var lastSweep = monotonicSeconds()
        var listening = true
        while true {
            let n = epoll_wait(epollFD, &events, Int32(events.count), 100)
            if n > 0 {
                for i in 0..<Int(n) {
                    let token = events[i].data.u64
                    switch token {
                    case Self.listenToken: acceptAll()
                    case Self.wakeToken:
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                    default:
                        guard let connection = state.withLock({ $0.connections[token] }) else { continue }
                        dispatch(connection, events: events[i].events)
                    }
                }
            }
            let now = monotonicSeconds()
            // Read once per turn: a loop must not end in the turn in which it first sees the shutdown before it has
            // stopped listening and said so.
            let draining = server.draining
            if draining && listening {
                listening = false
                var event = epoll_event()
                epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, &event)
                server.stoppedListening()
            }
            if now - lastSweep >= 0.1 || draining {
                lastSweep = now
                sweep(now: now, draining: draining)
            }
            if draining && state.withLock({ $0.connections.isEmpty }) { return }
        }
    }

    private func dispatch(_ connection: Connection, events: UInt32) {
        switch connection.take() {
        case .waiting: connection.ready(events: events)
        case .lingering: connection.drain()
        case .owned, .closed: break
        }
    }

    /// Closes connections past their deadline; while draining, also those waiting idle for a next request.
    private func sweep(now: Double, draining: Bool) {
        server.refreshDate()
        var expired: [(Connection, Bool)] = []
        var idle: [Connection] = []
        let all = state.withLock { Array($0.connections.values) }
        for c in all {
            switch c.takeIfExpired(now: now, draining: draining) {
            case .timedOut(let underWay)?: expired.append((c, underWay))
            case .idleAtShutdown?: idle.append(c)
            case nil: break
            }
        }
        for (c, underWay) in expired { c.timeOut(requestUnderWay: underWay) }
        // A waiting connection may hold a request the loop has not read yet: process reads it and answers it (with
        // Connection: close), or closes the connection when nothing is under way.
        for c in idle { c.process() }
    }

    private func acceptAll() {
        while true {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(listenFD, $0, &length)
                }
            }
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let remote = Self.describe(&address)
            if let refusal = server.admitConnection(from: remote) {
                let bytes = server.errorResponse(HTTPParseError(503, refusal)).serialized(
                    keepAlive: false, date: server.dateText)
                _ = bytes.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(
                id: server.nextConnectionID(), fd: fd, loop: self, remoteAddress: remote)
            state.withLock { $0.connections[connection.id] = connection }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
            event.data.u64 = connection.id
            connection.waits(
                until: .init(
                    at: monotonicSeconds() + server.configuration.limits.headerTimeout, requestUnderWay: false,
                    idle: true))
            if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 { connection.close() }
        }
    }

    /// Arms a connection's socket for one more event.
    func rearm(_ connection: Connection, output: Bool) {
        var event = epoll_event()
        event.events = (output ? EPOLLOUT.rawValue : EPOLLIN.rawValue) | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = connection.id
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event) != 0 {
            _ = connection.take()
            connection.close()
        }
    }

    /// Forgets a closed connection and closes its socket.
    func remove(_ connection: Connection) {
        state.withLock { $0.connections[connection.id] = nil }
        var event = epoll_event()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, &event)
        Glibc.close(connection.fd)
        server.connectionClosed(from: connection.remoteAddress)
        if server.draining { wake() }
    }

    private static func describe(_ address: inout sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                    var addr = a.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    var addr = a.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
        default: return "unknown"
        }
    }
}
