public import RegieCore

/// An attacker on published tables, written without the monitor's own reasoning: it knows every shown number, the
/// bounds of every hidden one and the sums that tie them, and searches for any other value of a hidden number that
/// fits all of them. Used to show that the monitor's reports reveal no count it hides.
public struct Attacker {
    /// A number of a published table: shown, or hidden (an unknown with bounds).
    public enum Number: Hashable {
        case known(Int)
        case unknown(Int)
    }

    public private(set) var lower: [Int] = []
    public private(set) var upper: [Int] = []
    /// The true values of the unknowns (what the attacker is after).
    public private(set) var truth: [Int] = []
    /// Equations: the sum of `terms` (unknown, coefficient) equals `constant`.
    private var equations: [(terms: [(Int, Int)], constant: Int)] = []

    public init() {}

    /// Adds an unknown whose true value is `truth`, known to lie within `bounds`.
    public mutating func unknown(truth value: Int, bounds: ClosedRange<Int>) -> Number {
        lower.append(bounds.lowerBound)
        upper.append(bounds.upperBound)
        truth.append(value)
        return .unknown(truth.count - 1)
    }

    /// Records that the parts add up to the total.
    public mutating func sum(_ parts: [Number], equals total: Number) {
        var terms: [Int: Int] = [:]
        var constant = 0
        for (n, sign) in parts.map({ ($0, 1) }) + [(total, -1)] {
            switch n {
            case .known(let v): constant -= sign * v
            case .unknown(let i): terms[i, default: 0] += sign
            }
        }
        let nonzero = terms.filter { $0.value != 0 }.map { ($0.key, $0.value) }
        if nonzero.isEmpty { return }
        equations.append((nonzero, constant))
    }

    /// The unknowns that can take only their true value: what the published numbers reveal.
    public func revealed() -> [Int] {
        truth.indices.filter { i in
            var below = (lower, upper)
            below.1[i] = truth[i] - 1
            var above = (lower, upper)
            above.0[i] = truth[i] + 1
            return !feasible(below.0, below.1) && !feasible(above.0, above.1)
        }
    }

    /// Whether some assignment within the bounds satisfies every equation: bounds propagation, then bisection.
    private func feasible(_ lo: [Int], _ hi: [Int]) -> Bool {
        var lo = lo
        var hi = hi
        guard propagate(&lo, &hi) else { return false }
        guard let split = lo.indices.max(by: { hi[$0] - lo[$0] < hi[$1] - lo[$1] }), hi[split] > lo[split] else {
            return equations.allSatisfy { e in e.terms.reduce(0) { $0 + $1.1 * lo[$1.0] } == e.constant }
        }
        let mid = lo[split] + (hi[split] - lo[split]) / 2
        var left = hi
        left[split] = mid
        if feasible(lo, left) { return true }
        var right = lo
        right[split] = mid + 1
        return feasible(right, hi)
    }

    /// Narrows the bounds by each equation until nothing changes; false when some bound becomes empty.
    private func propagate(_ lo: inout [Int], _ hi: inout [Int]) -> Bool {
        var changed = true
        while changed {
            changed = false
            for e in equations {
                for (k, a) in e.terms {
                    // a*x_k = constant - sum of the others.
                    var restLo = 0
                    var restHi = 0
                    for (j, b) in e.terms where j != k {
                        restLo += b > 0 ? b * lo[j] : b * hi[j]
                        restHi += b > 0 ? b * hi[j] : b * lo[j]
                    }
                    let (low, high) = (e.constant - restHi, e.constant - restLo)
                    let (newLo, newHi) = a > 0 ? (low, high) : (-high, -low)
                    if newLo > lo[k] {
                        lo[k] = newLo
                        changed = true
                    }
                    if newHi < hi[k] {
                        hi[k] = newHi
                        changed = true
                    }
                    if lo[k] > hi[k] { return false }
                }
            }
        }
        return true
    }
}

