internal import CSocket
internal import Foundation
import Synchronization

#if canImport(Glibc)
    internal import Glibc
#endif

/// One client connection: its socket, carrying out what its `ConnectionState` decides.
///
/// At any moment exactly one thread owns a connection: its event loop while it waits for the socket, the worker
/// handling its request, or whichever thread delivers the response (the handler may answer later, from elsewhere).
/// The socket is registered with `EPOLLONESHOT`, so an event disarms it and hands it to the loop; whoever owns it
/// re-arms it when it must wait again. Only `ownership`, which the loop's timeout sweep reads, is shared.
///
/// `@unchecked Sendable` because it owns a socket and its protocol state, which pass from thread to thread by that
/// hand-over rather than under a lock: the one-shot registration, not the compiler, guarantees one owner at a time.
final class Connection: @unchecked Sendable {
    /// Who has the connection.
    enum Holder {
        /// Armed in epoll, waiting for bytes (or for room to write); the sweep may time it out.
        case waiting
        /// A thread is working on it.
        case owned
        /// After an error response: the write side is shut, and what the client still sends is read and dropped.
        case lingering
        case closed
    }

    /// What the loop and the owner share: who holds the connection, and until when it may wait.
    struct Ownership {
        var holder = Holder.owned
        var deadline = ConnectionState.Deadline(at: 0, requestUnderWay: false, idle: false)
    }

    /// What the sweep found for a connection it has taken.
    enum Expiry {
        /// Past its deadline; answer 408 first if a request was under way.
        case timedOut(requestUnderWay: Bool)
        /// Idle while the server shuts down.
        case idleAtShutdown
    }

    let id: UInt64
    let fd: Int32
    let loop: EventLoop
    let remoteAddress: String
    private let ownership = Mutex(Ownership())

    private var protocolState: ConnectionState
    /// Where reads land before joining the state's buffer: made once, so no read zero-fills 16 KiB.
    private var scratch = [UInt8](repeating: 0, count: 16384)
    private var out: [UInt8] = []
    private var outIndex = 0

    init(id: UInt64, fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.id = id
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.protocolState = ConnectionState(limits: loop.server.configuration.limits, now: monotonicSeconds())
    }

    private var server: HTTPServer { loop.server }
    private var limits: ServerLimits { server.configuration.limits }

    // MARK: Ownership

    /// Records that the connection waits, armed, until `deadline`.
    func waits(until deadline: ConnectionState.Deadline, lingering: Bool = false) {
        ownership.withLock {
            $0.holder = lingering ? .lingering : .waiting
            $0.deadline = deadline
        }
    }

    /// The loop takes a connection whose socket is ready; returns who had it (only `.waiting` and `.lingering`
    /// connections are taken).
    func take() -> Holder {
        ownership.withLock { o in
            let before = o.holder
            if before == .waiting || before == .lingering { o.holder = .owned }
            return before
        }
    }

    /// The sweep takes a connection that is past its deadline, or idle while draining; nil leaves it be.
    func takeIfExpired(now: Double, draining: Bool) -> Expiry? {
        ownership.withLock { o in
            switch o.holder {
            case .waiting where now >= o.deadline.at:
                o.holder = .owned
                return .timedOut(requestUnderWay: o.deadline.requestUnderWay)
            case .lingering where now >= o.deadline.at:
                o.holder = .owned
                return .timedOut(requestUnderWay: false)
            case .waiting where o.deadline.idle && draining:
                o.holder = .owned
                return .idleAtShutdown
            case .waiting, .lingering, .owned, .closed:
                return nil
            }
        }
    }

    // MARK: Driving the protocol

    /// Called by the event loop when the socket is ready.
    func ready(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        process()
    }

    /// Moves the connection on as far as it can without blocking: writes what is pending, then does what the
    /// protocol state says, until it must wait or has handed the request to a worker.
    func process() {
        while true {
            if outIndex < out.count {
                switch flush() {
                case .done: break
                case .wouldBlock:
                    arm(output: true)
                    return
                case .failed:
                    close()
                    return
                }
            }
            switch protocolState.next(now: monotonicSeconds(), draining: server.draining) {
            case .read:
                switch readAvailable() {
                case .bytes, .wouldBlock: continue
                case .endOfStream:
                    protocolState.endOfStream()
                    continue
                case .failed:
                    close()
                    return
                }
            case .send(let bytes):
                out += bytes
            case .handle(let received):
                var request = received
                request.remoteAddress = remoteAddress
                server.workers.submit { [request] in self.handle(request) }
                return
            case .refuse(let error):
                queue(server.errorResponse(error), keepAlive: false)
            case .wait(let deadline):
                waits(until: deadline)
                loop.rearm(self, output: false)
                return
            case .linger:
                linger()
                return
            case .close:
                close()
                return
            }
        }
    }

