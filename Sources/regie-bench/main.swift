import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// regie-bench: measures Regie's targets on this machine and prints them as a table (or one JSON object).
enum RegieBench {
    static func main() throws -> Int32 {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--child-scheduler" { return try childScheduler(Array(args.dropFirst())) }
        if args.contains("--help") {
            print("""
                regie-bench - measures Regie's performance targets (build with -c release)

                Usage: regie-bench [--quick] [--json]

                  --quick  a tenth of the sizes, in under a minute
                  --json   print one JSON object instead of the table
                Set REGIE_BENCH_DIR to put the temporary databases elsewhere than the system temp folder.
                """)
            return 0
        }
        let quick = args.contains("--quick")
        let json = args.contains("--json")
        let scale = quick ? 10 : 1
        func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

        // 1. Durable transitions, each its own committed transaction with synchronous=FULL.
        log("durable transitions, one transaction each ...")
        let durable: Double
        do {
            let setup = try BenchSetup()
            defer { setup.remove() }
            let engine = try setup.engine()
            let ids = try openCases(engine, count: 100)
            let n = 6000 / scale
            let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
            let start = monotonic()
            for i in 0..<n { _ = try engine.fire(ids[i % ids.count], CaseCommand(event: "voortgang", actor: actor, note: "x")) }
            durable = Double(n) / (monotonic() - start)
        }

        // 2. Group commit: commands handed to the engine 1,000 at a time; each group is decided on a read snapshot
        //    and written in one durable transaction, and every command is acknowledged only after that commit.
        log("group-committed transitions, 1,000 per commit ...")
        let group: Double
        let concurrent: Double
        do {
            let setup = try BenchSetup()
            defer { setup.remove() }
            let engine = try setup.engine()
            let ids = try openCases(engine, count: 1000)
            let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
            let n = 200_000 / scale
            let start = monotonic()
            for b in 0..<(n / 1000) {
                let items = (0..<1000).map { Engine.BatchItem(caseId: ids[($0 + b) % ids.count], command: CaseCommand(event: "voortgang", actor: actor, note: "x")) }
                for r in try engine.fire(batch: items) { _ = try r.get() }
            }
            group = Double(n) / (monotonic() - start)
            // For comparison: 64 threads each sending one command at a time, grouped by the committer as they come.
            log("transitions from 64 concurrent one-at-a-time submitters ...")
            let m = 50_000 / scale
            let elapsed = parallel(threads: 64, count: m) { _, i in
                _ = try? engine.fire(ids[i % ids.count], CaseCommand(event: "voortgang", actor: actor, note: "x"))
            }
            let committed = try engine.read { try $0.db.scalarInt("SELECT count(*) FROM events WHERE event='voortgang'") } ?? 0
            guard committed == Int64(n + m) else { log("only \(committed) of \(n + m) transitions committed"); return 1 }
            concurrent = Double(m) / elapsed
        }

        // 3. A million pending timers: start-up to first firing, scheduler memory, lateness at 10,000 due per second.
        let timerCount = 1_000_000 / scale
        log("opening \(timerCount) cases, each with a pending timer ...")
        let setup = try BenchSetup()
        defer { setup.remove() }
        var caseReadP99 = 0.0
        do {
            let engine = try setup.engine()
            let ids = try openCases(engine, count: timerCount, progress: true)
            // 4. Reading one case by id, with 100,000 cases (a tenth with --quick) in the database.
            var samples: [Double] = []
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<20_000 {
                let id = ids[Int.random(in: 0..<min(ids.count, 100_000 / scale), using: &rng)]
                let t = monotonic()
                _ = try engine.show(id)
                samples.append((monotonic() - t) * 1e6)
            }
            caseReadP99 = percentile(samples, 0.99)
        }
        // Make timers due at 10,000 per second for a few seconds, starting shortly after the child starts.
        let perSecond = 10_000 / scale
        let seconds = 5
        let firstDue = WallClock().now().milliseconds + 3000
        do {
            let store = try CaseStore(path: setup.database)
            try store.db.write {
                // 100 timers are overdue when the scheduler starts (they measure start-up); then a steady stream.
                try store.db.run("UPDATE timers SET due_at = ?1 WHERE id <= 100", [.int(firstDue - 4000)])
                try store.db.run("UPDATE timers SET due_at = ?1 + ((id - 101) * 1000) / ?2 WHERE id > 100 AND id <= ?3", [.int(firstDue), .int(Int64(perSecond)), .int(Int64(perSecond * seconds + 100))])
            }
        }
        log("starting a scheduler process on \(timerCount) pending timers ...")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        child.arguments = ["--child-scheduler", setup.database, setup.workflows, String(perSecond * seconds + 100), String(firstDue + Int64(seconds * 1000))]
        let out = Pipe()
        child.standardOutput = out
        let spawned = monotonic()
        try child.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard let result = try? JSONParser.parse(Array(data)) else { log("the scheduler process failed"); return 1 }
        let startupToFirst = (result["firstFiredAt"].flatMap { v -> Double? in if case .double(let d) = v { return d } else { return v.intValue.map(Double.init) } } ?? .nan) - spawned
        let rss = result["rssMB"].flatMap { v -> Double? in if case .double(let d) = v { return d } else { return v.intValue.map(Double.init) } } ?? .nan
        var lateness: [Double] = []
        do {
            let store = try CaseStore(path: setup.database)
            lateness = try store.db.integers("SELECT lateness_ms FROM timer_firings WHERE timer_id > 100").map { Double($0) / 1000 }
        }
        let fired = lateness.count
        let latenessP99 = percentile(lateness, 0.99)

        let rows: [(String, String, Double, String, Bool)] = [
            ("durable_transitions_per_s", "durable transitions/s (one fsync'd commit each)", durable, ">= 3000", durable >= 3000),
            ("group_commit_transitions_per_s", "group-committed transitions/s (1,000 per commit)", group, ">= 50000", group >= 50000),
            ("concurrent_transitions_per_s", "transitions/s, 64 one-at-a-time submitters", concurrent, "(info)", true),
            ("timers_startup_s", "start-up to first fired timer, s (\(timerCount) pending)", startupToFirst, "<= 2", startupToFirst <= 2),
            ("timers_rss_mb", "scheduler peak resident memory, MB", rss, "<= 150", rss <= 150),
            ("timer_lateness_p99_s", "firing lateness p99, s (\(perSecond)/s due, \(fired) fired)", latenessP99, "<= 1", latenessP99 <= 1),
            ("case_read_p99_us", "read one case by id p99, us (\(min(timerCount, 100_000 / scale)) cases)", caseReadP99, "<= 200", caseReadP99 <= 200),
        ]
        if json {
            var o = JSONObject(rows.map { JSONObject.Member(key: $0.0, value: .double(($0.2 * 1000).rounded() / 1000)) })
            o["quick"] = .bool(quick)
            o["timers_fired"] = .int(Int64(fired))
            print(JSONValue.object(o).prettyText)
        } else {
            print("regie-bench\(quick ? " --quick (a tenth of the sizes)" : "")  [\(ProcessInfo.processInfo.activeProcessorCount) cores]")
            let width = rows.map(\.1.count).max() ?? 0
            for r in rows {
                print("  " + r.1.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(format: "%12.3f", r.2) + "  target " + r.3.padding(toLength: 9, withPad: " ", startingAt: 0) + (r.4 ? "  ok" : "  MISSED"))
            }
        }
        return 0
    }

