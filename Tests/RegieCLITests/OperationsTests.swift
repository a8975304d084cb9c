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

        // Progress notes until the disk is full.
        var failed = false
        for n in 0..<600 where !failed {
            let r = try CLI.http(
                [
                    "-X", "POST", "\(server.base)/v1/cases/\(id)/events", "-H", "Content-Type: application/json", "-d",
                    #"{"event":"voortgang","note":"\#(String(repeating: "n", count: 3000)) \#(n)"}"#,
                ] + auth)
            failed = r.status >= 500
        }
        #expect(failed, "the disk never filled")
        Thread.sleep(forTimeInterval: 1.1)
        let read = try CLI.http(["\(server.base)/v1/cases/\(id)"] + auth)
        #expect(read.status == 500, "a case read whose access cannot be logged is withheld: \(read.status)")
        let health = try CLI.http(["\(server.base)/v1/health"])
        #expect(health.status == 503, "\(health.body)")
        let body = try JSONParser.parse(health.body)
        #expect(body["ready"] == .bool(false) && body["live"] == .bool(true))
        #expect(body["reason"]?.stringValue?.contains("no access record can be written") == true)
        #expect(body["checks"]?["write"]?.stringValue?.contains("is full") == true, "\(health.body)")
        let live = try CLI.http(["\(server.base)/v1/health/live"])
        #expect(live.status == 200 && live.body.contains(#""live":true"#))
    }
}
