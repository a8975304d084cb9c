import Foundation
import RegieCore
import Testing

/// `regie check` finds what was changed behind Regie's back: a byte in an event, in an access-log record, in a
/// timer row; and a damaged file.
@Suite struct CheckTests {
    /// Runs SQL on a database directly, as somebody with the file would (Python's sqlite3, not Regie).
    static func tamper(_ db: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit(); c.close()",
            db,
            sql,
        ]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "tampering failed: \(sql)")
    }

    /// A database with one case and a few events.
    static func database() throws -> (db: String, id: String) {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("c.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--contact",
                "c123",
                "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        #expect(
            try CLI.run(["case", "fire", id, "plan-vastgesteld", "--note", "plan met c123", "--db", db]).status == 0)
        #expect(try CLI.run(["case", "fire", id, "voortgang", "--note", "gesprek", "--db", db]).status == 0)
        return (db, id)
    }

    @Test func aChangedEventIsNamedByCaseAndEvent() throws {
        let (db, id) = try Self.database()
        let sound = try CLI.run(["check", "--db", db])
        #expect(sound.status == 0, "\(sound.out) \(sound.err)")
        #expect(sound.out.contains("The event log is intact: 1 case(s)"))
        try Self.tamper(
            db,
            "DROP TRIGGER events_append_only_update; UPDATE events SET payload = replace(payload, 'c123', 'X123') WHERE seq = 2;"
        )
        let found = try CLI.run(["check", "--db", db])
        #expect(found.status == 6)
        #expect(found.out.contains("case \(id), event 2: its content does not match its seal"))
        // The altered timeline is not shown as if it were true.
        let timeline = try CLI.run(["case", "timeline", id, "--db", db])
        #expect(timeline.status == 6 && timeline.err.contains("event 2"))
    }

    @Test func aRemovedEventAChangedTimerAndAChangedAccessRecordAreFound() throws {
        let (db, id) = try Self.database()
        try Self.tamper(
            db, "UPDATE timers SET due_at = due_at + 86400000 WHERE name = 'stagnatie' AND kind = 'deadline';")
        var found = try CLI.run(["check", "--db", db, "--json"])
        #expect(found.status == 6)
        let broken = try JSONParser.parse(found.out)["eventLog"]?["broken"]?.arrayValue?.first
        #expect(broken?["case"]?.stringValue == id && broken?["reason"]?.stringValue?.contains("state") == true)

        let (other, _) = try Self.database()
        try Self.tamper(
            other, "DROP TRIGGER audit_append_only_update; UPDATE audit SET partner = 'iemand-anders' WHERE id = 2;")
        found = try CLI.run(["check", "--db", other])
        #expect(found.status == 6)
        #expect(found.out.contains("record 2: its content does not match its hash"))
        // Verification goes on after the broken record.
        #expect(!found.out.contains("record 3"))

        let (third, thirdId) = try Self.database()
        try Self.tamper(
            third,
            "DROP TRIGGER events_append_only_delete; DELETE FROM events WHERE seq = 3 AND case_id = '\(thirdId)';")
        found = try CLI.run(["check", "--db", third])
        #expect(found.status == 6 && found.out.contains("case \(thirdId)"))
    }

    @Test func aDamagedFileIsToldApartFromTampering() throws {
        let (db, _) = try Self.database()
        #expect(try CLI.run(["check", "--db", db, "--quick"]).status == 0)
        // Overwrite a whole page in the middle of the file, its header too, with garbage (garbage in the unused
        // space of a page holding no rows would be no damage at all).
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2 / 4096 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        try handle.close()
        let damaged = try CLI.run(["check", "--db", db])
        #expect(damaged.status == 5, "\(damaged.out) \(damaged.err)")
    }
}
