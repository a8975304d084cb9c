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
        let (id, key) = try CLI.planAgreed(db)

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

    /// Runs curl and returns the body it got.
    static func curlBody(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "20"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }

    /// A training session runs the API and the CLI side by side on a database with a simulated clock: the time
    /// lives in the database, so events the API records carry the time another process set, the level's deadline
    /// counts from it, and the server's scheduler fires what falls due when the clock is moved on.
    @Test func theServerFollowsASimulatedClockMovedByAnotherProcess() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("training.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-03-02T09:00"]).status == 0)
        let (id, key) = try CLI.planAgreed(db, open: ["--gemeente", "gemeente-velsen"])

        let server = try CLI.serve(db, [])
        defer { server.stop() }
        #expect(server.banner.contains("firing timers"), "banner: \(server.banner)")
        let port = server.port
        func post(_ body: String) throws -> JSONValue {
            try JSONParser.parse(
                try Self.curlBody([
                    "-X", "POST", "http://127.0.0.1:\(port)/v1/cases/\(id)/events", "-H",
                    "Authorization: Bearer \(key)",
                    "-H", "Content-Type: application/json", "-d", body,
                ]))
        }
        func timeline() throws -> [JSONValue] {
            try JSONParser.parse(try CLI.run(["case", "timeline", id, "--db", db, "--json"]).out)["events"]?
                .arrayValue ?? []
        }

        // Another process moves the clock on a week (`clock set`, or a change committed at --now); the server's
        // events follow it.
        #expect(try CLI.run(["clock", "set", "2026-03-09T10:00", "--db", db]).status == 0)
        let raised = try post(#"{"event":"opschalen","motivation":"geen plek","fields":{"vraag":"een plek"}}"#)
        #expect(raised["level"] == 1)
        let event = try #require(try timeline().last)
        #expect(event["event"] == "opschalen")
        #expect(event["at"]?.stringValue == "2026-03-09T09:00:00.000Z")
        let deadline = try #require(raised["deadlines"]?.arrayValue?.first { $0["name"] == "niveau-termijn" })
        #expect(deadline["dueDate"] == "2026-03-16")

        // Moving the clock past the deadline wakes the server's scheduler, which escalates the case by itself.
        let advanced = try CLI.run(["clock", "advance", "P7D", "--db", db])
        #expect(advanced.status == 0)
        #expect(advanced.out.contains("2026-03-16 10:00 CET"))
        #expect(try CLI.run(["clock", "advance", "1 werkdag", "--db", db]).status == 0)
        let until = Date().addingTimeInterval(15)
        var escalated = false
        while !escalated && Date() < until {
            escalated = try timeline().contains { $0["event"] == "niveau-termijn-verstreken" }
            if !escalated { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(escalated, "the server's scheduler did not follow the clock")
        let fired = try #require(try timeline().last { $0["event"] == "niveau-termijn-verstreken" })
        #expect(fired["at"]?.stringValue == "2026-03-17T09:00:00.000Z")

        // The clock never runs backwards, from any process.
        let back = try CLI.run(["clock", "set", "2026-03-10T09:00", "--db", db])
        #expect(back.status == 2)
        #expect(back.err.contains("never runs backwards"))
        #expect(try CLI.run(["case", "show", id, "--db", db, "--now", "2026-03-10T09:00"]).status == 2)
        let shown = try JSONParser.parse(try CLI.run(["clock", "show", "--db", db, "--json"]).out)
        #expect(shown["now"]?.stringValue == "2026-03-17T09:00:00.000Z" && shown["simulated"] == true)
    }
}
