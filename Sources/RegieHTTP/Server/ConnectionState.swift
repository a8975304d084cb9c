/// The life of one HTTP/1.1 connection as a pure state machine: told what the socket gave and what was answered,
/// it returns the next thing the connection must do. It holds the bytes received and the parser, never a socket,
/// a thread or a clock (time is passed in), so every path of the protocol is tested without a network
/// (`ConnectionStateTests`); `Connection` only carries the actions out.
///
/// The connection asks `next` whenever its output is written, and does what it says:
/// - `.read`: read what the socket has and report it (`received`, `endOfStream`, or `drained` when nothing waits);
/// - `.handle`: give the request to a handler, and report its answer with `answered`;
/// - `.send` (an interim `100 Continue`) or `.refuse` (an error response, after which the connection lingers);
/// - `.wait`: arm the socket until the deadline; `.linger` or `.close`: end the connection.
///
/// Pipelined requests are handled one after another, in order: the next is not parsed before the previous one was
/// answered.
struct ConnectionState {
    /// What the connection must do next.
    enum Action {
        /// Read what the socket has, then report it.
        case read
        /// Send these bytes (the interim `100 Continue`), then ask again.
        case send([UInt8])
        /// Hand the request to a handler; nothing more happens on the connection until `answered`.
        case handle(HTTPRequest)
        /// Answer the error; the connection then lingers.
        case refuse(HTTPParseError)
        /// Nothing to do until the socket is readable again, or until the deadline passes.
        case wait(Deadline)
        /// Shut the write side and drop what the client still sends, so that the kernel does not reset the
        /// connection before the client has read the error response.
        case linger
        case close
    }

    /// When a waiting connection times out, and what it is waiting for.
    struct Deadline: Equatable {
        /// Monotonic seconds.
        var at: Double
        /// A request is partly received: a timeout answers 408.
        var requestUnderWay: Bool
        /// Waiting for the first byte of a next request: a shutdown closes such a connection at once.
        var idle: Bool
    }

    /// How the connection ends once what is queued is written, if it ends.
    private enum Ending {
        case close
        case linger
    }

    let limits: ServerLimits
    private var parser: HTTPParser
    /// The bytes received and not yet consumed start at `readIndex`.
    private(set) var buffer: [UInt8] = []
    private var readIndex = 0
    /// When the first byte of the request being received arrived.
    private var requestStartedAt: Double
    private var ending: Ending?
    private var continueSent = false
    /// The client has closed its side.
    private var peerClosed = false
    /// The socket had nothing more to read since the last bytes arrived.
    private var socketDrained = false
    /// A request is with a handler.
    private var handling = false

    init(limits: ServerLimits, now: Double) {
        self.limits = limits
        parser = HTTPParser(limits: limits)
        requestStartedAt = now
    }

    /// A request is partly received, or bytes of a next one wait in the buffer.
    var requestUnderWay: Bool { parser.inProgress || readIndex < buffer.count }

    /// The client has closed its side of the connection.
    var clientClosed: Bool { peerClosed }

    // MARK: Events

    /// Bytes arrived from the socket.
    mutating func received(_ bytes: UnsafeBufferPointer<UInt8>, now: Double) {
        if readIndex == buffer.count { requestStartedAt = now }
        buffer.append(contentsOf: bytes)
        socketDrained = false
    }

    /// The client closed its side: what is buffered is still handled, then the connection closes.
    mutating func endOfStream() { peerClosed = true }

    /// The socket has nothing more to read for now.
    mutating func drained() { socketDrained = true }

    /// The handler answered the request handed out by `.handle`; returns whether the connection stays open after
    /// the response (the caller writes it with `Connection: close` when not).
    mutating func answered(_ request: HTTPRequest, draining: Bool) -> Bool {
        handling = false
        let keepAlive = request.keepAlive && !draining && !peerClosed
        if !keepAlive { ending = .close }
        return keepAlive
    }

    // MARK: Deciding

    /// The next thing to do, once what was queued has been written.
    mutating func next(now: Double, draining: Bool) -> Action {
        precondition(!handling, "a connection asked for its next step while a handler has its request")
        switch ending {
        case .close?: return .close
        case .linger?: return .linger
        case nil: break
        }
        let step: HTTPParser.Step
        do throws(HTTPParseError) {
            step = try buffer.withUnsafeBufferPointer { p throws(HTTPParseError) in
                try parser.step(UnsafeBufferPointer(rebasing: p[readIndex...]))
            }
        } catch {
            ending = .linger
            return .refuse(error)
        }
        switch step {
        case .request(let request, let consumed):
            consume(consumed, now: now)
            handling = true
            return .handle(request)
        case .incomplete(let head):
            if let head, head.expectContinue, !continueSent {
                continueSent = true
                return .send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
            if !socketDrained && !peerClosed { return .read }
            if peerClosed || (draining && !requestUnderWay) { return .close }
            if buffer.count - readIndex > 2 * (limits.maxHeaderBytes + limits.maxBodyBytes) {
                // The parser refuses long before this; this only bounds what one connection may buffer.
                ending = .linger
                return .refuse(HTTPParseError(413, "the request is too large"))
            }
            // Read again once the socket says there is more.
            socketDrained = false
            return .wait(deadline(now: now))
        }
    }

    /// The deadline of a connection waiting for input.
    private func deadline(now: Double) -> Deadline {
        if requestUnderWay {
            let limit = parser.headComplete ? limits.requestTimeout : limits.headerTimeout
            return Deadline(at: requestStartedAt + limit, requestUnderWay: true, idle: false)
        }
        return Deadline(at: now + limits.idleTimeout, requestUnderWay: false, idle: true)
    }

    private mutating func consume(_ count: Int, now: Double) {
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
            // A pipelined request's time starts when the previous one is taken.
            requestStartedAt = now
        }
    }
}
