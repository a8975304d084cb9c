import Foundation
import RegieHTTP

/// A partner's webhook receiver on loopback, for tests: our own HTTP server, answering as the test says and keeping
/// every request it got.
final class Receiver: @unchecked Sendable {
    struct Received: Sendable {
        var path: String
        var id: String
        var timestamp: String
        var signature: String
        var contentType: String
        var body: String
        var at: Date
    }

    /// How to answer the n-th request (from 0) to a path; by default 204.
    typealias Answer = @Sendable (_ request: HTTPRequest, _ n: Int) -> HTTPResponse

    private let lock = NSLock()
    private var answer: Answer = { _, _ in HTTPResponse(status: 204) }
    private var got: [Received] = []
    /// Seconds to wait before answering (a receiver that hangs).
    private var delay: Double = 0
    private let server: HTTPServer

    init() throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 1
        configuration.workers = 4
        let box = Box()
        server = HTTPServer(configuration: configuration) { request, respond in
            box.receiver?.take(request, respond)
        }
        box.receiver = self
        try server.start()
    }

    deinit { server.shutdown() }

    private final class Box: @unchecked Sendable { weak var receiver: Receiver? }

    var port: Int { server.port }
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    func answer(_ a: @escaping Answer) { lock.withLock { answer = a } }
    func hang(seconds: Double) { lock.withLock { delay = seconds } }

    var received: [Received] { lock.withLock { got } }

    private func take(_ request: HTTPRequest, _ respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let (response, wait) = lock.withLock { () -> (HTTPResponse, Double) in
            let n = got.filter { $0.path == request.target }.count
            got.append(
                Received(
                    path: request.target, id: request.headers["webhook-id"] ?? "",
                    timestamp: request.headers["webhook-timestamp"] ?? "",
                    signature: request.headers["webhook-signature"] ?? "",
                    contentType: request.headers["content-type"] ?? "",
                    body: String(decoding: request.body, as: UTF8.self), at: Date()))
            return (answer(request, n), delay)
        }
        if wait > 0 {
            DispatchQueue.global().asyncAfter(deadline: .now() + wait) { respond(response) }
        } else {
            respond(response)
        }
    }

    /// Verifies every request received so far with Python's `standardwebhooks` (an implementation that is not
    /// ours) under `secret`; returns how many passed, or what Python said.
    func verifyWithStandardWebhooks(secret: String, only: (Received) -> Bool = { _ in true }) throws -> String {
        let lines = try received.filter(only).map { r in
            String(
                decoding: try JSONSerialization.data(withJSONObject: [
                    "id": r.id, "ts": r.timestamp, "sig": r.signature, "body": r.body,
                ]), as: UTF8.self)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("received-\(UUID().uuidString)")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import json, sys
            from standardwebhooks.webhooks import Webhook
            hook = Webhook(sys.argv[1])
            n = 0
            for line in open(sys.argv[2]):
                m = json.loads(line)
                hook.verify(m["body"], {"webhook-id": m["id"], "webhook-timestamp": m["ts"], "webhook-signature": m["sig"]})
                n += 1
            print(n)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, secret, file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
