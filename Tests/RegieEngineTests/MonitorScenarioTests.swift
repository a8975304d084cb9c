import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

/// Two years of network cases in three municipalities, played on the simulated clock: opened by providers and by
/// the brede centrale toegang, planned, escalated (some up to ketenregie, with an opdracht), handed over warmly (or
/// refused), moved to another municipality, closed with an outcome and nazorg, some relapsing. The test writes
/// down what the monitor must count while it plays the story, from the story itself, and compares the monitor's
/// counts and reports with that; then an attacker tries to recover the counts the reports hide.
@Suite struct MonitorScenarioTests {
    struct Key: Hashable {
        var month: Int
        var municipality: String
        var figure: String
        var category: String
    }

    struct Expected {
        var counts: [Key: Int] = [:]
        /// Durations in working days by (month, municipality, name).
        var durations: [Key: [Int]] = [:]
        mutating func count(_ month: Int, _ g: String, _ figure: MonitorFigure, _ category: String) {
            counts[Key(month: month, municipality: g, figure: figure.rawValue, category: category), default: 0] += 1
        }
        mutating func duration(_ month: Int, _ g: String, _ name: MonitorDuration, _ days: Int) {
            durations[Key(month: month, municipality: g, figure: name.rawValue, category: ""), default: []].append(days)
        }
    }

    /// What a partner is, as partners.json says (written out here, not read from Regie).
    static let kinds = [
        "bw-aanbieder": "beschermd-wonen", "mo-aanbieder": "maatschappelijke-opvang", "ggz-aanbieder": "ggz",
        "sociaal-wijkteam": "wijkteam", "brede-centrale-toegang": "toegang",
    ]
    static let gemeenten = ["gemeente-haarlem", "gemeente-velsen", "gemeente-zandvoort"]
    static let providers = ["bw-aanbieder", "mo-aanbieder", "ggz-aanbieder", "sociaal-wijkteam"]
    static let uitkomsten = ["doel-bereikt", "overgedragen-regulier", "verhuisd", "geen-medewerking", "overig"]

