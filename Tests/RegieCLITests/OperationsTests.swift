import Foundation
import RegieCore
import Testing

/// What an operator meets on a bad day: a full disk, a read-only file, a clock that jumps, a typo in `--now`.
@Suite struct OperationsTests {
    /// A database with one case (regie at the BW provider) and a key for that provider.
    static func database(simulated: Bool = false) throws -> (db: String, id: String, key: String) {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("ops.db").path
        let init_ =
            simulated ? ["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"] : ["init", "--db", db]
        #expect(try CLI.run(init_).status == 0)
        let opened = try CLI.run([
            "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--json",
        ])
        let id = try #require(try JSONParser.parse(opened.out)["id"]?.stringValue, "\(opened.err)")
        let key = try #require(
            try JSONParser.parse(try CLI.run(["partner", "key", "create", "bw-aanbieder", "--db", db, "--json"]).out)[
                "key"]?.stringValue)
        return (db, id, key)
    }

    /// Health tells the truth: with the disk full (a file-size limit on the server), every answer with a case in it
    /// is withheld, so `/v1/health` says not ready and why, while `/v1/health/live` says the process answers.
    @Test func healthSaysNotReadyWhenNoAccessRecordCanBeWritten() throws {
        let (db, id, key) = try Self.database()
        let size =
            [db, db + "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
            .max() ?? 0
        // dash counts ulimit -f in 512-byte blocks; an ignored SIGXFSZ makes a write past it fail with EFBIG.
        let server = try CLI.serve(db, shell: "trap '' XFSZ; ulimit -f \((size + 300_000) / 512)")
        defer { server.stop() }
        let auth = ["-H", "Authorization: Bearer \(key)"]
        let ready = try CLI.http(["\(server.base)/v1/health"])
        #expect(ready.status == 200, "\(ready.body)")
        let healthy = try JSONParser.parse(ready.body)
        #expect(healthy["ready"] == .bool(true) && healthy["checks"]?["write"]?.stringValue == "ok")

        // Progress notes until the disk is full: until a write fails, and a second later (when a checkpoint may
        // have made room in the log again) still nothing can be written.
        var read = (status: 0, body: "")
        var n = 0
        for _ in 0..<5 where read.status != 500 {
            var failed = false
            while !failed && n < 3000 {
                let r = try CLI.http(
                    [
                        "-X", "POST", "\(server.base)/v1/cases/\(id)/events", "-H", "Content-Type: application/json",
                        "-d", #"{"event":"voortgang","note":"\#(String(repeating: "n", count: 3000)) \#(n)"}"#,
                    ] + auth)
                failed = r.status >= 500
                n += 1
            }
            Thread.sleep(forTimeInterval: 1.1)
            read = try CLI.http(["\(server.base)/v1/cases/\(id)"] + auth)
        }
        #expect(read.status == 500, "a case read whose access cannot be logged is withheld: \(read.status)")
        let health = try CLI.http(["\(server.base)/v1/health"])
        #expect(health.status == 503, "\(health.body) read: \(read.body) n=\(n)")
        let body = try JSONParser.parse(health.body)
        #expect(body["ready"] == .bool(false) && body["live"] == .bool(true))
        #expect(body["reason"]?.stringValue?.contains("no access record can be written") == true)
        #expect(body["checks"]?["write"]?.stringValue?.contains("is full") == true, "\(health.body)")
        let live = try CLI.http(["\(server.base)/v1/health/live"])
        #expect(live.status == 200 && live.body.contains(#""live":true"#))
    }
}

