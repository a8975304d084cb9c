import Foundation
import Synchronization
import RegieCore
import RegieEngine
import RegieStore

/// regie-bench: measures Regie's targets on this machine and prints them as a table (or one JSON object).
enum RegieBench {
    static func main() throws -> Int32 {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--child-scheduler" { return try childScheduler(Array(args.dropFirst())) }
        if args.contains("--help") {
            print(
                """
                regie-bench - measures Regie's performance targets (build with -c release)

                Usage: regie-bench [--quick] [--json]

                  --quick        a tenth of the sizes, in under a minute
                  --json         print one JSON object instead of the table
                  --only PHASE   run one phase: durable, group, timers (includes the case reads), http, web, report
                                 (the partner API under wrk, beside nginx; `scripts/setup --bench` installs both)
                                 or webhooks (delivery to a receiver on loopback), or backup (copies of a
                                 live database: VACUUM INTO against the online backup API), or password
                                 (the cost of hashing a password with scrypt at the work factors a login may use),
                                 or login (logging in to the workspace over HTTP: password and code), or web
                                 (Mijn werk, Escalaties and case pages over HTTP with 100,000 cases; run it from
                                 the repository: it serves the shipped Config/ and Workflows/)
                Set REGIE_BENCH_DIR to put the temporary databases elsewhere, REGIE_BENCH_KEEP=1 to keep them.
                """)
            return 0
        }
        let quick = args.contains("--quick")
        var only: String?
        if let i = args.firstIndex(of: "--only"), i + 1 < args.count { only = args[i + 1] }
        func runs(_ phase: String) -> Bool { only == nil || only == phase }
        let json = args.contains("--json")
        let scale = quick ? 10 : 1
        func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

        // 1. Durable transitions, each its own committed transaction with synchronous=FULL.
        log("durable transitions, one transaction each ...")
        var durable = Double.nan
        if runs("durable") {
            let setup = try BenchSetup()
            defer { setup.remove() }
            let engine = try setup.engine()
            let ids = try openCases(engine, count: 100)
            let n = 6000 / scale
            let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
            let start = monotonic()
            for i in 0..<n {
                _ = try engine.fire(ids[i % ids.count], CaseCommand(event: "voortgang", actor: actor, note: "x"))
            }
            durable = Double(n) / (monotonic() - start)
        }

        // 2. Group commit: commands handed to the engine 1,000 at a time; each group is decided on a read snapshot
        //    and written in one durable transaction, and every command is acknowledged only after that commit.
        log("group-committed transitions, 1,000 per commit, two callers ...")
        var group = Double.nan
        var concurrent = Double.nan
        if runs("group") {
            let setup = try BenchSetup()
            defer { setup.remove() }
            let engine = try setup.engine()
            // 10,000 open cases; two callers each hand over 1,000 commands at a time, so that one group is decided
            // on a snapshot while the other is written.
            let ids = try openCases(engine, count: 10_000)
            let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
            let n = 200_000 / scale
            let start = monotonic()
            _ = parallel(threads: 2, count: n / 1000) { _, b in
                let items = (0..<1000).map {
                    Engine.BatchItem(
                        caseId: ids[($0 + b * 1000) % ids.count],
                        command: CaseCommand(event: "voortgang", actor: actor, note: "x"))
                }
                _ = try? engine.fire(batch: items)
            }
            group = Double(n) / (monotonic() - start)
            // For comparison: 64 threads each sending one command at a time, grouped by the committer as they come.
            log("transitions from 64 concurrent one-at-a-time submitters ...")
            let m = 50_000 / scale
            let elapsed = parallel(threads: 64, count: m) { _, i in
                _ = try? engine.fire(ids[i % ids.count], CaseCommand(event: "voortgang", actor: actor, note: "x"))
            }
            let committed =
                try engine.read { try $0.db.scalarInt("SELECT count(*) FROM events WHERE event='voortgang'") } ?? 0
            guard committed == Int64(n + m) else {
                log("only \(committed) of \(n + m) transitions committed"); return 1
            }
            concurrent = Double(m) / elapsed
        }

        let timerCount = 1_000_000 / scale
        let perSecond = 10_000 / scale
        var t = TimerFigures()
        if runs("timers") {
            t = try timerPhase(
                timerCount: timerCount, perSecond: perSecond, readCases: min(timerCount, 100_000 / scale), log: log)
        }
        let (startupToFirst, rss, latenessP99, fired, caseReadP99) = (
            t.startup, t.rss, t.latenessP99, t.fired, t.caseReadP99
        )

        var http = HTTPBench.Figures()
        if runs("http") {
            log("partner API over HTTP ...")
            http = try HTTPBench.measure(quick: quick, log: log)
            if let why = http.skipped { log("http skipped: \(why)") }
        }
        var hooks = WebhookBench.Figures()
        if runs("webhooks") {
            log("webhook deliveries ...")
            hooks = try WebhookBench.measure(quick: quick, log: log)
        }
        var copies = BackupBench.Figures()
        if runs("backup") {
            log("backups of a live database ...")
            copies = try BackupBench.measure(quick: quick, log: log)
        }
        var scryptMs: [(n: UInt64, ms: Double)] = []
        if runs("password") {
            log("password hashing (scrypt, r=8, p=1) ...")
            scryptMs = try PasswordBench.measure(quick: quick)
        }
        var logins = LoginBench.Figures()
        if runs("login") {
            log("logins to the workspace ...")
            logins = try LoginBench.measure(quick: quick, log: log)
        }
        var web = WebBench.Figures()
        if runs("web") {
            log("the workspace's pages ...")
            web = try WebBench.measure(quick: quick, log: log)
        }
        var report = ReportBench.Figures()
        if runs("report") {
            log("the monitor's reports on a big history ...")
            report = try ReportBench.measure(quick: quick, log: log)
        }
        let ratio = http.regieRate / http.nginxRate
        let idleCost = http.idleWithConnectionsMB - http.idleBaselineMB

        var rows: [(String, String, Double, String, Bool)] = [
            (
                "durable_transitions_per_s", "durable transitions/s (one fsync'd commit each)", durable, ">= 3000",
                durable >= 3000
            ),
            (
                "group_commit_transitions_per_s", "group-committed transitions/s (1,000 per commit, 2 callers)", group,
                ">= 50000",
                group >= 50000
            ),
            ("concurrent_transitions_per_s", "transitions/s, 64 one-at-a-time submitters", concurrent, "(info)", true),
            (
                "timers_startup_s", "start-up to first fired timer, s (\(timerCount) pending)", startupToFirst, "<= 2",
                startupToFirst <= 2
            ),
            ("timers_rss_mb", "scheduler peak resident memory, MB", rss, "<= 150", rss <= 150),
            (
                "timer_lateness_p99_s", "firing lateness p99, s (\(perSecond)/s due, \(fired) fired)", latenessP99,
                "<= 1", latenessP99 <= 1
            ),
            (
                "timers_random_order_fired_per_s", "firings/s, due in an order unrelated to opening",
                t.randomOrderPerSecond, "(info)", true
            ),
            (
                "case_read_p99_us", "read one case by id p99, us (\(min(timerCount, 100_000 / scale)) cases)",
                caseReadP99, "<= 200", caseReadP99 <= 200
            ),
        ]
        rows += [
            (
                "http_case_status_per_s", "API: one case's status, req/s (64 keep-alive, \(http.audited) audited)",
                http.regieRate, ">= 10000", http.regieRate >= 10000
            ),
            ("http_case_status_p99_ms", "API: p99 latency, ms", http.regieP99ms, "<= 10", http.regieP99ms <= 10),
            ("http_nginx_static_per_s", "nginx: same-size static file, req/s", http.nginxRate, "(info)", true),
            ("http_nginx_static_p99_ms", "nginx: p99 latency, ms", http.nginxP99ms, "(info)", true),
            ("http_ratio_to_nginx", "API req/s divided by nginx req/s", ratio, ">= 0.5", ratio >= 0.5),
            (
                "http_idle_rss_mb", "serve RSS with 1,000 idle keep-alive connections, MB", http.idleWithConnectionsMB,
                "(info)", true
            ),
            ("http_idle_cost_mb", "of which the 1,000 connections, MB", idleCost, "<= 64", idleCost <= 64),
            (
                "webhook_deliveries_per_s", "webhooks: signed deliveries/s to loopback (\(hooks.delivered) sent)",
                hooks.deliveriesPerSecond, ">= 1000", hooks.deliveriesPerSecond >= 1000
            ),
            (
                "webhook_load_transitions_per_s", "webhooks: transitions/s during the latency run",
                hooks.transitionsPerSecond, "(info)", true
            ),
            (
                "webhook_commit_to_receipt_p50_ms", "webhooks: commit to receipt p50, ms", hooks.latencyP50ms, "(info)",
                true
            ),
            (
                "webhook_commit_to_receipt_p99_ms",
                "webhooks: commit to receipt p99, ms (\(hooks.measured) notifications)", hooks.latencyP99ms,
                "<= 250", hooks.latencyP99ms <= 250
            ),
            (
                "backup_vacuum_into_s",
                "backup: VACUUM INTO of \(copies.cases) cases (\(Int(copies.megabytes.isNaN ? 0 : copies.megabytes)) MB) under writes, s",
                copies.vacuumSeconds, "(info)", true
            ),
            (
                "backup_total_s", "backup: regie backup as a whole (copy, flush, full check), s", copies.backupSeconds,
                "<= 60", copies.backupSeconds <= 60
            ),
            (
                "backup_writer_alone_per_s", "backup: the writer's durable commits/s before", copies.writerAlone,
                "(info)", true
            ),
            (
                "backup_writer_during_per_s", "backup: the writer's durable commits/s during regie backup",
                copies.writerDuringBackup, ">= 0.5x", copies.writerDuringBackup >= copies.writerAlone / 2
            ),
            (
                "backup_pages_api_s",
                copies.pagesFinished
                    ? "backup: online backup API (100 pages/step) finished in, s (\(copies.pagesSteps) steps)"
                    : "backup: online backup API (100 pages/step) NOT finished after, s (\(copies.pagesSteps) steps)",
                copies.pagesSeconds, "(info)", true
            ),
        ]
        rows += [
            (
                "login_password_p99_ms",
                "login: the password step (scrypt N=2^15) over HTTP, p99 ms (p50 \(logins.passwordP50ms.isNaN ? "-" : String(Int(logins.passwordP50ms.rounded()))))",
                logins.passwordP99ms, "(info)", true
            ),
            (
                "login_p99_ms",
                "login: form, password, code page and code over HTTP, p99 ms (p50 \(logins.loginP50ms.isNaN ? "-" : String(Int(logins.loginP50ms.rounded()))))",
                logins.loginP99ms, "(info)", true
            ),
            ("logins_per_s", "login: whole logins/s, two browsers at a time", logins.perSecond, "(info)", true),
            (
                "web_mijn_werk_p99_ms",
                "web: Mijn werk, p99 ms (\(web.visible) of \(web.cases) cases visible; p50 \(web.workP50ms.isNaN ? "-" : String(format: "%.1f", web.workP50ms)))",
                web.workP99ms, "<= 50", web.workP99ms <= 50
            ),
            (
                "web_escalaties_p99_ms",
                "web: Escalaties, p99 ms (p50 \(web.boardP50ms.isNaN ? "-" : String(format: "%.1f", web.boardP50ms)))",
                web.boardP99ms, "<= 50", web.boardP99ms <= 50
            ),
            (
                "web_case_page_p99_ms",
                "web: a case page, p99 ms (p50 \(web.caseP50ms.isNaN ? "-" : String(format: "%.1f", web.caseP50ms)))",
                web.caseP99ms, "<= 20", web.caseP99ms <= 20
            ),
            (
                "web_views_audited", "web: views written to the access log (of \(web.views) views)",
                web.views == 0 ? .nan : Double(web.audited),
                "all", web.audited >= web.views
            ),
        ]
        rows += [
            (
                "report_region_month_ms",
                "report: the region per month over 5 years, median ms (\(report.cases) cases, \(report.transitions) transitions, \(report.countRows) count rows)",
                report.regionMonthMs, "<= 2000", report.regionMonthMs <= 2000
            ),
            (
                "report_region_quarter_ms", "report: the region per quarter over 5 years, median ms",
                report.regionQuarterMs, "<= 2000", report.regionQuarterMs <= 2000
            ),
            (
                "report_municipality_ms", "report: one municipality per month over 5 years, median ms",
                report.municipalityMs, "<= 2000", report.municipalityMs <= 2000
            ),
        ]
        for (n, ms) in scryptMs {
            let mib = 128 * n * 8 / (1 << 20)
            rows.append(
                (
                    "scrypt_n\(n)_ms", "password: scrypt N=\(n), r=8, p=1 (\(mib) MiB), median ms", ms, "(info)",
                    true
                ))
        }
        if only != nil { rows.removeAll { $0.2.isNaN } }
        if json {
            var o = JSONObject(
                rows.map {
                    JSONObject.Member(key: $0.0, value: $0.2.isNaN ? .null : .double(($0.2 * 1000).rounded() / 1000))
                })
            o["quick"] = .bool(quick)
            o["timers_fired"] = .int(Int64(fired))
            print(JSONValue.object(o).prettyText)
        } else {
            print(
                "regie-bench\(quick ? " --quick (a tenth of the sizes)" : "")  [\(ProcessInfo.processInfo.activeProcessorCount) cores]"
            )
            let width = rows.map(\.1.count).max() ?? 0
            for r in rows {
                let value = r.2.isNaN ? "not run".leftPadded(12) : String(format: "%12.3f", r.2)
                let verdict = r.2.isNaN ? "" : r.4 ? "  ok" : "  MISSED"
                print(
                    "  " + r.1.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value + "  target "
                        + r.3.padding(toLength: 9, withPad: " ", startingAt: 0) + verdict)
            }
        }
        return 0
    }