    @Test func theMonitorCountsTheStoryAndHidesWhatIsSmall() throws {
        let h = try RegionHarness(at: "2025-01-06T09:00")
        let cal = h.calendar
        var dice = MonitorDisclosureTests.Dice(state: 2025)
        var expected = Expected()
        // Every action of every case, with when it happens; played in time order at the end.
        var actions: [(at: Instant, order: Int, run: (RegionHarness) throws -> Void)] = []
        let firstDay = LocalDate(year: 2025, month: 1, day: 6)
        let lastDay = LocalDate(year: 2026, month: 12, day: 1)
        func at(_ day: LocalDate) -> Instant { cal.instant(of: day, secondOfDay: 10 * 3600) }
        func month(_ day: LocalDate) -> Int { day.year * 100 + day.month }
        var ids: [Int: String] = [:]
        for k in 0..<320 {
            var day = cal.addingWorkingDays(k * 3 / 2, to: firstDay)
            let opened = day
            var g = Self.gemeenten[[0, 0, 0, 0, 0, 1, 1, 1, 2, 2][dice.next(10)]]
            var holder = Self.providers[dice.next(4)]
            let opener = dice.next(4) == 0 ? "brede-centrale-toegang" : holder
            var step = 0
            func act(_ d: LocalDate, _ run: @escaping (RegionHarness, String) throws -> Void) {
                step += 1
                actions.append((at(d), k * 100 + step, { h in try run(h, ids[k]!) }))
            }
            func later(_ n: Int) -> LocalDate {
                day = cal.addingWorkingDays(n, to: day)
                return day
            }
            let (regie, gemeente) = (holder, g)
            step += 1
            actions.append(
                (
                    at(day), k * 100 + step,
                    { h in
                        let actor =
                            opener == regie
                            ? Actor.regiehouder(regie) : Actor(partner: opener, role: .betrokken)
                        ids[k] = try h.open("netwerkcasus", regie: regie, as: actor, gemeente: gemeente)
                    }
                ))
            expected.count(month(day), g, .instroomBron, Self.kinds[opener]!)
            // The plan.
            let plan = 1 + dice.next(9)
            let planned = later(plan)
            act(planned) { h, id in try h.fire(id, "plan-vastgesteld", as: .regiehouder(regie), note: "plan") }
            expected.count(month(planned), g, .verloop, "plan-vastgesteld")
            expected.duration(month(planned), g, .eersteStap, plan)
            // Escalation.
            if dice.next(100) < 35 {
                let raised = later(1 + dice.next(3))
                let holderNow = holder
                act(raised) { h, id in
                    try h.fire(
                        id, "opschalen", as: .regiehouder(holderNow), motivation: "vast", fields: ["vraag": "?"],
                        contact: "Els")
                }
                expected.count(month(raised), g, .opschaling, "naar niveau-1: door een partner")
                let q1 = 1 + dice.next(5)
                let next = later(q1)
                let gNow = g
                expected.duration(month(next), g, .niveau1, q1)
                if dice.next(100) < 30 {
                    act(next) { h, id in
                        try h.fire(
                            id, "opschalen", as: Actor(partner: gNow, role: .procesregisseur), motivation: "verder",
                            fields: ["vraag": "?"])
                    }
                    expected.count(month(next), g, .opschaling, "naar niveau-2: door een partner")
                    var q2 = 0
                    if dice.next(2) == 0 {
                        let d = 1 + dice.next(2)
                        q2 += d
                        let decided = later(d)
                        act(decided) { h, id in
                            try h.fire(
                                id, "doorzettingsbesluit",
                                as: Actor(partner: "ketenregisseur-zkih", role: .ketenregisseur),
                                target: holderNow, motivation: "doen", fields: ["besluit": "opdracht"])
                        }
                        expected.count(month(decided), g, .doorzettingsbesluit, "opdracht")
                        let d2 = 1 + dice.next(2)
                        q2 += d2
                        let done = later(d2)
                        act(done) { h, id in
                            try h.fire(
                                id, "opdracht-uitgevoerd", as: .regiehouder(holderNow), note: "gedaan", contact: "Els")
                        }
                        expected.count(month(done), g, .opdracht, "uitgevoerd")
                    }
                    let d3 = 1 + dice.next(4)
                    q2 += d3
                    let lowered = later(d3)
                    act(lowered) { h, id in
                        try h.fire(
                            id, "afschalen", as: Actor(partner: "ketenregisseur-zkih", role: .ketenregisseur),
                            motivation: "weer los")
                    }
                    expected.count(month(lowered), g, .niveauEinde, "niveau-2 afgeschaald")
                    expected.duration(month(lowered), g, .niveau2, q2)
                } else {
                    act(next) { h, id in
                        try h.fire(
                            id, "afschalen", as: Actor(partner: gNow, role: .procesregisseur), motivation: "weer los")
                    }
                    expected.count(month(next), g, .niveauEinde, "niveau-1 afgeschaald")
                }
            }
            // A warm handover, accepted or refused.
            if dice.next(100) < 35 {
                let from = holder
                let to = Self.providers.filter { $0 != from }[dice.next(3)]
                let offered = later(1)
                act(offered) { h, id in
                    try h.fire(
                        id, "overdracht-aanbieden", as: .regiehouder(from), note: "over", target: to, contact: "Els")
                }
                expected.count(month(offered), g, .overdracht, "aangeboden")
                if dice.next(100) < 80 {
                    let accepted = later(1 + dice.next(2))
                    act(accepted) { h, id in try h.fire(id, "overdracht-accepteren", as: .betrokken(to)) }
                    expected.count(month(accepted), g, .overdracht, "geaccepteerd")
                    let met = later(1 + dice.next(3))
                    act(met) { h, id in try h.fire(id, "kennismaking", as: .regiehouder(from), note: "samen") }
                    expected.count(month(met), g, .overdracht, "kennismaking")
                    let done = later(1)
                    act(done) { h, id in try h.fire(id, "overdracht-afronden", as: .regiehouder(from)) }
                    expected.count(month(done), g, .overdracht, "afgerond, regie")
                    expected.duration(month(done), g, .overdracht, cal.workingDaysBetween(at(offered), at(done)))
                    holder = to
                } else {
                    let refused = later(1)
                    act(refused) { h, id in
                        try h.fire(id, "overdracht-weigeren", as: .betrokken(to), motivation: "vol")
                    }
                    expected.count(month(refused), g, .overdracht, "geweigerd")
                }
            }
            // A move to another municipality.
            var origin: String?
            if dice.next(100) < 12 {
                let to = Self.gemeenten.filter { $0 != g }[dice.next(2)]
                let moved = later(1)
                let holderNow = holder
                act(moved) { h, id in
                    try h.fire(
                        id, "gemeente-wijzigen", as: .regiehouder(holderNow), target: to, motivation: "verhuisd",
                        contact: "Els")
                }
                expected.count(month(moved), to, .gemeentewissel, "van \(g)")
                origin = g
                g = to
            }
            // Closing, with nazorg; some relapse.
            let close = 5 + dice.next(40)
            let closed = cal.addingWorkingDays(close, to: day)
            guard dice.next(100) < 85, closed <= lastDay else { continue }
            day = closed
            let uitkomst = Self.uitkomsten[dice.next(5)]
            let nazorg = dice.next(2) == 0 ? "ja" : "nee"
            let holderNow = holder
            act(closed) { h, id in
                try h.fire(
                    id, "afsluiten", as: .regiehouder(holderNow), note: "klaar",
                    fields: ["uitkomst": uitkomst, "nazorg": nazorg], contact: "Els")
            }
            expected.count(
                month(closed), g, .uitstroomUitkomst, uitkomst + (nazorg == "ja" ? ", met nazorg" : ", zonder nazorg"))
            expected.count(month(closed), g, .uitstroomHerkomst, origin ?? g)
            expected.duration(month(closed), g, .openTotUitstroom, cal.workingDaysBetween(at(opened), at(closed)))
            if nazorg == "ja", dice.next(100) < 25 {
                let relapse = later(3 + dice.next(20))
                guard relapse <= lastDay else { continue }
                act(relapse) { h, id in
                    try h.fire(id, "terugval", as: .regiehouder(holderNow), note: "terug", contact: "Els")
                }
                expected.count(month(relapse), g, .nazorg, "terugval")
            }
        }
        for action in actions.sorted(by: { ($0.at, $0.order) < ($1.at, $1.order) }) {
            h.clock.set(max(h.clock.now(), action.at))
            try action.run(h)
        }

        // 1. The monitor's counts are exactly the story's.
        let stored = try h.engine.read { try $0.monitorCounts(from: 202501, to: 202612) }
        var counts: [Key: Int] = [:]
        var durations: [Key: [Int]] = [:]
        for c in stored where c.fact.workflow == "netwerkcasus" {
            if c.fact.days >= 0 {
                let key = Key(
                    month: c.fact.month, municipality: c.fact.municipality,
                    figure: String(c.fact.figure.dropFirst(MonitorFigure.durationPrefix.count)), category: "")
                durations[key, default: []] += Array(repeating: c.fact.days, count: c.count)
            } else {
                counts[
                    Key(
                        month: c.fact.month, municipality: c.fact.municipality, figure: c.fact.figure,
                        category: c.fact.category)] = c.count
            }
        }
        #expect(counts == expected.counts)
        if ProcessInfo.processInfo.environment["MONITOR_PRINT"] != nil {
            print(stored.count, expected.counts.values.reduce(0, +))
            print(
                try h.engine.monitorReport(
                    MonitorRequest(from: 202501, to: 202612, by: .quarter, municipality: "gemeente-haarlem")
                ).text)
            print(try h.engine.monitorReport(MonitorRequest(from: 202501, to: 202612, by: .quarter)).text)
        }
        for key in Set(counts.keys).symmetricDifference(expected.counts.keys).prefix(10) {
            Issue.record("\(key): monitor \(counts[key] ?? 0), story \(expected.counts[key] ?? 0)")
        }
        #expect(durations.mapValues { $0.sorted() } == expected.durations.mapValues { $0.sorted() })
        // Every event of the log is counted exactly once (a family's second breakdown counts the same events again).
        let events = try h.engine.read { try $0.db.scalarInt("SELECT count(*) FROM events") } ?? 0
        let counted = stored.filter {
            $0.fact.days < 0 && MonitorFigure(rawValue: $0.fact.figure)?.joinsFromTheSide == false
        }.reduce(0) { $0 + $1.count }
        #expect(counted == events)

        // 2. Every report, for each municipality and the region, per month and per quarter.
        func truth(_ scope: [String]) -> (MonitorFigure, [Int], String?) -> Int {
            { figure, months, category in
                expected.counts.filter {
                    $0.key.figure == figure.rawValue && months.contains($0.key.month)
                        && scope.contains($0.key.municipality) && (category == nil || $0.key.category == category)
                }.values.reduce(0, +)
            }
        }
        let months = MonitorMonth.range(202501, 202612)
        for scope in Self.gemeenten.map(Optional.some) + [nil] {
            let within = scope.map { [$0] } ?? Self.gemeenten
            let count = truth(within)
            var reports: [MonitorRequest.Period: MonitorReport] = [:]
            for by in MonitorRequest.Period.allCases {
                let report = try h.engine.monitorReport(
                    MonitorRequest(from: 202501, to: 202612, by: by, municipality: scope, workflow: "netwerkcasus"))
                reports[by] = report
                let periods =
                    by == .month
                    ? months.map { [$0] } : stride(from: 0, to: 24, by: 3).map { Array(months[$0..<$0 + 3]) }
                let section = try #require(report.sections.first)
                for table in section.tables {
                    for (row, period) in zip(table.rows + [table.total], periods + [months]) {
                        for (cell, category) in zip(
                            row.cells + [row.total], table.categories.map(Optional.some) + [nil])
                        {
                            let value = count(table.figure, period, category)
                            switch cell {
                            case .count(let n):
                                #expect(
                                    n == value,
                                    "\(scope ?? "regio") \(table.figure) \(row.label) \(category ?? "totaal")")
                                #expect(n == 0 || n >= 5)
                            case .small:
                                #expect(scope != nil && (1...4).contains(value))
                            case .withheld: break
                            }
                        }
                    }
                }
                // Lead times: the nearest-rank median and 90th percentile of the story's own durations.
                for table in section.durations {
                    for (row, period) in zip(table.rows + [table.total], periods + [months]) {
                        let all = expected.durations.filter {
                            $0.key.figure == table.duration.rawValue && period.contains($0.key.month)
                                && within.contains($0.key.municipality)
                        }.values.flatMap { $0 }.sorted()
                        func rank(_ p: Double) -> Int? {
                            all.count < 5 ? nil : all[Int((p * Double(all.count)).rounded(.up)) - 1]
                        }
                        #expect(row.median == rank(0.5), "\(table.duration) \(row.label)")
                        #expect(row.p90 == rank(0.9), "\(table.duration) \(row.label)")
                    }
                }
                let figures = Set(section.tables.map(\.figure))
                #expect(figures.isSuperset(of: [.instroomBron, .uitstroomUitkomst, .overdracht, .opschaling, .nazorg]))
            }
            // 3. Nothing hidden can be worked out from what a municipality's reports show. Each quarter is a block of
            // its own (the two-year totals are shown only where every part is), so the attacker takes them one by one.
            guard let scope else { continue }
            for quarter in stride(from: 0, to: 24, by: 3).map({ months[$0] }) {
                let views = MonitorRequest.Period.allCases.map { by in
                    MonitorReport(
                        MonitorRequest(
                            from: quarter, to: quarter + 2, by: by, municipality: scope, workflow: "netwerkcasus"),
                        counts: stored)
                }
                for family in [
                    [MonitorFigure.uitstroomUitkomst, .uitstroomHerkomst], [.instroomBron], [.overdracht],
                    [.opschaling],
                    [.niveauEinde], [.nazorg], [.verloop],
                ] {
                    let attacker = Attacker.on(
                        monthly: views[0], quarterly: views[1], workflow: "netwerkcasus", figures: family, truth: count)
                    #expect(attacker.revealed().isEmpty, "\(scope) \(quarter) \(family)")
                }
            }
        }
    }

    /// Two police signals for the VSO: one postponed to the next meeting and discussed there (no action), one
    /// discussed at its first meeting and referred to bemoeizorg; the police hear back late about the first (its
    /// window passed) and in time about the second. What the monitor counts of it.
    @Test func theVSOCountsDiscussionsActionsAndFeedback() throws {
        let region = try RegionHarness(at: "2026-11-23T11:59")
        let police = Actor(partner: "politie-haarlem", role: .melder)
        let chair = "gemeente-haarlem"
        let team = ["basisteam": "politie-haarlem"]
        let early = try region.open("vso", regie: chair, as: police, fields: team)
        try region.now("2026-11-23T12:01")
        let late = try region.open("vso", regie: chair, as: police, fields: team)
        // The meeting of 24 November passes without discussing the early signal: it goes to 1 December.
        try region.advance(to: "2026-12-01T10:30")
        #expect(try region.show(early).details.postponed == 1)
        try region.fire(early, "geen-actie", as: .regiehouder(chair), note: "geen zorgen")
        try region.fire(
            late, "actie-bemoeizorg", as: .regiehouder(chair), note: "zorgmijder", target: "ggd-vangnet",
            fields: [
                "ernstige-problematiek": "ja", "meerdere-domeinen": "ja", "geen-hulpvraag": "ja",
                "outreach-nodig": "ja",
            ])
        // The early signal's feedback window (five working days after 24 November) has passed by 3 December.
        try region.advance(to: "2026-12-03T09:00")
        for id in [early, late] { try region.fire(id, "teruggekoppeld", as: .regiehouder(chair), note: "gedaan") }

        let counts = try region.engine.read { try $0.monitorCounts(from: 202611, to: 202612) }
        func count(_ workflow: String, _ figure: MonitorFigure) -> [String: Int] {
            counts.filter { $0.fact.workflow == workflow && $0.fact.figure == figure.rawValue }
                .reduce(into: [:]) { $0[$1.fact.category, default: 0] += $1.count }
        }
        #expect(count("vso", .instroomBron) == ["politie": 2])
        #expect(count("vso", .instroomBasisteam) == ["politie-haarlem": 2])
        #expect(count("vso", .vsoBesluit) == ["geen-actie": 1, "actie-bemoeizorg": 1])
        #expect(count("vso", .vsoBespreking) == ["na uitstel": 1, "op het eerste overleg": 1])
        #expect(count("vso", .verloop) == ["niet-besproken": 1])
        #expect(count("vso", .opschaling) == ["naar niveau-1: terugkoppeling-verlopen": 1])
        #expect(
            count("vso", .uitstroomUitkomst) == ["teruggekoppeld, na termijn": 1, "teruggekoppeld, binnen termijn": 1])
        // The referral is the VSO's decision, counted there once; the bemoeizorg case it opened is not counted again.
        #expect(count("bemoeizorg", .instroomBron).isEmpty)
    }
}
