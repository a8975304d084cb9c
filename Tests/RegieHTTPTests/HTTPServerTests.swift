import Foundation
import Testing

@testable import RegieHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// A server on a free loopback port with a handler that tests can observe: `/echo` returns the body, `/slow` takes
/// 300 ms, anything else returns its path.
final class TestServer: @unchecked Sendable {
    let server: HTTPServer
    private let lock = NSLock()
    private var handled: [String] = []

    init(limits: ServerLimits = ServerLimits(), workers: Int = 8) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.limits = limits
        configuration.workers = workers
        let box = Box()
        server = HTTPServer(
            configuration: configuration,
            answering: { request in
                box.value?.record(request.target)
                switch request.path {
                case "/echo": return HTTPResponse(status: 200, body: request.body)
                case "/slow":
                    usleep(300_000)
                    return .text(200, "slow")
                default: return .text(200, request.target)
                }
            })
        box.value = self
        try server.start()
    }

    private final class Box: @unchecked Sendable { weak var value: TestServer? }

    private func record(_ target: String) { lock.withLock { handled.append(target) } }

    var handledTargets: [String] { lock.withLock { handled } }
    var port: Int { server.port }

    func client(timeout: Double = 5) throws -> RawClient {
        try #require(RawClient(port: port, timeout: timeout))
    }

    deinit { server.shutdown() }
}

@Suite struct HTTPServerTests {
    @Test func answersCurlWithKeepAlive() throws {
        let s = try TestServer()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = [
            "-sS", "-v", "http://127.0.0.1:\(s.port)/a", "http://127.0.0.1:\(s.port)/b", "-d", "x=1",
        ]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        let body = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let trace = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(body == "/a/b")
        #expect(trace.contains("Re-using existing connection") || trace.contains("Reusing existing connection"))
    }

    @Test func answersAThousandPipelinedRequestsInOrder() throws {
        let s = try TestServer()
        let c = try s.client()
        var all = ""
        for i in 0..<1000 { all += "GET /n/\(i) HTTP/1.1\r\nHost: x\r\n\r\n" }
        #expect(c.send(all))
        for i in 0..<1000 {
            let r = try #require(c.readResponse(), "response \(i)")
            #expect(r.status == 200)
            #expect(r.body == "/n/\(i)")
        }
    }

    @Test func answersExpectContinueAndChunkedBodies() throws {
        let s = try TestServer()
        let c = try s.client()
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(c.readResponse()?.status == 100)
        c.send("hello")
        let r = try #require(c.readResponse())
        #expect(r.status == 200 && r.body == "hello")
        c.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\n\r\n")
        #expect(c.readResponse()?.body == "hello!")
        // Too large: refused before the client sends the body.
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(c.readResponse()?.status == 413)
        #expect(c.closedByServer())
    }

    @Test func refusesASmugglingAttemptAndClosesTheConnection() throws {
        let s = try TestServer()
        let c = try s.client()
        // A front end reading Content-Length would see one request; one reading chunked would see two.
        c.send(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        let r = try #require(c.readResponse())
        #expect(r.status == 400)
        #expect(r.body.contains("both Content-Length and Transfer-Encoding"))
        #expect(c.readResponse() == nil)
        #expect(!s.handledTargets.contains("/admin"))
    }

    @Test func cutsOffASlowlorisClient() throws {
        var limits = ServerLimits()
        limits.headerTimeout = 1
        let s = try TestServer(limits: limits)
        let c = try s.client()
        let start = Date()
        let request = Array("GET /slowloris HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\r\n".utf8)
        var sent = 0
        // One byte every 100 ms would take 4.6 s; the header timeout ends it after about 1 s.
        while sent < request.count, c.send([request[sent]]) {
            sent += 1
            usleep(100_000)
            if Date().timeIntervalSince(start) > 3 { break }
        }
        let r = c.readResponse()
        #expect(r?.status == 408)
        #expect(Date().timeIntervalSince(start) < 2.5)
        #expect(s.handledTargets.isEmpty)
    }

    @Test func closesIdleConnections() throws {
        var limits = ServerLimits()
        limits.idleTimeout = 0.5
        let s = try TestServer(limits: limits)
        let c = try s.client()
        c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.status == 200)
        let start = Date()
        #expect(c.closedByServer())
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func limitsTheNumberOfConnections() throws {
        var limits = ServerLimits()
        limits.maxConnections = 3
        let s = try TestServer(limits: limits)
        let open = try (0..<3).map { _ in try s.client() }
        for c in open {
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(c.readResponse()?.status == 200)
        }
        let extra = try s.client()
        #expect(extra.readResponse()?.status == 503)
        #expect(s.server.connectionCount == 3)
    }

    /// One address cannot take every connection: past its own limit (below the server's) it gets 503 saying why,
    /// and closing one of its connections makes room again.
    @Test func limitsTheConnectionsOfOneAddress() throws {
        var limits = ServerLimits()
        limits.maxConnections = 100
        limits.maxConnectionsPerAddress = 3
        let s = try TestServer(limits: limits)
        var open = try (0..<3).map { _ in try s.client() }
        for c in open {
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(c.readResponse()?.status == 200)
        }
        let extra = try s.client()
        let refused = extra.readResponse()
        #expect(refused?.status == 503 && refused?.body.contains("127.0.0.1 has 3 connections open") == true)
        open.removeLast()
        usleep(100_000)
        let again = try s.client()
        again.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(again.readResponse()?.status == 200)
        #expect(s.server.connectionCount == 3)
    }

    @Test func survivesAClientThatDisconnectsMidBody() throws {
        let s = try TestServer()
        do {
            let c = try s.client()
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten..")
        }
        usleep(100_000)
        let c = try s.client()
        c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.body == "/after")
        #expect(s.handledTargets == ["/after"])
    }

    @Test func refusesMalformedBytesWithAClearError() throws {
        let s = try TestServer()
        for bytes in ["\u{0}\u{1}\u{2}garbage\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n bad fold\r\n\r\n"] {
            let c = try s.client()
            c.send(bytes)
            let r = try #require(c.readResponse())
            #expect(r.status == 400)
            #expect(c.closedByServer())
        }
        let c = try s.client()
        c.send("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 20000) + "\r\n\r\n")
        #expect(c.readResponse()?.status == 431)
    }

    @Test func finishesRequestsInFlightOnShutdown() throws {
        let s = try TestServer()
        let busy = try s.client()
        let idle = try s.client()
        idle.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(idle.readResponse()?.status == 200)
        busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let done = DispatchSemaphore(value: 0)
        let server = s.server
        Thread.detachNewThread {
            server.shutdown()
            done.signal()
        }
        let r = try #require(busy.readResponse())
        #expect(r.status == 200 && r.body == "slow")
        #expect(r.headers["connection"] == "close")
        #expect(idle.closedByServer())
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(RawClient(port: s.port) == nil)
    }
}