    /// On a worker: asks the handler for the response. A response given before the handler returns is written by
    /// this worker; one given later, from another thread (say the group committer's), is handed to a worker, so
    /// that the thread that gave it goes back to its own work at once.
    private func handle(_ request: HTTPRequest) {
        let delivery = Delivery()
        server.respond(request) { response in
            let later = delivery.state.withLock {
                if $0.handlerReturned { return true }
                $0.early = response
                return false
            }
            if later { self.server.workers.submit { self.finish(request, response) } }
        }
        let early = delivery.state.withLock {
            $0.handlerReturned = true
            return $0.early
        }
        if let early { finish(request, early) }
    }

    /// Whether the handler has returned, and the response if it answered before that.
    private final class Delivery: Sendable {
        let state = Mutex<(handlerReturned: Bool, early: HTTPResponse?)>((false, nil))
    }

    /// Queues the response and carries on with the connection.
    private func finish(_ request: HTTPRequest, _ response: HTTPResponse) {
        let keepAlive = protocolState.answered(request, draining: server.draining)
        queue(response, keepAlive: keepAlive, head: request.method == "HEAD")
        process()
    }

    private func queue(_ response: HTTPResponse, keepAlive: Bool, head: Bool = false) {
        out += response.serialized(keepAlive: keepAlive, date: server.dateText, head: head)
    }

    // MARK: Socket I/O

    private enum ReadResult { case bytes, wouldBlock, endOfStream, failed }

    /// Reads what the socket has into the protocol state; `.wouldBlock` after telling it the socket is drained.
    private func readAvailable() -> ReadResult {
        let chunk = scratch.count
        var got = false
        while true {
            let n = scratch.withUnsafeMutableBufferPointer { p in recv(fd, p.baseAddress, chunk, 0) }
            if n > 0 {
                scratch.withUnsafeBufferPointer {
                    protocolState.received(UnsafeBufferPointer(rebasing: $0[0..<n]), now: monotonicSeconds())
                }
                got = true
                if n < chunk { return .bytes }
                continue
            }
            if n == 0 { return got ? .bytes : .endOfStream }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                if got { return .bytes }
                protocolState.drained()
                return .wouldBlock
            }
            return .failed
        }
    }

    private enum FlushResult { case done, wouldBlock, failed }

    private func flush() -> FlushResult {
        while outIndex < out.count {
            let n = out.withUnsafeBufferPointer { p in
                send(fd, p.baseAddress.map { $0 + outIndex }, out.count - outIndex, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outIndex += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .wouldBlock }
            return .failed
        }
        if out.count > 65536 { out = [] } else { out.removeAll(keepingCapacity: true) }
        outIndex = 0
        return .done
    }

    /// Waits for room to write.
    private func arm(output: Bool) {
        waits(until: .init(at: monotonicSeconds() + limits.writeTimeout, requestUnderWay: false, idle: false))
        loop.rearm(self, output: output)
    }

    private func linger() {
        shutdown(fd, Int32(SHUT_WR))
        waits(until: .init(at: monotonicSeconds() + 2, requestUnderWay: false, idle: false), lingering: true)
        loop.rearm(self, output: false)
    }

    /// Called by the loop for a lingering connection: drops what arrived; closes at the end of the stream.
    func drain() {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = scratch.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, 4096, 0) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                ownership.withLock { $0.holder = .lingering }
                loop.rearm(self, output: false)
                return
            }
            close()
            return
        }
    }

    /// Called by the sweep, which has taken ownership: answers 408 if a request was under way, then closes.
    func timeOut(requestUnderWay: Bool) {
        if requestUnderWay {
            let response = server.errorResponse(
                HTTPParseError(408, "the request was not received in time; send the whole request promptly"))
            let bytes = response.serialized(keepAlive: false, date: server.dateText)
            _ = bytes.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        close()
    }

    func close() {
        let wasOpen = ownership.withLock { o in
            defer { o.holder = .closed }
            return o.holder != .closed
        }
        if wasOpen { loop.remove(self) }
    }
}

/// Seconds on the monotonic clock, for timeouts.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
