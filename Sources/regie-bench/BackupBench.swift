import Foundation
import Synchronization
import RegieCore
import RegieEngine
import RegieStore

/// Copies of a live database: `VACUUM INTO` (what `regie backup` uses) against SQLite's online backup API stepping
/// in bounded pages, each while a writer commits progress one durable transaction at a time.
enum BackupBench {
    struct Figures {
        var cases = 0
        var megabytes = Double.nan
        /// `VACUUM INTO` alone, seconds.
        var vacuumSeconds = Double.nan
        /// `regie backup` as a whole (copy, flush, full check), seconds.
        var backupSeconds = Double.nan
        /// The writer's commits per second before and during the backup.
        var writerAlone = Double.nan
        var writerDuringBackup = Double.nan
        /// The backup API: whether it finished within its time, the seconds it ran and the steps it took.
        var pagesFinished = false
        var pagesSeconds = Double.nan
        var pagesSteps = 0
        var pagesLimit = 0.0
    }

    /// The writer thread's progress, and whether it should stop.
    final class Writer: Sendable {
        let state = Mutex<(stop: Bool, commits: Int)>((false, 0))
    }

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        var f = Figures()
        let setup = try BenchSetup()
        defer { setup.remove() }
        let engine = try setup.engine()
        f.cases = quick ? 10_000 : 100_000
        log("  opening \(f.cases) cases with some history ...")
        let ids = try openCases(engine, count: f.cases)
        let actor = Actor(partner: "gemeente-haarlem", role: .regiehouder)
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            _ = try engine.fire(
                batch: ids[chunk..<min(ids.count, chunk + 1000)].map {
                    Engine.BatchItem(
                        caseId: $0, command: CaseCommand(event: "voortgang", actor: actor, note: "voortgang gemeld"))
                })
        }
        f.megabytes =
            Double((try? FileManager.default.attributesOfItem(atPath: setup.database)[.size] as? Int) ?? 0) / 1e6

        // A steady writer: one durable commit after another, as `regie serve` under load.
        let writer = Writer()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var i = 0
            while !writer.state.withLock({ $0.stop }) {
                i += 1
                if (try? engine.fire(ids[i % ids.count], CaseCommand(event: "voortgang", actor: actor, note: "w")))
                    != nil
                {
                    writer.state.withLock { $0.commits += 1 }
                }
            }
            done.signal()
        }
        thread.start()
        func commits() -> Int { writer.state.withLock { $0.commits } }
        func rate(over seconds: Double) -> Double {
            let (c0, t0) = (commits(), monotonic())
            Thread.sleep(forTimeInterval: seconds)
            return Double(commits() - c0) / (monotonic() - t0)
        }
        f.writerAlone = rate(over: 2)

        log("  VACUUM INTO under steady writes ...")
        var t = monotonic()
        try Database(path: setup.database).vacuumInto(setup.folder.appendingPathComponent("vacuum.db").path)
        f.vacuumSeconds = monotonic() - t

        log("  regie backup (copy, flush, full check) under steady writes ...")
        let c0 = commits()
        t = monotonic()
        _ = try engine.backup(to: setup.folder.appendingPathComponent("backup.db").path, secret: .none)
        f.backupSeconds = monotonic() - t
        f.writerDuringBackup = Double(commits() - c0) / f.backupSeconds

        f.pagesLimit = quick ? 10 : 30
        log("  the online backup API, 100 pages a step, 1 ms apart, for at most \(Int(f.pagesLimit)) s ...")
        t = monotonic()
        let steps = try Database(path: setup.database).backupPages(
            to: setup.folder.appendingPathComponent("pages.db").path, pagesPerStep: 100, pauseMicroseconds: 1000,
            seconds: f.pagesLimit)
        f.pagesSeconds = monotonic() - t
        f.pagesFinished = steps.finished
        f.pagesSteps = steps.steps

        writer.state.withLock { $0.stop = true }
        done.wait()
        return f
    }
}
