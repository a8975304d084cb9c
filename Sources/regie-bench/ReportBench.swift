import Foundation
import RegieCore
import RegieEngine
import RegieStore
import Synchronization

/// The monitor on a big history: the shipped region with 1,000,000 network cases over five years in its eight
/// municipalities, each opened, planned and closed (one in ten also raised and lowered a level) through the engine's
/// batch paths on a clock that moves month by month, so that every count is derived and written as in production.
/// Then reports over the whole history: the region per month and per quarter, and one municipality.
enum ReportBench {
    /// A clock the bench moves.
    final class MovingClock: Clock {
        let current: Mutex<Instant>
        init(_ start: Instant) { current = Mutex(start) }
        func now() -> Instant { current.withLock { $0 } }
        func set(_ t: Instant) { current.withLock { $0 = t } }
    }

    struct Figures {
        var cases = 0
        var transitions = 0
        var countRows = 0
        var regionMonthMs = Double.nan
        var regionQuarterMs = Double.nan
        var municipalityMs = Double.nan
        var buildSeconds = Double.nan
    }

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        let root = FileManager.default.currentDirectoryPath
        func read(_ name: String) -> (bytes: [UInt8], file: String)? {
            let path = root + "/Config/" + name
            return FileManager.default.contents(atPath: path).map { (Array($0), path) }
        }
        guard FileManager.default.fileExists(atPath: root + "/Config/region.json") else {
            throw BenchError(
                description: "run regie-bench --only report from the repository (it reads Config/ and Workflows/)")
        }
        let config = try RegionConfig.load(region: read("region.json"), partners: read("partners.json"))
        let cal = config.calendar
        let setup = try BenchSetup()
        defer { setup.remove() }
        let start = LocalDate(year: 2021, month: 1, day: 4)
        let clock = MovingClock(cal.instant(of: start, secondOfDay: 9 * 3600))
        _ = try CaseStore.create(path: setup.database, simulatedClock: false, now: clock.now())
        let engine = try Engine(
            databasePath: setup.database, catalog: try WorkflowCatalog(folder: root + "/Workflows"), config: config,
            clock: clock, pseudonymizer: try Pseudonymizer(secret: Array("bench-secret-of-sufficient-length".utf8)))

        var figures = Figures()
        let total = quick ? 100_000 : 1_000_000
        let months = 60
        let perMonth = total / months
        let gemeenten = config.partners.filter { $0.kind == "gemeente" }.map(\.id).sorted()
        let providers = ["bw-aanbieder", "ggz-aanbieder", "verslavingszorg", "mo-aanbieder", "sociaal-wijkteam"]
        let outcomes = ["doel-bereikt", "overgedragen-regulier", "verhuisd", "geen-medewerking", "overig"]
        log("  \(total) network cases over \(months) months, each opened, planned and closed through the engine ...")
        let built = monotonic()
        var cohorts: [[(id: String, regie: String, gemeente: String)]] = []
        func day(_ month: Int, _ offset: Int) -> Instant {
            var d = LocalDate(year: 2021 + month / 12, month: month % 12 + 1, day: 1)
            d = cal.addingWorkingDays(offset, to: cal.workingDayOnOrAfter(d))
            return cal.instant(of: d, secondOfDay: 10 * 3600)
        }
        typealias Case = (id: String, regie: String, gemeente: String)
        /// Fires at `at` the command `make` gives for each case, a thousand per batch.
        func fire(_ cases: [Case], at: Instant, _ make: (Int, Case) -> CaseCommand) throws {
            clock.set(max(clock.now(), at))
            let items = cases.enumerated().map {
                Engine.BatchItem(caseId: $0.element.id, command: make($0.offset, $0.element))
            }
            for chunk in stride(from: 0, to: items.count, by: 1000) {
                for r in try engine.fire(batch: Array(items[chunk..<min(items.count, chunk + 1000)])) {
                    _ = try r.get()
                }
                figures.transitions += min(1000, items.count - chunk)
            }
        }
        for month in 0..<(months + 2) {
            if month < months {
                clock.set(max(clock.now(), day(month, 0)))
                var cohort: [(id: String, regie: String, gemeente: String)] = []
                for chunk in stride(from: 0, to: perMonth, by: 1000) {
                    let requests = (chunk..<min(perMonth, chunk + 1000)).map { i -> Engine.OpenRequest in
                        let k = month * perMonth + i
                        let regie = providers[k % providers.count]
                        let opener = k % 7 == 0 ? "brede-centrale-toegang" : regie
                        return Engine.OpenRequest(
                            workflow: "netwerkcasus", regie: regie,
                            actor: Actor(partner: opener, role: opener == regie ? .regiehouder : .betrokken),
                            municipality: gemeenten[(k / 3) % gemeenten.count])
                    }
                    for (request, result) in zip(requests, try engine.open(batch: requests)) {
                        cohort.append((try result.get().record?.id ?? "", request.regie, request.municipality ?? ""))
                    }
                    figures.transitions += requests.count
                }
                cohorts.append(cohort)
                try fire(cohort, at: day(month, 5)) { _, c in
                    CaseCommand(
                        event: "plan-vastgesteld", actor: Actor(partner: c.regie, role: .regiehouder), note: "plan")
                }
                let raised = cohort.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
                try fire(raised, at: day(month, 8)) { _, c in
                    CaseCommand(
                        event: "opschalen", actor: Actor(partner: c.regie, role: .regiehouder), motivation: "vast",
                        fields: ["vraag": "wie?"])
                }
                try fire(raised, at: day(month, 12)) { _, c in
                    CaseCommand(
                        event: "afschalen", actor: Actor(partner: c.gemeente, role: .procesregisseur),
                        motivation: "belegd")
                }
            }
            // The cohort of two months ago closes.
            if month >= 2 {
                try fire(cohorts[month - 2], at: day(month, 3)) { i, c in
                    CaseCommand(
                        event: "afsluiten", actor: Actor(partner: c.regie, role: .regiehouder), note: "klaar",
                        fields: ["uitkomst": outcomes[i % outcomes.count], "nazorg": i % 2 == 0 ? "ja" : "nee"])
                }
                cohorts[month - 2] = []
            }
            if month % 12 == 11 { log("    \(month + 1) months, \(figures.transitions) transitions") }
        }
        figures.cases = total
        figures.buildSeconds = monotonic() - built
        figures.countRows = try engine.read { try $0.monitorCounts(from: 202101, to: 202612) }.count
        log(
            "  \(figures.transitions) transitions in \(Int(figures.buildSeconds)) s; the monitor keeps \(figures.countRows) count rows"
        )

        func time(_ request: MonitorRequest) throws -> Double {
            var out: [Double] = []
            for _ in 0..<5 {
                let t = monotonic()
                let report = try engine.monitorReport(request)
                out.append((monotonic() - t) * 1000)
                guard !report.sections.isEmpty else { throw BenchError(description: "an empty report") }
            }
            return out.sorted()[2]
        }
        figures.regionMonthMs = try time(MonitorRequest(from: 202101, to: 202612, by: .month))
        figures.regionQuarterMs = try time(MonitorRequest(from: 202101, to: 202612, by: .quarter))
        figures.municipalityMs = try time(
            MonitorRequest(from: 202101, to: 202612, by: .month, municipality: gemeenten[0]))
        let sample = try engine.monitorReport(MonitorRequest(from: 202401, to: 202403, by: .quarter))
        log(sample.text.split(separator: "\n").prefix(12).joined(separator: "\n"))
        return figures
    }
}