extension Attacker {
    /// The system an attacker builds from two views of one report (per month and per quarter, over whole quarters)
    /// for one workflow: every number of `figures` (a family shares its totals), tied by the sums the tables show.
    /// - Parameter truth: the true count of a figure over some months, for a category (nil: the row's total).
    public static func on(
        monthly: MonitorReport, quarterly: MonitorReport, workflow: String, figures: [MonitorFigure],
        truth: (MonitorFigure, [Int], String?) -> Int
    ) -> Attacker {
        var a = Attacker()
        let t = monthly.request.threshold
        let months = MonitorMonth.range(monthly.request.from, monthly.request.to)
        let quarters = months.filter { $0 == MonitorMonth.quarterStart($0) }
        var numbers: [String: Number] = [:]
        // What "x" tells: a number of a block withheld to protect another is at least the threshold (unless the
        // whole block is withheld); a sum of several is anything.
        func number(_ key: String, _ cell: MonitorReport.Cell, _ value: Int, sum: Bool = false) -> Number {
            if let n = numbers[key] { return n }
            let n: Number
            switch cell {
            case .count(let v): n = .known(v)
            case .small: n = a.unknown(truth: value, bounds: 1...(t - 1))
            case .withheld: n = a.unknown(truth: value, bounds: (value >= t && !sum ? t : 0)...1_000_000)
            }
            numbers[key] = n
            return n
        }
        for figure in figures {
            guard let section = monthly.sections.first(where: { $0.workflow == workflow }),
                let m = section.tables.first(where: { $0.figure == figure }),
                let q = quarterly.sections.first(where: { $0.workflow == workflow })?.tables.first(where: {
                    $0.figure == figure
                })
            else { continue }
            func cell(_ table: MonitorReport.Table, _ row: Int, _ category: String?) -> MonitorReport.Cell {
                guard let category else { return table.rows[row].total }
                return table.categories.firstIndex(of: category).map { table.rows[row].cells[$0] } ?? .count(0)
            }
            var monthNumber: [Int: [String?: Number]] = [:]
            var quarterNumber: [Int: [String?: Number]] = [:]
            func at(_ numbers: [Int: [String?: Number]], _ period: Int, _ c: String?) -> Number {
                numbers[period]?[c] ?? .known(0)
            }
            for (i, month) in months.enumerated() {
                for c in m.categories.map(Optional.some) + [nil] {
                    // A family's totals are one number, whichever figure shows them.
                    let key = c.map { "\(figure.rawValue) \(month) \($0)" } ?? "total \(month)"
                    monthNumber[month, default: [:]][c] = number(key, cell(m, i, c), truth(figure, [month], c))
                }
                a.sum(m.categories.map { at(monthNumber, month, $0) }, equals: at(monthNumber, month, nil))
            }
            for (i, quarter) in quarters.enumerated() {
                let within = [quarter, quarter + 1, quarter + 2]
                for c in q.categories.map(Optional.some) + [nil] {
                    let key = c.map { "\(figure.rawValue) q\(quarter) \($0)" } ?? "total q\(quarter)"
                    let n = number(key, cell(q, i, c), truth(figure, within, c))
                    quarterNumber[quarter, default: [:]][c] = n
                    a.sum(within.map { monthNumber[$0]?[c] ?? .known(0) }, equals: n)
                }
                a.sum(q.categories.map { at(quarterNumber, quarter, $0) }, equals: at(quarterNumber, quarter, nil))
            }
            for c in m.categories.map(Optional.some) + [nil] {
                let whole = c.flatMap { m.categories.firstIndex(of: $0) }.map { m.total.cells[$0] } ?? m.total.total
                let n = number("\(figure.rawValue) range \(c ?? "total")", whole, truth(figure, months, c), sum: true)
                a.sum(months.map { at(monthNumber, $0, c) }, equals: n)
                a.sum(quarters.map { at(quarterNumber, $0, c) }, equals: n)
            }
        }
        return a
    }
}
