internal import CSocket
internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#endif

/// One client connection and its HTTP/1.1 protocol state.
///
/// At any moment exactly one thread owns a connection: its event loop while it waits for the socket, the worker
/// handling its request, or whichever thread delivers the response (the handler may answer later, from elsewhere). The socket is registered with `EPOLLONESHOT`, so an event disarms it and hands it to the
/// loop; whoever owns it re-arms it when it must wait again. Only `state` and `deadline`, which the loop's timeout
/// sweep reads, are shared, under `lock`. Pipelined requests are answered one after another, in order.
final class Connection: @unchecked Sendable {
    enum State {
        /// Armed in epoll, waiting for bytes (or for room to write); the sweep may time it out.
        case waiting
        /// A thread is working on it.
        case owned
        /// After an error response: the write side is shut, and what the client still sends is read and dropped,
        /// so that the kernel does not reset the connection before the client has read the response.
        case lingering
        case closed
    }

    let id: UInt64
    let fd: Int32
    let loop: EventLoop
    let remoteAddress: String
    let lock = NSLock()
    /// Guarded by `lock`.
    var state = State.owned
    /// Guarded by `lock`: when the sweep closes the connection, and whether a request was under way then.
    var deadline = 0.0
    var timeoutIsRequest = false
    /// Guarded by `lock`: waiting for the first byte of a next request (a shutdown closes such connections).
    var idle = false

    private var buffer: [UInt8] = []
    /// Where reads land before joining `buffer`: made once, so no read zero-fills 16 KiB.
    private var scratch = [UInt8](repeating: 0, count: 16384)
    private var readIndex = 0
    private var parser: HTTPParser
    private var out: [UInt8] = []
    private var outIndex = 0
    private var closeAfterWrite = false
    private var lingerAfterWrite = false
    private var continueSent = false
    private var peerClosed = false
    private var requestStartedAt = 0.0

    init(id: UInt64, fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.id = id
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.parser = HTTPParser(limits: loop.server.configuration.limits)
        requestStartedAt = monotonicSeconds()
    }

    private var server: HTTPServer { loop.server }
    private var limits: ServerLimits { server.configuration.limits }

    // MARK: Driving the protocol

    /// Called by the event loop when the socket is ready.
    func ready(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        process()
    }

    /// Moves the connection on as far as it can without blocking: writes what is pending, parses, hands a complete
    /// request to a worker (and with it the connection, until the response is queued), and re-arms the socket when
    /// it must wait.
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
            if closeAfterWrite {
                if lingerAfterWrite { linger() } else { close() }
                return
            }
            let result = buffer.withUnsafeBufferPointer { p -> Result<HTTPParser.Step, HTTPParseError> in
                let rest = UnsafeBufferPointer(rebasing: p[readIndex...])
                do throws(HTTPParseError) {
                    return .success(try parser.step(rest))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .failure(let error):
                queue(server.errorResponse(error), keepAlive: false)
                lingerAfterWrite = true
            case .success(.request(var request, let consumed)):
                consume(consumed)
                request.remoteAddress = remoteAddress
                server.workers.submit { self.handle(request) }
                return
            case .success(.incomplete(let head)):
                if let head, head.expectContinue, !continueSent {
                    continueSent = true
                    out += Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    continue
                }
                switch readAvailable() {
                case .bytes: continue
                case .wouldBlock: break
                case .endOfStream: peerClosed = true
                case .failed:
                    close()
                    return
                }
                if peerClosed || (server.draining && !requestUnderWay) {
                    close()
                    return
                }
                if buffer.count - readIndex > 2 * (limits.maxHeaderBytes + limits.maxBodyBytes) {
                    // The parser refuses long before this; this only bounds what one connection may buffer.
                    queue(server.errorResponse(HTTPParseError(413, "the request is too large")), keepAlive: false)
                    lingerAfterWrite = true
                    continue
                }
                arm(output: false)
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
            let later = delivery.lock.withLock {
                if delivery.handlerReturned { return true }
                delivery.early = response
                return false
            }
            if later { self.server.workers.submit { self.finish(request, response) } }
        }
        let early = delivery.lock.withLock {
            delivery.handlerReturned = true
            return delivery.early
        }
        if let early { finish(request, early) }
    }

    /// Whether a response arrived while its handler was still running.
    private final class Delivery: @unchecked Sendable {
        let lock = NSLock()
        var handlerReturned = false
        var early: HTTPResponse?
    }

    /// Queues the response and carries on with the connection.
    private func finish(_ request: HTTPRequest, _ response: HTTPResponse) {
        let keepAlive = request.keepAlive && !server.draining && !peerClosed
        queue(response, keepAlive: keepAlive, head: request.method == "HEAD")
        process()
    }

    private func queue(_ response: HTTPResponse, keepAlive: Bool, head: Bool = false) {
        out += response.serialized(keepAlive: keepAlive, date: server.dateText, head: head)
        if !keepAlive { closeAfterWrite = true }
    }

    private var requestUnderWay: Bool { parser.inProgress || readIndex < buffer.count }

    private func consume(_ count: Int) {
        readIndex += count
        continueSent = false
        if readIndex == buffer.count {
            buffer = []
            readIndex = 0
        } else {
            if readIndex > 65536 {
                buffer.removeFirst(readIndex)
                readIndex = 0
            }
            requestStartedAt = monotonicSeconds()
        }
    }

    // MARK: Socket I/O

    private enum ReadResult { case bytes, wouldBlock, endOfStream, failed }

    private func readAvailable() -> ReadResult {
        let chunk = 16384
        var got = false
        while true {
            if readIndex == buffer.count { requestStartedAt = monotonicSeconds() }
            let n = scratch.withUnsafeMutableBufferPointer { p in recv(fd, p.baseAddress, chunk, 0) }
            if n > 0 { buffer.append(contentsOf: scratch[0..<n]) }
            if n > 0 {
                got = true
                if n < chunk { return .bytes }
                continue
            }
            if n == 0 { return got ? .bytes : .endOfStream }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return got ? .bytes : .wouldBlock }
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

    /// Waits for the socket again, with the deadline that applies now.
    private func arm(output: Bool) {
        let now = monotonicSeconds()
        let deadline: Double
        let isRequest: Bool
        let idle = !output && !requestUnderWay
        if output {
            deadline = now + limits.writeTimeout
            isRequest = false
        } else if requestUnderWay {
            deadline = requestStartedAt + (parser.headComplete ? limits.requestTimeout : limits.headerTimeout)
            isRequest = true
        } else {
            deadline = now + limits.idleTimeout
            isRequest = false
        }
        lock.withLock {
            state = .waiting
            self.deadline = deadline
            timeoutIsRequest = isRequest
            self.idle = idle
        }
        loop.rearm(self, output: output)
    }

    private func linger() {
        shutdown(fd, Int32(SHUT_WR))
        lock.withLock {
            state = .lingering
            deadline = monotonicSeconds() + 2
            idle = false
        }
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
                lock.withLock { state = .lingering }
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
        let wasOpen = lock.withLock {
            defer { state = .closed }
            return state != .closed
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
