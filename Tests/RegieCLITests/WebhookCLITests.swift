import Foundation
import RegieCore
import Testing

/// Webhooks as an operator and a partner meet them: `regie serve` delivering to a receiver in another process,
/// killed with SIGKILL and started again; and the commands that show and mend deliveries.
@Suite struct WebhookCLITests {
    /// A partner's receiver in its own process (Python's http.server): answers 500 while the file `down` exists
    /// beside its log, else 204, and logs `webhook-id status` per request.
    final class PythonReceiver {
        let process = Process()
        let folder: URL
        let port: Int

        static let script = """
            import http.server, os, sys
            folder = sys.argv[1]
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    status = 500 if os.path.exists(os.path.join(folder, "down")) else 204
                    with open(os.path.join(folder, "log"), "a") as f:
                        f.write(self.headers.get("webhook-id", "-") + " " + str(status) + "\\n")
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args):
                    pass
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """

        init(folder: URL) throws {
            self.folder = folder
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", Self.script, folder.path]
            let out = Pipe()
            process.standardOutput = out
            // Not the test's own output: a child holding it open keeps `swift test` waiting.
            process.standardError = FileHandle.nullDevice
            try process.run()
            port = Int(CLI.firstLine(of: out).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        // SIGKILL: SIGTERM may be ignored, as it is inherited ignored from some shells.
        deinit { kill(process.processIdentifier, SIGKILL) }

        var url: String { "http://127.0.0.1:\(port)/hook" }

        func setDown(_ down: Bool) {
            let file = folder.appendingPathComponent("down").path
            if down {
                _ = FileManager.default.createFile(atPath: file, contents: Data())
            } else {
                try? FileManager.default.removeItem(atPath: file)
            }
        }

        /// Every request so far: its webhook-id and the status it got.
        var log: [(id: String, status: Int)] {
            let text = (try? String(contentsOf: folder.appendingPathComponent("log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let s = Int(parts[1]) else { return nil }
                return (String(parts[0]), s)
            }
        }
    }

    /// A copy of the shipped configuration whose webhooks may go to loopback and retry every second.
    static func config(in dir: URL) throws -> URL {
        let config = dir.appendingPathComponent("Config")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Config"), to: config)
        try Data(
            #"{"allowedNetworks": ["127.0.0.0/8"], "retrySeconds": [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "jitter": 0}"#
                .utf8
        ).write(to: config.appendingPathComponent("webhooks.json"))
        return config
    }

    static func waitUntil(seconds: Double, _ done: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if done() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return done()
    }

    /// Opens a case through the CLI (another process: its commit wakes the serving deliverer); returns its id.
    static func openCase(_ db: String, _ env: [String: String]) throws -> String {
        let r = try CLI.run(
            ["case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--json"],
            environment: env)
        return try #require(try JSONParser.parse(r.out)["id"]?.stringValue, "\(r.err)")
    }

    static func startServe(_ db: String, _ env: [String: String]) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["serve", "--db", db, "--port", "0", "--no-scheduler"]
        var e = ProcessInfo.processInfo.environment
        e["REGIE_WORKFLOWS"] = CLI.root.appendingPathComponent("Workflows").path
        for (k, v) in env { e[k] = v }
        server.environment = e
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        let banner = CLI.firstLine(of: out)
        #expect(banner.contains("delivering webhooks"), "banner: \(banner)")
        return server
    }

    @Test func afterSIGKILLEveryNotificationIsStillDeliveredWithItsOwnId() throws {
        let dir = try CLI.temporaryFolder()
        let env = ["REGIE_CONFIG": try Self.config(in: dir).path]
        let db = dir.appendingPathComponent("wh.db").path
        #expect(try CLI.run(["init", "--db", db], environment: env).status == 0)
        let receiver = try PythonReceiver(folder: dir)
        #expect(receiver.port > 0)
        #expect(
            try CLI.run(
                ["webhook", "add", "bw-aanbieder", receiver.url, "--events", "*", "--db", db], environment: env
            ).status == 0)

        // The receiver is down: every attempt fails and is retried each second.
        receiver.setDown(true)
        var server = try Self.startServe(db, env)
        var cases: [String] = []
        for _ in 0..<4 { cases.append(try Self.openCase(db, env)) }
        #expect(Self.waitUntil(seconds: 15) { Set(receiver.log.map(\.id)).count == 4 }, "each tried once")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        let triedBefore = Set(receiver.log.map(\.id))
        // Committed while no deliverer runs.
        for _ in 0..<2 { cases.append(try Self.openCase(db, env)) }

        receiver.setDown(false)
        server = try Self.startServe(db, env)
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        #expect(Self.waitUntil(seconds: 15) { Set(receiver.log.filter { $0.status == 204 }.map(\.id)).count == 6 })
        let delivered = Set(receiver.log.filter { $0.status == 204 }.map(\.id))
        #expect(triedBefore.isSubset(of: delivered), "the same webhook-ids after the restart")
        let status = try JSONParser.parse(
            try CLI.run(["webhook", "status", "--db", db, "--json"], environment: env).out)
        let endpoint = try #require(status["endpoints"]?.arrayValue?.first)
        #expect(endpoint["delivered"] == 6 && endpoint["pending"] == 0 && endpoint["state"] == "active")
    }

    @Test func operatorsSeeTheLogAndReplayAndRecoverDeliveries() throws {
        let dir = try CLI.temporaryFolder()
        var env = ["REGIE_CONFIG": try Self.config(in: dir).path]
        try Data(#"{"allowedNetworks": ["127.0.0.0/8"], "retrySeconds": [0, 1], "jitter": 0}"#.utf8).write(
            to: URL(fileURLWithPath: env["REGIE_CONFIG"]! + "/webhooks.json"))
        let db = dir.appendingPathComponent("wh.db").path
        env["REGIE_DB"] = db
        #expect(try CLI.run(["init"], environment: env).status == 0)
        let receiver = try PythonReceiver(folder: dir)
        let added = try CLI.run(
            ["webhook", "add", "bw-aanbieder", receiver.url, "--events", "*", "--json"], environment: env)
        let endpoint = try #require(try JSONParser.parse(added.out)["id"]?.stringValue)
        receiver.setDown(true)
        _ = try Self.openCase(db, env)
        let first = try CLI.run(["webhook", "deliver", "--once"], environment: env)
        #expect(first.status == 0 && first.out.contains("1 attempt(s), 0 delivered") && first.out.contains("retry in"))
        Thread.sleep(forTimeInterval: 1.1)
        let second = try CLI.run(["webhook", "deliver", "--once"], environment: env)
        #expect(second.out.contains("failed for good after 2 attempts"), "\(second.out)")
        let status = try CLI.run(["webhook", "status"], environment: env)
        #expect(status.out.contains("failing") && status.out.contains("See `regie webhook log \(endpoint)`"))
        let log = try JSONParser.parse(try CLI.run(["webhook", "log", endpoint, "--json"], environment: env).out)
        let attempts = try #require(log["attempts"]?.arrayValue)
        #expect(attempts.count == 2 && attempts.allSatisfy { $0["status"] == 500 })
        let webhookId = try #require(attempts.first?["webhookId"]?.stringValue)

        receiver.setDown(false)
        let recovered = try CLI.run(["webhook", "recover", "--since", "2020-01-01"], environment: env)
        #expect(recovered.status == 0 && recovered.out.contains("1 failed deliveries go out again"))
        #expect(try CLI.run(["webhook", "deliver", "--once"], environment: env).out.contains("1 delivered"))
        let replayed = try CLI.run(["webhook", "replay", webhookId], environment: env)
        #expect(replayed.status == 0 && replayed.out.contains(webhookId))
        #expect(try CLI.run(["webhook", "deliver", "--once"], environment: env).out.contains("1 delivered"))
        #expect(receiver.log.map(\.id) == Array(repeating: webhookId, count: 4))
        #expect(receiver.log.map(\.status) == [500, 500, 204, 204])
        let unknown = try CLI.run(["webhook", "replay", "msg_nope"], environment: env)
        #expect(unknown.status != 0 && unknown.err.contains("no delivery msg_nope"))
        let audit = try CLI.run(["audit", "export"], environment: env)
        #expect(audit.out.contains("replayed delivery") && audit.out.contains("recovered 1 failed deliveries"))
    }
}
