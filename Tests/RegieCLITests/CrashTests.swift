import Foundation
import RegieCore
import Testing

/// Kills a `regie batch --scheduler` child with SIGKILL in the middle of a stream of commands and timer firings,
/// then checks that every acknowledged event survived and that no timer fired twice, before or after restart.
@Suite struct CrashTests {
    static let workflow = """
        {
          "name": "tik",
          "version": 1,
          "states": [
            {"name": "open", "initial": true, "timers": [{"name": "tik", "after": "PT1S", "fires": "getikt"}]},
            {"name": "dicht", "final": true}
          ],
          "transitions": [
            {"event": "voortgang", "from": ["open"], "to": "open", "roles": ["regiehouder"]},
            {"event": "getikt", "from": ["open"], "roles": ["systeem"]},
            {"event": "sluiten", "from": ["open"], "to": "dicht", "roles": ["regiehouder"]}
          ]
        }
        """

    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        var buffer = Data()
    }

    @Test func nothingAcknowledgedIsLostAndNoTimerFiresTwice() throws {
        let dir = try CLI.temporaryFolder()
        let workflows = dir.appendingPathComponent("Workflows")
        try FileManager.default.createDirectory(at: workflows, withIntermediateDirectories: true)
        try Data(Self.workflow.utf8).write(to: workflows.appendingPathComponent("tik.json"))
        let db = dir.appendingPathComponent("crash.db").path
        let env = ["REGIE_WORKFLOWS": workflows.path]
        #expect(try CLI.run(["init", "--db", db], environment: env).status == 0)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CLI.binary)
        child.arguments = ["batch", "--scheduler", "--db", db]
        var environment = ProcessInfo.processInfo.environment
        environment["REGIE_WORKFLOWS"] = workflows.path
        environment["REGIE_CONFIG"] = CLI.root.appendingPathComponent("Config").path
        child.environment = environment
        let input = Pipe()
        let output = Pipe()
        child.standardInput = input
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        let acks = Lines()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            acks.lock.withLock {
                acks.buffer.append(data)
                while let nl = acks.buffer.firstIndex(of: 0x0A) {
                    acks.lines.append(String(decoding: acks.buffer[acks.buffer.startIndex..<nl], as: UTF8.self))
                    acks.buffer.removeSubrange(acks.buffer.startIndex...nl)
                }
            }
        }
        try child.run()
        // Writing to the killed child must fail softly, not end the test process.
        signal(SIGPIPE, SIG_IGN)
        let stdin = input.fileHandleForWriting
        @Sendable func send(_ line: String) -> Bool { (try? stdin.write(contentsOf: Data((line + "\n").utf8))) != nil }
        func ackCount() -> Int { acks.lock.withLock { acks.lines.count } }
        func waitFor(_ n: Int, seconds: Double) {
            let end = Date().addingTimeInterval(seconds)
            while ackCount() < n && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        }

        let caseCount = 20
        for _ in 0..<caseCount { _ = send(#"{"op":"open","workflow":"tik","regie":"gemeente-haarlem"}"#) }
        waitFor(caseCount, seconds: 20)
        let ids = acks.lock.withLock { acks.lines }.compactMap { try? JSONParser.parse($0)["case"]?.stringValue }
        #expect(ids.count == caseCount)
        // Keep half the cases busy (their timer restarts) and let the other half's timers fire, for 1.5 seconds,
        // then kill the child without warning while commands and firings are in flight.
        let writer = Thread {
            var i = 0
            while true {
                let id = ids[i % (caseCount / 2)]
                guard send(#"{"op":"fire","case":"\#(id)","event":"voortgang"}"#) else { break }
                i += 1
                if i % 50 == 0 { Thread.sleep(forTimeInterval: 0.005) }
                if i > 200_000 { break }
            }
        }
        writer.start()
        Thread.sleep(forTimeInterval: 1.5)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        #expect(child.terminationReason == .uncaughtSignal)

        let acknowledged = acks.lock.withLock { acks.lines }.compactMap { line -> (String, Int64)? in
            guard let v = try? JSONParser.parse(line), v["ok"] == .bool(true), let c = v["case"]?.stringValue,
                let s = v["sequence"]?.intValue
            else { return nil }
            return (c, s)
        }
        #expect(
            acknowledged.count > caseCount + 100,
            "the child acknowledged too little to test anything: \(acknowledged.count)")

        // Downtime: the busy cases' timers (restarted by their last voortgang) become overdue. At restart they fire,
        // once each; the quiet cases' timers, which fired before the kill, do not fire again.
        Thread.sleep(forTimeInterval: 1.2)
        let restart = try CLI.run(["timers", "run", "--once", "--db", db, "--json"], environment: env)
        #expect(restart.status == 0, "\(restart.err)")
        let firedAtRestart = try JSONParser.parse(restart.out)["fired"]?.intValue ?? -1
        #expect(firedAtRestart >= 1 && firedAtRestart <= Int64(caseCount / 2), "fired at restart: \(firedAtRestart)")

        let events = try CLI.run(["case", "list", "--db", db, "--json", "--all"], environment: env)
        let cases = try JSONParser.parse(events.out)["cases"]?.arrayValue ?? []
        #expect(cases.count == caseCount)
        var fired = 0
        for c in cases {
            let id = try #require(c["id"]?.stringValue)
            let timeline = try JSONParser.parse(
                try CLI.run(["case", "timeline", id, "--db", db, "--json"], environment: env).out)
            let list = timeline["events"]?.arrayValue ?? []
            // The projection matches the log, and the log has no gaps.
            #expect(list.compactMap { $0["sequence"]?.intValue } == Array(1...Int64(list.count)))
            #expect(c["sequence"]?.intValue == Int64(list.count))
            // Every acknowledged event of this case is there.
            let maxAcked = acknowledged.filter { $0.0 == id }.map(\.1).max() ?? 1
            #expect(Int64(list.count) >= maxAcked, "case \(id) lost acknowledged events")
            // No timer fired twice: each firing names a distinct deadline.
            let firings = list.filter { $0["event"]?.stringValue == "getikt" }.compactMap {
                $0["payload"]?["dueAt"]?.stringValue
            }
            #expect(Set(firings).count == firings.count, "a timer fired twice in case \(id)")
            // Every timer run ended in a firing, before the kill or at restart: nothing overdue is left.
            #expect(firings.count >= 1, "case \(id) never fired")
            #expect(c["timers"]?.arrayValue?.isEmpty == true)
            fired += firings.count
        }
        #expect(fired >= caseCount)
        // And the scheduler agrees that nothing is due any more.
        let due = try CLI.run(["timers", "due", "--db", db, "--json", "--within", "PT1S"], environment: env)
        #expect(try JSONParser.parse(due.out)["timers"]?.arrayValue?.isEmpty == true)
    }
}