    /// The scheduler process: opens the engine, fires what is due as a scheduler would, reports as JSON.
    static func childScheduler(_ args: [String]) throws -> Int32 {
        guard args.count == 4, let expected = Int(args[2]), let lastWindow = Int64(args[3]) else { return 2 }
        let setup = (database: args[0], workflows: args[1])
        let engine = try Engine(databasePath: setup.database, catalog: try WorkflowCatalog(folder: setup.workflows), config: RegionConfig(), clock: WallClock(), pseudonymizer: nil)
        let scheduler = try Scheduler(engine: engine)
        final class State: @unchecked Sendable {
            var first: Double?
            var fired = 0
        }
        let state = State()
        let deadline = Double(lastWindow) / 1000 + Double(expected) / 10_000 + 15
        Thread.detachNewThread {
            while Date().timeIntervalSince1970 < deadline && state.fired < expected { Thread.sleep(forTimeInterval: 0.05) }
            scheduler.stop()
        }
        try scheduler.run { report in
            if state.first == nil { state.first = monotonic() }
            state.fired += report.fired
        }
        print(JSONValue.object(JSONObject(pairs: ["firstFiredAt": .double(state.first ?? .nan), "fired": .int(Int64(state.fired)), "rssMB": .double(peakRSSMegabytes())])).compactText)
        return 0
    }
}

do {
    exit(try RegieBench.main())
} catch {
    FileHandle.standardError.write(Data("regie-bench: \(error)\n".utf8))
    exit(4)
}