extension OperationsTests {
    /// Makes a file or folder unwritable even for root (chattr +i), or by mode when not root.
    static func freeze(_ paths: [String], _ on: Bool) throws {
        let p = Process()
        if geteuid() == 0 {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            p.arguments = [on ? "+i" : "-i"] + paths
        } else {
            p.executableURL = URL(fileURLWithPath: "/bin/chmod")
            p.arguments = [on ? "a-w" : "u+w"] + paths
        }
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "cannot \(on ? "freeze" : "thaw") \(paths)")
    }

    /// A read-only (immutable) database and folder: it opens read-only and says so; a read whose access cannot be
    /// logged is withheld (exit 4, nothing on standard output); check, audit verify and backup work, and the backup
    /// restores elsewhere.
    @Test func aReadOnlyDatabaseIsOpenedReadOnlyAndReadsThatCannotBeLoggedAreWithheld() throws {
        let (db, id, _) = try Self.database()
        let folder = (db as NSString).deletingLastPathComponent
        try Self.freeze([db, folder], true)
        defer { try? Self.freeze([db, folder], false) }
        let show = try CLI.run(["case", "show", id, "--db", db])
        #expect(show.status == 4 && show.out.isEmpty, "\(show.out)")
        #expect(show.err.contains("opened read-only") && show.err.contains("nothing is shown"), "\(show.err)")
        #expect(!show.err.contains("SQLITE") && !show.err.contains("database error"))
        let list = try CLI.run(["case", "list", "--db", db])
        #expect(list.status == 4 && list.out.isEmpty)
        let fire = try CLI.run(["case", "fire", id, "plan-vastgesteld", "--note", "plan", "--db", db])
        #expect(fire.status == 4 && fire.err.contains("cannot be written"), "\(fire.err)")
        #expect(try CLI.run(["check", "--db", db]).status == 0)
        #expect(try CLI.run(["audit", "verify", "--db", db]).status == 0)
        let elsewhere = try CLI.temporaryFolder().appendingPathComponent("copy.db").path
        let backup = try CLI.run(["backup", elsewhere, "--db", db])
        #expect(backup.status == 0, "\(backup.err)")
        let restored = try CLI.temporaryFolder().appendingPathComponent("restored.db").path
        #expect(try CLI.run(["restore", elsewhere, "--db", restored]).status == 0)
        let shown = try CLI.run(["case", "show", id, "--db", restored])
        #expect(shown.status == 0 && shown.out.contains(id))
    }

    /// `regie init` on a full disk leaves nothing behind, and an empty file left by an earlier failure is replaced.
    @Test func initIsAtomic() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("new.db").path
        let full = Process()
        full.executableURL = URL(fileURLWithPath: "/bin/sh")
        full.arguments = ["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" init --db \"$1\"", CLI.binary, db]
        full.standardError = FileHandle.nullDevice
        full.standardOutput = FileHandle.nullDevice
        try full.run()
        full.waitUntilExit()
        #expect(full.terminationStatus == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("new.db") }.isEmpty)
        #expect(FileManager.default.createFile(atPath: db, contents: Data()))
        let again = try CLI.run(["init", "--db", db])
        #expect(again.status == 0 && again.out.hasPrefix("Created"), "\(again.out)\(again.err)")
        #expect(try CLI.run(["check", "--db", db]).status == 0)
    }

    /// On a simulated clock only a committed change moves the time: a read at --now, a refused command and a typo
    /// leave it where it was.
    @Test func onlyACommittedChangeMovesASimulatedClock() throws {
        let (db, id, _) = try Self.database(simulated: true)
        func clock() throws -> String? {
            try JSONParser.parse(try CLI.run(["clock", "show", "--db", db, "--json"]).out)["now"]?.stringValue
        }
        #expect(try CLI.run(["case", "show", id, "--db", db, "--now", "2028-01-01T09:00"]).status == 0)
        #expect(try CLI.run(["case", "fire", id, "bestaat-niet", "--db", db, "--now", "2028-01-01T09:00"]).status == 1)
        #expect(try CLI.run(["case", "fire", id, "plan-vastgesteld", "--db", db, "--now", "2028-01-01"]).status == 1)
        #expect(try CLI.run(["case", "show", "c-nergens", "--db", db, "--now", "2028-01-01T09:00"]).status == 3)
        #expect(try clock() == "2026-11-23T08:00:00.000Z")
        // A change at --now moves it, in the change's own transaction.
        let fired = try CLI.run([
            "case", "fire", id, "plan-vastgesteld", "--note", "plan", "--db", db, "--now", "2026-11-24T10:00",
        ])
        #expect(fired.status == 0, "\(fired.err)")
        #expect(try clock() == "2026-11-24T09:00:00.000Z")
        #expect(try CLI.run(["case", "show", id, "--db", db, "--now", "2026-11-24T09:00"]).status == 2)
    }

    /// An edited workflow that keeps its version number: new cases are refused, running cases are decided by the
    /// definition stored with them (the edit neither adds a requirement nor removes an event for them).
    @Test func aRunningCaseIsDecidedByItsStoredDefinition() throws {
        let dir = try CLI.temporaryFolder()
        let workflows = dir.appendingPathComponent("Workflows")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Workflows"), to: workflows)
        let env = ["REGIE_WORKFLOWS": workflows.path]
        let db = dir.appendingPathComponent("w.db").path
        #expect(try CLI.run(["init", "--db", db], environment: env).status == 0)
        let opened = try CLI.run(
            ["case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--json"],
            environment: env)
        let id = try #require(try JSONParser.parse(opened.out)["id"]?.stringValue)
        // Edit netwerkcasus.json in place: plan-vastgesteld now requires a motivation, terugval is gone.
        let file = workflows.appendingPathComponent("netwerkcasus.json")
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        edit.arguments = [
            "python3", "-c",
            """
            import json,sys
            w=json.load(open(sys.argv[1]))
            for t in w['transitions']:
                if t['event']=='plan-vastgesteld': t['requires']=t.get('requires',[])+['motivation']
            w['transitions']=[t for t in w['transitions'] if t['event']!='terugval']
            json.dump(w,open(sys.argv[1],'w'),indent=2)
            """,
            file.path,
        ]
        try edit.run()
        edit.waitUntilExit()
        let refused = try CLI.run(
            ["case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder"], environment: env)
        #expect(refused.status == 4 && refused.err.contains("higher \"version\""), "\(refused.err)")
        for (event, more) in [
            ("plan-vastgesteld", ["--note", "plan"]),
            ("afsluiten", ["--note", "klaar", "--field", "uitkomst=doel-bereikt", "--field", "nazorg=ja"]),
            ("terugval", ["--note", "weer dakloos"]),
        ] {
            let r = try CLI.run(["case", "fire", id, event, "--db", db] + more, environment: env)
            #expect(r.status == 0, "\(event): \(r.err)")
        }
    }
}

extension OperationsTests {
    /// The shipped systemd units pass `systemd-analyze verify` (with the built binary standing in for
    /// /usr/local/bin/regie), where systemd is installed.
    @Test func theSystemdUnitsVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return }
        let dir = try CLI.temporaryFolder()
        var units: [String] = []
        for name in ["regie.service", "regie-backup.service", "regie-backup.timer"] {
            let text = try String(
                contentsOf: CLI.root.appendingPathComponent("Config/systemd/\(name)"), encoding: .utf8
            ).replacingOccurrences(of: "/usr/local/bin/regie", with: CLI.binary)
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            units.append(path)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: analyze)
        p.arguments = ["verify"] + units
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && !text.contains("regie"), "\(text)")
    }
}
