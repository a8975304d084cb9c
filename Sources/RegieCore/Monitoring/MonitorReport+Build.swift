/// Building a report from the monitor's counts.
///
/// The numbers a report can show are fixed before any request: for each workflow and responsible municipality, each
/// family of figures and each quarter, the counts per month and per quarter with their totals form one block, and
/// each block is protected on its own (`ProtectionNetwork`). A block shares no number with another, so no
/// combination of blocks tells more than each does. Everything else a report shows (the region, a range's total) is
/// the sum of block numbers, and is shown only when every one of them is shown; otherwise it is "x". So two reports
/// asked with different ranges, periods or municipalities can be laid side by side without revealing anything.
extension MonitorReport {
    /// Builds the report of `request` from the counts of (at least) its `loadedMonths`.
    public init(_ request: MonitorRequest, counts: [MonitorCount]) {
        let blocks = Blocks(request: request, counts: counts)
        let months = MonitorMonth.range(request.from, request.to)
        let periods: [(label: String, key: PeriodKey)] =
            request.by == .month
            ? months.map { (MonitorMonth.text($0), .month($0)) }
            : months.filter { $0 == MonitorMonth.quarterStart($0) }.map { (MonitorMonth.quarterText($0), .quarter($0)) }
        // The range's total: whole quarters where the range covers them, months where it covers part of one.
        var whole: [PeriodKey] = []
        for m in months {
            let q = MonitorMonth.quarterStart(m)
            if q >= request.from && q + 2 <= request.to {
                if m == q { whole.append(.quarter(q)) }
            } else {
                whole.append(.month(m))
            }
        }
        let workflows = Set(blocks.slices.keys.map(\.workflow)).filter {
            request.workflow == nil || $0 == request.workflow
        }
        var sections: [Section] = []
        for workflow in workflows.sorted() {
            let scope = blocks.slices.keys.filter {
                $0.workflow == workflow && (request.municipality == nil || $0.municipality == request.municipality)
            }
            let single = request.municipality != nil
            func cell(_ figure: String, _ period: PeriodKey, _ category: String?) -> Cell {
                var sum = 0
                var hidden: ProtectionNetwork.Shown?
                for slice in scope {
                    guard let (value, shown) = blocks.published[CellKey(slice, figure, period, category)] else {
                        continue
                    }
                    sum += value
                    if shown != .value { hidden = hidden == nil ? shown : .withheld }
                }
                switch hidden {
                case nil: return .count(sum)
                case .small? where single: return .small
                default: return .withheld
                }
            }
            func total(_ figure: String, _ category: String?) -> Cell {
                let parts = whole.map { cell(figure, $0, category) }
                let values = parts.compactMap(\.value)
                return values.count == parts.count ? .count(values.reduce(0, +)) : .withheld
            }
            var tables: [Table] = []
            for figure in MonitorFigure.allCases {
                var categories: Set<String> = []
                for slice in scope {
                    for m in months {
                        categories.formUnion(blocks.counts[slice]?[figure.rawValue]?[m]?.keys ?? [:].keys)
                    }
                }
                guard !categories.isEmpty else { continue }
                let columns = categories.sorted()
                let rows = periods.map { p in
                    Row(
                        label: p.label, cells: columns.map { cell(figure.rawValue, p.key, $0) },
                        total: cell(figure.rawValue, p.key, nil))
                }
                let sum = Row(
                    label: "Totaal", cells: columns.map { total(figure.rawValue, $0) },
                    total: total(figure.rawValue, nil))
                tables.append(Table(figure: figure, categories: columns, rows: rows, total: sum))
            }
            var durations: [DurationTable] = []
            for duration in MonitorDuration.allCases {
                let name = MonitorFigure.durationPrefix + duration.rawValue
                func row(_ label: String, _ in: [Int]) -> DurationRow {
                    var histogram: [Int: Int] = [:]
                    for slice in scope {
                        for m in `in` {
                            for (days, n) in blocks.durations[slice]?[name]?[m] ?? [:] {
                                histogram[days, default: 0] += n
                            }
                        }
                    }
                    let n = histogram.values.reduce(0, +)
                    guard n >= request.threshold else { return DurationRow(label: label, median: nil, p90: nil) }
                    return DurationRow(
                        label: label, median: Self.percentile(0.5, histogram, n),
                        p90: Self.percentile(0.9, histogram, n))
                }
                let any = scope.contains { s in months.contains { blocks.durations[s]?[name]?[$0] != nil } }
                guard any else { continue }
                let rows = periods.map { p -> DurationRow in
                    switch p.key {
                    case .month(let m): row(p.label, [m])
                    case .quarter(let q): row(p.label, [q, q + 1, q + 2])
                    }
                }
                durations.append(DurationTable(duration: duration, rows: rows, total: row("Totaal", months)))
            }
            if !tables.isEmpty || !durations.isEmpty {
                sections.append(Section(workflow: workflow, tables: tables, durations: durations))
            }
        }
        self.init(request: request, periods: periods.map(\.label), sections: sections)
    }

    /// The nearest-rank percentile `p` of `n` durations counted in `histogram`: the smallest number of days with at
    /// least `ceil(p * n)` durations at or below it.
    static func percentile(_ p: Double, _ histogram: [Int: Int], _ n: Int) -> Int {
        let rank = max(1, Int((p * Double(n)).rounded(.up)))
        var seen = 0
        for days in histogram.keys.sorted() {
            seen += histogram[days] ?? 0
            if seen >= rank { return days }
        }
        return histogram.keys.max() ?? 0
    }
}

