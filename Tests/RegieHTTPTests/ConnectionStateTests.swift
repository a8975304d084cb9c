import Testing

@testable import RegieHTTP

/// The life of a connection, driven without a socket: bytes in, actions out.
@Suite struct ConnectionStateTests {
    /// The actions, written so that a test can compare them.
    enum Step: Equatable {
        case read
        case send(String)
        case handle(String, keepAlive: Bool)
        case refuse(Int)
        case wait(ConnectionState.Deadline)
        case linger
        case close
    }

    /// A connection's state with a hand-driven clock and socket.
    final class Driver {
        var state: ConnectionState
        var now = 1000.0
        var draining = false

        init(limits: ServerLimits = ServerLimits()) {
            state = ConnectionState(limits: limits, now: 1000)
        }

        /// The next action, as a comparable step.
        func next() -> Step {
            switch state.next(now: now, draining: draining) {
            case .read: return .read
            case .send(let bytes): return .send(String(decoding: bytes, as: UTF8.self))
            case .handle(let r): return .handle("\(r.method) \(r.target)", keepAlive: r.keepAlive)
            case .refuse(let e): return .refuse(e.status)
            case .wait(let d): return .wait(d)
            case .linger: return .linger
            case .close: return .close
            }
        }

        /// The socket gives `text`.
        func receive(_ text: String) {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { state.received($0, now: now) }
        }

        /// Answers the request being handled, as the handler would.
        func answer(_ method: String = "GET", keepAlive: Bool = true) -> Bool {
            var request = HTTPRequest(
                method: method, target: "/", headers: HTTPHeaders(), body: [], keepAlive: keepAlive)
            request.remoteAddress = "127.0.0.1"
            return state.answered(request, draining: draining)
        }
    }

    static let get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

    @Test func aRequestIsReadHandledAnsweredAndTheConnectionWaitsIdleForTheNext() {
        let c = Driver()
        #expect(c.next() == .read)
        c.receive(Self.get)
        #expect(c.next() == .handle("GET /a", keepAlive: true))
        #expect(c.answer() == true)
        #expect(c.next() == .read)
        c.state.drained()
        let idle = ServerLimits().idleTimeout
        #expect(c.next() == .wait(.init(at: 1000 + idle, requestUnderWay: false, idle: true)))
        // Once the socket is readable again, it is read.
        #expect(c.next() == .read)
    }

    @Test func pipelinedRequestsAreHandedOutOneAtATimeInOrder() {
        let c = Driver()
        c.receive(
            Self.get + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(c.next() == .handle("GET /a", keepAlive: true))
        #expect(c.answer())
        #expect(c.next() == .handle("GET /b", keepAlive: true))
        #expect(c.answer())
        #expect(c.next() == .handle("GET /c", keepAlive: false))
        #expect(c.answer(keepAlive: false) == false)
        #expect(c.next() == .close)
    }

    @Test func aRequestArrivingInPiecesIsTimedFromItsFirstByteUnderTheHeaderThenTheRequestTimeout() {
        let limits = ServerLimits()
        let c = Driver(limits: limits)
        c.receive("GET /a HTTP/1.1\r\nHo")
        #expect(c.next() == .read)
        c.state.drained()
        #expect(c.next() == .wait(.init(at: 1000 + limits.headerTimeout, requestUnderWay: true, idle: false)))
        c.now += 1
        c.receive("st: x\r\nContent-Length: 5\r\n\r\nab")
        #expect(c.next() == .read)
        c.state.drained()
        // The head is complete: the whole request has the request timeout, from its first byte.
        #expect(c.next() == .wait(.init(at: 1000 + limits.requestTimeout, requestUnderWay: true, idle: false)))
        c.receive("cde")
        #expect(c.next() == .handle("GET /a", keepAlive: true))
    }

    @Test func expectContinueIsAnsweredOnceBeforeTheBody() {
        let c = Driver()
        c.receive("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(c.next() == .send("HTTP/1.1 100 Continue\r\n\r\n"))
        #expect(c.next() == .read)
        c.receive("{}")
        #expect(c.next() == .handle("POST /a", keepAlive: true))
    }

    @Test func malformedBytesAreRefusedAndTheConnectionLingers() {
        let c = Driver()
        c.receive("GET /a HTTP/1.1\nHost: x\n\n")
        #expect(c.next() == .refuse(400))
        // Once the refusal is written: linger, so the client reads it before the connection closes.
        #expect(c.next() == .linger)
        #expect(c.next() == .linger)
    }

    @Test func theClientClosingEndsTheConnectionAfterWhatIsBuffered() {
        let c = Driver()
        c.receive(Self.get)
        c.state.endOfStream()
        #expect(c.next() == .handle("GET /a", keepAlive: true))
        // The answer says close: the client will not read another.
        #expect(c.answer() == false)
        #expect(c.next() == .close)

        let half = Driver()
        half.receive("GET /a HT")
        half.state.endOfStream()
        #expect(half.next() == .close)
    }

    @Test func aShutdownClosesIdleConnectionsButFinishesARequestUnderWay() {
        let idle = Driver()
        idle.state.drained()
        idle.draining = true
        #expect(idle.next() == .close)

        let busy = Driver()
        busy.receive("GET /a HTTP/1.1\r\nHo")
        busy.state.drained()
        busy.draining = true
        #expect(busy.next() == .wait(.init(at: 1010, requestUnderWay: true, idle: false)))
        busy.receive("st: x\r\n\r\n")
        #expect(busy.next() == .handle("GET /a", keepAlive: true))
        // Answered with Connection: close, then closed.
        #expect(busy.answer() == false)
        #expect(busy.next() == .close)
    }

    /// What follows a request is parsed as the next one: a flood of bytes is refused by its size, not buffered.
    @Test func aFloodBehindARequestIsRefusedOnceThatRequestIsAnswered() {
        var limits = ServerLimits()
        limits.maxHeaderBytes = 64
        limits.maxBodyBytes = 64
        let c = Driver(limits: limits)
        c.receive("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\n")
        c.receive(String(repeating: "x", count: 300))
        #expect(c.next() == .handle("POST /a", keepAlive: true))
        #expect(c.answer())
        #expect(c.next() == .refuse(431))
        #expect(c.next() == .linger)
    }
}
