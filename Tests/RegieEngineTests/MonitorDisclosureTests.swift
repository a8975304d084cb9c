import RegieCore
import RegieTestSupport
import Testing

/// The monitor's reports reveal no count under the threshold: not in a cell, and not from any combination of the
/// numbers they do show. Random tables, checked by an attacker that does not share the monitor's reasoning.
@Suite struct MonitorDisclosureTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its trial number.
    struct Dice {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
    }

    /// One random history of a slice: for each month, events with a category of the first figure and of its
    /// partner (the same events, so the same totals).
    static func history(_ trial: Int, months: [Int], paired: Bool) -> [MonitorCount] {
        var dice = Dice(state: UInt64(trial) &* 7919)
        var counts: [MonitorFact: Int] = [:]
        let a = ["melder", "politie", "vanuit-vso"]
        let b = ["team-noord", "team-zuid", "team-oost"]
        for month in months {
            let events = [0, 1, 2, 3, 4, 6, 9, 14][dice.next(8)]
            for _ in 0..<events {
                // Skewed, so that most tables have both small and large cells.
                let ca = a[min(dice.next(4), 2)]
                counts[
                    MonitorFact(
                        month: month, workflow: "vso", municipality: "g", figure: "instroom.bron", category: ca),
                    default: 0] += 1
                if paired {
                    let cb = b[min(dice.next(5), 2)]
                    counts[
                        MonitorFact(
                            month: month, workflow: "vso", municipality: "g", figure: "instroom.basisteam", category: cb
                        ), default: 0] += 1
                }
            }
        }
        return counts.map { MonitorCount($0.key, count: $0.value) }
    }

    static func truth(_ counts: [MonitorCount]) -> (MonitorFigure, [Int], String?) -> Int {
        { figure, months, category in
            counts.filter {
                $0.fact.figure == figure.rawValue && months.contains($0.fact.month)
                    && (category == nil || $0.fact.category == category)
            }.reduce(0) { $0 + $1.count }
        }
    }

    @Test(arguments: 0..<240)
    func noCountUnderTheThresholdCanBeRecovered(trial: Int) {
        let months = trial % 3 == 0 ? [202601, 202602, 202603, 202604, 202605, 202606] : [202601, 202602, 202603]
        let paired = trial % 2 == 1
        let counts = Self.history(trial, months: months, paired: paired)
        let truth = Self.truth(counts)
        let monthly = MonitorReport(
            MonitorRequest(from: months.first!, to: months.last!, by: .month, municipality: "g"), counts: counts)
        let quarterly = MonitorReport(
            MonitorRequest(from: months.first!, to: months.last!, by: .quarter, municipality: "g"), counts: counts)
        let figures: [MonitorFigure] = paired ? [.instroomBron, .instroomBasisteam] : [.instroomBron]
        // Every cell: a shown count is the true one and never under the threshold; "< 5" is a true small count.
        for report in [monthly, quarterly] {
            for table in report.sections.flatMap(\.tables) {
                let periods =
                    report.request.by == .month
                    ? months.map { [$0] } : stride(from: 0, to: months.count, by: 3).map { Array(months[$0..<$0 + 3]) }
                for (row, period) in zip(table.rows, periods) {
                    for (cell, category) in zip(row.cells + [row.total], table.categories.map(Optional.some) + [nil]) {
                        let value = truth(table.figure, period, category)
                        switch cell {
                        case .count(let n):
                            #expect(n == value, "trial \(trial): \(table.figure) \(period) \(category ?? "total")")
                            #expect(n == 0 || n >= 5, "trial \(trial): a count of \(n) is shown")
                        case .small: #expect((1...4).contains(value), "trial \(trial): \(value) shown as < 5")
                        case .withheld: break
                        }
                    }
                }
            }
        }
        let attacker = Attacker.on(
            monthly: monthly, quarterly: quarterly, workflow: "vso", figures: figures, truth: truth)
        #expect(
            attacker.revealed().isEmpty,
            "trial \(trial): the shown numbers pin \(attacker.revealed().map { attacker.truth[$0] })")
    }

    /// The case that defeats suppressing line by line: three small cells pinned by the sums of several lines.
    @Test func crossLineSumsRevealNothing() {
        // Months as rows, categories as columns: [[0,7],[1,1],[0,1]].
        let rows = [[0, 7], [1, 1], [0, 1]]
        var counts: [MonitorCount] = []
        for (i, row) in rows.enumerated() {
            for (j, n) in row.enumerated() where n > 0 {
                counts.append(
                    MonitorCount(
                        MonitorFact(
                            month: 202601 + i, workflow: "w", municipality: "g", figure: "nazorg", category: "c\(j)"),
                        count: n))
            }
        }
        let monthly = MonitorReport(MonitorRequest(from: 202601, to: 202603, municipality: "g"), counts: counts)
        let quarterly = MonitorReport(
            MonitorRequest(from: 202601, to: 202603, by: .quarter, municipality: "g"), counts: counts)
        let attacker = Attacker.on(
            monthly: monthly, quarterly: quarterly, workflow: "w", figures: [.nazorg], truth: Self.truth(counts))
        #expect(attacker.revealed().isEmpty)
        // And the attacker does catch a leak: show the same tables with only the small cells hidden.
        var naive = Attacker()
        let x = naive.unknown(truth: 1, bounds: 1...4)
        let y = naive.unknown(truth: 1, bounds: 1...4)
        let z = naive.unknown(truth: 1, bounds: 1...4)
        naive.sum([.known(0), .known(7)], equals: .known(7))
        naive.sum([x, y], equals: .known(2))
        naive.sum([.known(0), z], equals: .known(1))
        #expect(naive.revealed().count == 3)
    }

    /// The region's numbers are sums of the municipalities' and are shown only when every part is shown.
    @Test func theRegionShowsOnlySumsOfShownNumbers() {
        var counts: [MonitorCount] = []
        for (g, n) in [("g1", [7, 2, 9]), ("g2", [6, 5, 8])] {
            for (i, v) in n.enumerated() {
                counts.append(
                    MonitorCount(
                        MonitorFact(month: 202601 + i, workflow: "w", municipality: g, figure: "nazorg", category: "c"),
                        count: v))
            }
        }
        let region = MonitorReport(MonitorRequest(from: 202601, to: 202603), counts: counts)
        let parts = ["g1", "g2"].map {
            MonitorReport(MonitorRequest(from: 202601, to: 202603, municipality: $0), counts: counts).sections[0]
                .tables[0]
        }
        // g1's 2 in February is small, and its January (7) is withheld to protect it.
        #expect(parts[0].rows.map(\.cells[0]) == [.withheld, .small, .count(9)])
        #expect(parts[1].rows.map(\.cells[0]) == [.count(6), .count(5), .count(8)])
        #expect(region.sections[0].tables[0].rows.map(\.cells[0]) == [.withheld, .withheld, .count(17)])
        for (i, row) in region.sections[0].tables[0].rows.enumerated() {
            let shown = parts.compactMap { $0.rows[i].cells[0].value }
            #expect(row.cells[0].value == (shown.count == 2 ? shown.reduce(0, +) : nil))
        }
    }
}
