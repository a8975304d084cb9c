import Foundation
import RegieCore
import Testing

/// `regie backup` while `regie serve` writes at full speed: every backup restores, checks, and holds every event
/// acknowledged before it began; `regie restore` refuses while a process uses the database, and refuses a backup
/// that does not check.
@Suite struct BackupTests {
    final class Acks: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
    }

    @Test func backupsOfALiveDatabaseHoldEverythingAcknowledgedBeforeThem() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("live.db").path
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let (id, key) = try CLI.planAgreed(db, open: ["--bsn", "111222333"])
        let server = try CLI.serve(db)
        let port = server.port

        // Writers post progress as fast as they are answered.
        let acks = Acks()
        let stop = Acks()
        let group = DispatchGroup()
        for w in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var n = 0
                while stop.lock.withLock({ stop.count == 0 }) {
                    n += 1
                    let r = try? ServeTests.curl([
                        "-X", "POST", "http://127.0.0.1:\(port)/v1/cases/\(id)/events", "-H",
                        "Authorization: Bearer \(key)",
                        "-H", "Content-Type: application/json", "-d", #"{"event":"voortgang","note":"w\#(w)-\#(n)"}"#,
                    ])
                    if r?.status == "200" { acks.lock.withLock { acks.count += 1 } }
                }
            }
        }
        var backups: [(path: String, acknowledged: Int)] = []
        for i in 0..<3 {
            Thread.sleep(forTimeInterval: 0.4)
            let before = acks.lock.withLock { acks.count }
            let path = dir.appendingPathComponent("backup-\(i).db").path
            let made = try CLI.run(["backup", path, "--db", db, "--json"])
            #expect(made.status == 0, "\(made.err)")
            backups.append((path, before))
        }
        // A restore is refused while serve uses the database.
        let busy = try CLI.run(["restore", backups[0].path, "--db", db])
        #expect(busy.status == 4 && busy.err.contains("a process is using"))
        stop.lock.withLock { stop.count = 1 }
        group.wait()
        server.stop()
        #expect(acks.lock.withLock { acks.count } > 20)

        for (i, backup) in backups.enumerated() {
            #expect(FileManager.default.fileExists(atPath: backup.path + ".secret"))
            let target = dir.appendingPathComponent("restored-\(i).db").path
            let restored = try CLI.run(["restore", backup.path, "--db", target])
            #expect(restored.status == 0, "\(restored.err)")
            #expect(try CLI.run(["check", "--db", target]).status == 0)
            let events = try JSONParser.parse(try CLI.run(["case", "timeline", id, "--db", target, "--json"]).out)
            let progress = events["events"]?.arrayValue?.filter { $0["event"] == "voortgang" }.count ?? -1
            #expect(
                progress >= backup.acknowledged,
                "backup \(i): \(progress) events, \(backup.acknowledged) acknowledged before it")
            // The secret came along: the client is still found by BSN.
            let client = try CLI.run(["audit", "client", "111222333", "--db", target])
            #expect(client.out.contains(id))
        }

        // Restoring over a database moves that one aside; a backup that does not check changes nothing.
        let again = try CLI.run(["restore", backups[2].path, "--db", db])
        #expect(again.status == 0 && again.out.contains("before-restore"))
        let tampered = dir.appendingPathComponent("tampered.db").path
        try FileManager.default.copyItem(atPath: backups[1].path, toPath: tampered)
        try CheckTests.tamper(
            tampered,
            "DROP TRIGGER events_append_only_update; UPDATE events SET payload = replace(payload, 'plan', 'PLAN');")
        let refused = try CLI.run(["restore", tampered, "--db", db])
        #expect(refused.status == 6 && refused.err.contains("does not verify"))
        #expect(try CLI.run(["check", "--db", db]).status == 0)
    }
}