    /// What the timer phase measured.
    struct TimerFigures {
        var startup = Double.nan
        var rss = Double.nan
        var latenessP99 = Double.nan
        var fired = 0
        var caseReadP99 = Double.nan
        var randomOrderPerSecond = Double.nan
    }

    /// A million pending timers (a tenth with --quick): start-up to the first firing and peak memory of a scheduler
    /// process, firing lateness with `perSecond` timers due each second, and reading one case by id.
    static func timerPhase(timerCount: Int, perSecond: Int, readCases: Int, log: (String) -> Void) throws
        -> TimerFigures
    {
        // 3. A million pending timers: start-up to first firing, scheduler memory, lateness at 10,000 due per second.
        log("opening \(timerCount) cases, each with a pending timer ...")
        let setup = try BenchSetup()
        defer { setup.remove() }
        var figures = TimerFigures()
        do {
            let engine = try setup.engine()
            let ids = try openCases(engine, count: timerCount, progress: true)
            // 4. Reading one case by id, with 100,000 cases (a tenth with --quick) in the database.
            var samples: [Double] = []
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<20_000 {
                let id = ids[Int.random(in: 0..<readCases, using: &rng)]
                let t = monotonic()
                _ = try engine.show(id)
                samples.append((monotonic() - t) * 1e6)
            }
            figures.caseReadP99 = percentile(samples, 0.99)
        }
        // Make timers due at 10,000 per second for a few seconds, starting shortly after the child starts.
        let seconds = 5
        let firstDue = WallClock().now().milliseconds + 3000
        do {
            let store = try CaseStore(path: setup.database)
            try store.db.write {
                // 100 timers are overdue when the scheduler starts (they measure start-up); then a steady stream.
                try store.db.run("UPDATE timers SET due_at = ?1 WHERE id <= 100", [.int(firstDue - 4000)])
                try store.db.run(
                    "UPDATE timers SET due_at = ?1 + ((id - 101) * 1000) / ?2 WHERE id > 100 AND id <= ?3",
                    [.int(firstDue), .int(Int64(perSecond)), .int(Int64(perSecond * seconds + 100))])
            }
        }
        log("starting a scheduler process on \(timerCount) pending timers ...")
        let child = Process()
        child.executableURL = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        child.arguments = [
            "--child-scheduler", setup.database, setup.workflows, String(perSecond * seconds + 100),
            String(firstDue + Int64(seconds * 1000)),
        ]
        let out = Pipe()
        child.standardOutput = out
        let spawned = monotonic()
        try child.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard let result = try? JSONParser.parse(Array(data)) else {
            throw BenchError(description: "the scheduler process failed")
        }
        figures.startup =
            (result["firstFiredAt"].flatMap { v -> Double? in
                if case .double(let d) = v { return d } else { return v.intValue.map(Double.init) }
            } ?? .nan) - spawned
        figures.rss =
            result["rssMB"].flatMap { v -> Double? in
                if case .double(let d) = v { return d } else { return v.intValue.map(Double.init) }
            } ?? .nan
        // Lateness is measured by the scheduler, from each timer's due time until its firing was durable.
        figures.fired = Int(result["steady"]?.intValue ?? 0)
        if case .double(let p99)? = result["latenessP99"] { figures.latenessP99 = p99 }

        // The worst case for locality: timers overdue in an order unrelated to when their cases were opened.
        let randomCount = perSecond * 2
        let armedAt = WallClock().now().milliseconds
        do {
            let store = try CaseStore(path: setup.database)
            try store.db.write {
                try store.db.run(
                    "UPDATE timers SET due_at = ?1 WHERE id IN (SELECT id FROM timers WHERE due_at > ?2 ORDER BY random() LIMIT ?3)",
                    [.int(armedAt - 1000), .int(armedAt + 60_000), .int(Int64(randomCount))])
            }
        }
        log("firing \(randomCount) overdue timers in random order ...")
        let second = Process()
        second.executableURL = child.executableURL
        second.arguments = ["--child-scheduler", setup.database, setup.workflows, String(randomCount), String(armedAt)]
        let secondOut = Pipe()
        second.standardOutput = secondOut
        try second.run()
        let secondData = secondOut.fileHandleForReading.readDataToEndOfFile()
        second.waitUntilExit()
        if let r = try? JSONParser.parse(Array(secondData)), case .double(let first)? = r["runStartedAt"],
            case .double(let last)? = r["lastFiredAt"], last > first
        {
            figures.randomOrderPerSecond = Double(randomCount) / (last - first + 0.001)
        }
        return figures
    }

