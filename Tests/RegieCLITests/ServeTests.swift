import Foundation
import RegieCore
import Testing

/// `regie serve` as a partner's system meets it: a real process, curl as the client.
@Suite struct ServeTests {
    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var ok = 0
        var refusedConnection = 0
        var other: [String] = []
    }

    /// Runs curl; returns the HTTP status it printed ("000" when it could not connect) and its exit code.
    static func curl(_ args: [String]) throws -> (status: String, exit: Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (text, p.terminationStatus)
    }

    @Test func sigtermDuringLoadLosesNoAcknowledgedRequest() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("serve.db").path
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        #expect(try CLI.run(["case", "fire", id, "plan-vastgesteld", "--note", "plan", "--db", db]).status == 0)
        let key = try #require(
            try JSONParser.parse(try CLI.run(["partner", "key", "create", "bw-aanbieder", "--db", db, "--json"]).out)[
                "key"]?.stringValue)

        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["serve", "--db", db, "--port", "0", "--no-scheduler"]
        var env = ProcessInfo.processInfo.environment
        env["REGIE_WORKFLOWS"] = CLI.root.appendingPathComponent("Workflows").path
        env["REGIE_CONFIG"] = CLI.root.appendingPathComponent("Config").path
        server.environment = env
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        let line = CLI.firstLine(of: out)
        let port = try #require(
            line.split(separator: ":").dropFirst(2).first.flatMap { Int($0.prefix { $0.isNumber }) }, "banner: \(line)")
        let base = "http://127.0.0.1:\(port)"
        #expect(try Self.curl(["\(base)/v1/health"]).status == "200")

        let tally = Tally()
        let group = DispatchGroup()
        let stopAt = Date().addingTimeInterval(1.0)
        for worker in 0..<6 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var n = 0
                while n < 200 {
                    n += 1
                    let note = "w\(worker)-\(n)"
                    guard
                        let r = try? Self.curl([
                            "-X", "POST", "\(base)/v1/cases/\(id)/events", "-H", "Authorization: Bearer \(key)", "-H",
                            "Content-Type: application/json", "-d", #"{"event":"voortgang","note":"\#(note)"}"#,
                        ])
                    else { continue }
                    tally.lock.withLock {
                        if r.status == "200" {
                            tally.ok += 1
                        } else if r.status == "000" {
                            tally.refusedConnection += 1
                        } else {
                            tally.other.append("\(note): \(r.status) exit \(r.exit)")
                        }
                    }
                    if r.status == "000" && Date() > stopAt { return }
                }
            }
        }
        Thread.sleep(forTimeInterval: 1.0)
        server.terminate()  // SIGTERM
        server.waitUntilExit()
        group.wait()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
        let events = try JSONParser.parse(try CLI.run(["case", "timeline", id, "--db", db, "--json"]).out)
        let written = events["events"]?.arrayValue?.filter { $0["event"] == "voortgang" }.count ?? -1
        // Every acknowledged request is in the log, and nothing was written that was not acknowledged.
        #expect(tally.ok > 0)
        #expect(written == tally.ok, "200s: \(tally.ok), events: \(written)")
        #expect(tally.other.isEmpty, "\(tally.other.prefix(5))")
        #expect(try CLI.run(["audit", "verify", "--db", db]).status == 0)
    }
}
