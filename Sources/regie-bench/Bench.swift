import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// The benchmark workflow: one state timer per case and a progress event that restarts it.
let benchWorkflow = """
    {
      "name": "bench",
      "version": 1,
      "states": [
        {"name": "open", "initial": true, "timers": [{"name": "termijn", "after": "P365D", "fires": "verlopen"}]},
        {"name": "dicht", "final": true}
      ],
      "transitions": [
        {"event": "voortgang", "from": ["open"], "to": "open", "roles": ["regiehouder"], "requires": ["note"]},
        {"event": "verlopen", "from": ["open"], "roles": ["systeem"], "effects": [{"raiseLevel": true}]},
        {"event": "sluiten", "from": ["open"], "to": "dicht", "roles": ["regiehouder"]},
        {"event": "gemeld", "from": ["open"], "roles": ["regiehouder"], "requires": ["note"],
         "effects": [{"notify": {"topic": "case.progress", "to": ["regiehouder"]}}]}
      ]
    }
    """

/// The real time.
struct WallClock: Clock {
    func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}

/// Monotonic seconds.
func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident memory of this process in MB.
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kb / 1024
    }
    return 0
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// A folder with the benchmark workflow and an engine factory.
struct BenchSetup {
    let folder: URL
    var workflows: String { folder.appendingPathComponent("Workflows").path }
    var database: String { folder.appendingPathComponent("bench.db").path }

    init() throws {
        let base =
            ProcessInfo.processInfo.environment["REGIE_BENCH_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
        folder = base.appendingPathComponent("regie-bench-\(getpid())-\(Int(monotonic() * 1000))")
        try FileManager.default.createDirectory(
            atPath: folder.appendingPathComponent("Workflows").path, withIntermediateDirectories: true)
        try Data(benchWorkflow.utf8).write(to: URL(fileURLWithPath: workflows).appendingPathComponent("bench.json"))
    }

    func engine(path: String? = nil) throws -> Engine {
        let db = path ?? database
        if !FileManager.default.fileExists(atPath: db) {
            _ = try CaseStore.create(path: db, simulatedClock: false, now: WallClock().now())
        }
        return try Engine(
            databasePath: db, catalog: try WorkflowCatalog(folder: workflows), config: RegionConfig(),
            clock: WallClock(), pseudonymizer: nil)
    }

    /// Removes the folder, unless REGIE_BENCH_KEEP is set (to look at the databases afterwards).
    func remove() {
        if ProcessInfo.processInfo.environment["REGIE_BENCH_KEEP"] != nil {
            FileHandle.standardError.write(Data("kept \(folder.path)\n".utf8))
            return
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Runs `work(thread, index)` for `count` items spread over `threads` threads; returns elapsed seconds.
func parallel(threads: Int, count: Int, _ work: @escaping @Sendable (Int, Int) -> Void) -> Double {
    let group = DispatchGroup()
    let start = monotonic()
    for t in 0..<threads {
        group.enter()
        let thread = Thread {
            var i = t
            while i < count {
                work(t, i)
                i += threads
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    return monotonic() - start
}

/// Opens `count` cases in batches of 1,000 (one durable commit each); returns their ids.
func openCases(_ engine: Engine, count: Int, progress: Bool = false) throws -> [String] {
    var ids: [String] = []
    ids.reserveCapacity(count)
    let step = max(1000, count / 10)
    while ids.count < count {
        let n = min(1000, count - ids.count)
        let results = try engine.open(
            batch: Array(repeating: Engine.OpenRequest(workflow: "bench", regie: "gemeente-haarlem"), count: n))
        for r in results { ids.append(try r.get().record?.id ?? "") }
        if progress && ids.count % step == 0 {
            FileHandle.standardError.write(Data("  opened \(ids.count)/\(count) cases\n".utf8))
        }
    }
    return ids
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
