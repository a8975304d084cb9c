import Foundation
import RegieCore
import Testing

/// Retention on the simulated clock: a VSO signal goes after two years, a network case after fifteen, a case
/// under a legal hold stays until the hold is released, the access log goes after twenty-five years from an anchor,
/// and every chain still verifies.
@Suite struct RetentionTests {
    static func open(_ db: String, _ args: [String]) throws -> String {
        let r = try CLI.run(["case", "open", "--db", db, "--json"] + args)
        return try #require(try JSONParser.parse(r.out)["id"]?.stringValue, "\(r.err)")
    }

    static func fire(_ db: String, _ id: String, _ event: String, _ more: [String] = []) throws {
        let r = try CLI.run(["case", "fire", id, event, "--db", db] + more)
        #expect(r.status == 0, "\(event): \(r.err)")
    }

    /// Rows of a table for a case, read directly (not through Regie).
    static func rows(_ db: String, _ sql: String) throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])",
            db, sql,
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func closedCasesGoAfterTheirPeriodUnlessHeldAndTheAccessLogAfterItsOwn() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("r.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-01-05T09:00"]).status == 0)
        // A network case (15 years), a second one that a complaint will hold, and a VSO signal (2 years).
        let a = try Self.open(db, ["--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--bsn", "111222333"])
        let b = try Self.open(db, ["--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--bsn", "123456782"])
        let c = try Self.open(
            db,
            [
                "--workflow", "vso", "--regie", "gemeente-haarlem", "--as", "politie-haarlem:melder", "--field",
                "basisteam=politie-haarlem",
            ])
        for id in [a, b] {
            try Self.fire(db, id, "plan-vastgesteld", ["--note", "plan"])
            try Self.fire(
                db, id, "afsluiten",
                ["--note", "doelen bereikt", "--field", "uitkomst=doel-bereikt", "--field", "nazorg=nee"])
            try Self.fire(db, id, "nazorg-afgerond")
        }
        try Self.fire(db, c, "geen-actie", ["--note", "bekend bij wijkteam", "--as", "gemeente-haarlem:regiehouder"])
        try Self.fire(
            db, c, "teruggekoppeld", ["--note", "politie geinformeerd", "--as", "gemeente-haarlem:regiehouder"])
        #expect(try CLI.run(["case", "show", a, "--db", db, "--json"]).out.contains("closedAt"))
        let nothing = try CLI.run(["retention", "plan", "--db", db])
        #expect(nothing.out.contains("No closed case is past its retention."), "\(nothing.out)\(nothing.err)")
        let hold = try CLI.run(["retention", "hold", b, "--reason", "klachtprocedure K-2026-14", "--db", db])
        #expect(hold.status == 0, "\(hold.err)")
        #expect(try CLI.run(["retention", "hold", b, "--reason", "again", "--db", db]).status == 2)
        #expect(try CLI.run(["retention", "hold", a, "--db", db]).status == 2)

        // Two years and a day later the signal is due, the network cases are not.
        #expect(try CLI.run(["clock", "set", "2028-01-06T09:00", "--db", db]).status == 0)
        let plan = try JSONParser.parse(try CLI.run(["retention", "plan", "--db", db, "--json"]).out)
        #expect(plan["due"]?.arrayValue?.compactMap { $0["case"]?.stringValue } == [c])
        #expect(plan["held"]?.arrayValue?.isEmpty == true)
        let first = try CLI.run(["retention", "run", "--db", db])
        #expect(first.status == 0 && first.out.contains("Purged 1 case(s): \(c)"), "\(first.out)\(first.err)")
        let gone = try CLI.run(["case", "show", c, "--db", db])
        #expect(gone.status == 3 && gone.err.contains("was purged on"), "\(gone.err)")
        #expect(try Self.rows(db, "SELECT count(*) FROM events WHERE case_id='\(c)'") == 0)
        #expect(try Self.rows(db, "SELECT events FROM tombstones WHERE case_id='\(c)'") == 3)
        // Nobody can remove the rest by hand: the log is append-only unless a tombstone says the case was purged.
        #expect(try Self.rows(db, "SELECT count(*) FROM events WHERE case_id='\(a)'") == 4)
        let check = try CLI.run(["check", "--db", db])
        #expect(check.status == 0, "\(check.out)")

        // Fifteen years: the first network case goes; the held one stays and says why.
        #expect(try CLI.run(["clock", "set", "2041-01-06T09:00", "--db", db]).status == 0)
        let held = try CLI.run(["retention", "plan", "--db", db])
        #expect(held.out.contains("purge \(a)") && held.out.contains("HELD  \(b)") && held.out.contains("K-2026-14"))
        let second = try JSONParser.parse(try CLI.run(["retention", "run", "--db", db, "--json"]).out)
        #expect(second["purged"] == .array([.string(a)]) && second["held"] == .array([.string(b)]))
        #expect(try Self.rows(db, "SELECT count(*) FROM case_clients WHERE case_id='\(a)'") == 0)
        #expect(try Self.rows(db, "SELECT count(*) FROM timers WHERE case_id='\(a)'") == 0)
        #expect(try Self.rows(db, "SELECT count(*) FROM events WHERE case_id='\(b)'") == 4)
        // The client can still learn who looked at the file, and that it was purged.
        let client = try CLI.run(["audit", "client", "111222333", "--db", db])
        #expect(client.out.contains("purge retention"), "\(client.out)")

        // Released, the held case goes with the scheduler's daily run.
        #expect(
            try CLI.run(["retention", "release", b, "--reason", "klacht afgehandeld", "--db", db]).status == 0)
        let scheduler = Process()
        scheduler.executableURL = URL(fileURLWithPath: CLI.binary)
        scheduler.arguments = ["timers", "run", "--db", db]
        var env = ProcessInfo.processInfo.environment
        env["REGIE_WORKFLOWS"] = CLI.root.appendingPathComponent("Workflows").path
        env["REGIE_CONFIG"] = CLI.root.appendingPathComponent("Config").path
        scheduler.environment = env
        let out = Pipe()
        scheduler.standardOutput = out
        try scheduler.run()
        var purged = false
        for _ in 0..<100 where !purged {
            Thread.sleep(forTimeInterval: 0.1)
            purged = try CLI.run(["case", "show", b, "--db", db]).err.contains("was purged")
        }
        scheduler.terminate()
        scheduler.waitUntilExit()
        #expect(purged, "the scheduler did not purge the released case")
        #expect(
            String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains(
                "retention: purged 1 case(s)"))

        // Twenty-five years: the access log's records of 2026 go; the chain verifies from its anchor.
        #expect(try CLI.run(["clock", "set", "2051-01-06T09:30", "--db", db]).status == 0)
        let before = try Self.rows(db, "SELECT count(*) FROM audit")
        let logPlan = try JSONParser.parse(try CLI.run(["retention", "plan", "--db", db, "--json"]).out)
        let due = try #require(logPlan["accessRecords"]?.intValue)
        #expect(due > 5)
        let third = try JSONParser.parse(try CLI.run(["retention", "run", "--db", db, "--json"]).out)
        #expect(third["accessRecordsPurged"]?.intValue == due)
        #expect(try Self.rows(db, "SELECT count(*) FROM audit") < before)
        #expect(try CLI.run(["audit", "verify", "--db", db]).status == 0)
        #expect(try CLI.run(["check", "--db", db]).status == 0)
        // Cutting more of the log by moving the anchor is found: no recorded purge says it was cut there.
        try CheckTests.tamper(
            db,
            "UPDATE meta SET value = CAST(value AS INTEGER) + 2 WHERE key='audit_purged_through'; DELETE FROM audit WHERE id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key='audit_purged_through');"
        )
        let cut = try CLI.run(["audit", "verify", "--db", db])
        #expect(cut.status == 6, "\(cut.out)\(cut.err)")
    }
}