    /// The scheduler process: opens the engine, fires what is due as a scheduler would, reports as JSON.
    static func childScheduler(_ args: [String]) throws -> Int32 {
        guard args.count == 4, let expected = Int(args[2]), let lastWindow = Int64(args[3]) else { return 2 }
        let setup = (database: args[0], workflows: args[1])
        let engine = try Engine(
            databasePath: setup.database, catalog: try WorkflowCatalog(folder: setup.workflows), config: RegionConfig(),
            clock: WallClock(), pseudonymizer: nil)
        let scheduler = try Scheduler(engine: engine)
        struct Firings: Sendable {
            var first: Double?
            var fired = 0
            var lateness: [Int64] = []
            var last: Double?
        }
        final class State: Sendable { let firings = Mutex(Firings()) }
        let shared = State()
        let deadline = Double(lastWindow) / 1000 + Double(expected) / 10_000 + 15
        Thread.detachNewThread {
            while Date().timeIntervalSince1970 < deadline && shared.firings.withLock({ $0.fired }) < expected {
                Thread.sleep(forTimeInterval: 0.05)
            }
            scheduler.stop()
        }
        let runStarted = monotonic()
        try scheduler.run { report in
            shared.firings.withLock { state in
                if state.first == nil { state.first = monotonic() }
                state.fired += report.fired
                state.lateness += report.latenessMs
                state.last = monotonic()
            }
        }
        let state = shared.firings.withLock { $0 }
        // The first 100 timers were overdue on purpose (they measure start-up); lateness is about the steady stream.
        let steady = state.lateness.dropFirst(100).map { Double($0) / 1000 }
        print(
            JSONValue.object(
                JSONObject(pairs: [
                    "firstFiredAt": .double(state.first ?? .nan), "lastFiredAt": .double(state.last ?? .nan),
                    "runStartedAt": .double(runStarted),
                    "fired": .int(Int64(state.fired)),
                    "rssMB": .double(peakRSSMegabytes()), "latenessP99": .double(percentile(steady, 0.99)),
                    "steady": .int(Int64(steady.count)),
                ])
            ).compactText)
        return 0
    }
}

do {
    exit(try RegieBench.main())
} catch {
    FileHandle.standardError.write(Data("regie-bench: \(error)\n".utf8))
    exit(4)
}