/// A row's period: a month or the quarter starting at a month.
enum PeriodKey: Hashable {
    case month(Int)
    case quarter(Int)
}

/// A workflow and responsible municipality: the finest cut the monitor protects.
struct SliceKey: Hashable {
    var workflow: String
    var municipality: String
}

/// One published number of a block: a category's count, or the total (category nil).
struct CellKey: Hashable {
    var slice: SliceKey
    var figure: String
    var period: PeriodKey
    var category: String?

    init(_ slice: SliceKey, _ figure: String, _ period: PeriodKey, _ category: String?) {
        (self.slice, self.figure, self.period, self.category) = (slice, figure, period, category)
    }
}

/// The counts by slice, and every block's numbers as protected.
struct Blocks {
    /// Counts: slice -> figure -> month -> category -> n.
    var counts: [SliceKey: [String: [Int: [String: Int]]]] = [:]
    /// Durations: slice -> duration figure -> month -> days -> n.
    var durations: [SliceKey: [String: [Int: [Int: Int]]]] = [:]
    /// Every number of every block, with how it is shown.
    var published: [CellKey: (Int, ProtectionNetwork.Shown)] = [:]
    var slices: [SliceKey: Void] = [:]

    init(request: MonitorRequest, counts rows: [MonitorCount]) {
        let loaded = request.loadedMonths
        for row in rows where loaded.contains(row.fact.month) && row.count != 0 {
            let f = row.fact
            let slice = SliceKey(workflow: f.workflow, municipality: f.municipality)
            slices[slice] = ()
            if f.days >= 0 {
                durations[slice, default: [:]][f.figure, default: [:]][f.month, default: [:]][f.days, default: 0] +=
                    row.count
            } else if MonitorFigure(rawValue: f.figure) != nil {
                counts[slice, default: [:]][f.figure, default: [:]][f.month, default: [:]][f.category, default: 0] +=
                    row.count
            }
        }
        let quarters = MonitorMonth.range(loaded.lowerBound, loaded.upperBound).filter {
            $0 == MonitorMonth.quarterStart($0)
        }
        for (slice, figures) in counts {
            for figure in MonitorFigure.allCases where figures[figure.rawValue] != nil {
                // A family is protected once, from its first figure (the partner joins it from the other side).
                if figure.joinsFromTheSide, let partner = figure.partner, figures[partner.rawValue] != nil {
                    continue
                }
                let second = figure.partner.flatMap { figures[$0.rawValue] != nil ? $0 : nil }
                for q in quarters {
                    protect(
                        slice, figure.rawValue, figures[figure.rawValue] ?? [:], second?.rawValue,
                        second.flatMap { figures[$0.rawValue] }, quarter: q, threshold: request.threshold)
                }
            }
        }
    }

    /// Builds and protects the block of one family in one quarter, and records its numbers.
    private mutating func protect(
        _ slice: SliceKey, _ a: String, _ aCounts: [Int: [String: Int]], _ b: String?, _ bCounts: [Int: [String: Int]]?,
        quarter q: Int, threshold: Int
    ) {
        let months = [q, q + 1, q + 2]
        guard months.contains(where: { !(aCounts[$0] ?? [:]).isEmpty }) else { return }
        var net = ProtectionNetwork(threshold: threshold)
        let (source, sink) = (net.node(), net.node())
        let totals = months.map { (aCounts[$0] ?? [:]).values.reduce(0, +) }
        let grand = net.edge(sink, source, totals.reduce(0, +))
        var into: [Int] = []
        var out: [Int] = []
        var monthTotals: [Int] = []
        for k in 0..<3 {
            let entry = net.node()
            let exit = bCounts == nil ? entry : net.node()
            into.append(entry)
            out.append(exit)
            monthTotals.append(net.edge(bCounts == nil ? source : entry, exit, totals[k]))
        }
        var cells: [(figure: String, period: PeriodKey, category: String, edge: Int)] = []
        func side(_ figure: String, _ counts: [Int: [String: Int]], incoming: Bool) {
            let categories = Set(months.flatMap { (counts[$0] ?? [:]).keys }).sorted()
            for c in categories {
                let node = net.node()
                let sum = months.map { counts[$0]?[c] ?? 0 }.reduce(0, +)
                cells.append(
                    (figure, .quarter(q), c, incoming ? net.edge(source, node, sum) : net.edge(node, sink, sum)))
                for k in 0..<3 {
                    let n = counts[months[k]]?[c] ?? 0
                    let e = incoming ? net.edge(node, into[k], n) : net.edge(out[k], node, n)
                    cells.append((figure, .month(months[k]), c, e))
                }
            }
        }
        side(a, aCounts, incoming: false)
        if let b, let bCounts { side(b, bCounts, incoming: true) }
        net.protect()
        func record(_ key: CellKey, _ edge: Int) { published[key] = (net.edges[edge].value, net.edges[edge].shown) }
        for figure in [a] + (b.map { [$0] } ?? []) {
            record(CellKey(slice, figure, .quarter(q), nil), grand)
            for k in 0..<3 { record(CellKey(slice, figure, .month(months[k]), nil), monthTotals[k]) }
        }
        for c in cells { record(CellKey(slice, c.figure, c.period, c.category), c.edge) }
    }
}
