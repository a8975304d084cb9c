/// What a monitor report asks for: a range of months, shown per month or per quarter, for one municipality or the
/// whole region, one workflow or all.
public struct MonitorRequest: Sendable, Equatable {
    /// How the rows are cut.
    public enum Period: String, Sendable, CaseIterable {
        case month, quarter
    }

    /// The first and last month, as `year * 100 + month`.
    public var from: Int
    public var to: Int
    public var by: Period
    /// The responsible municipality, or nil for the region.
    public var municipality: String?
    /// The workflow, or nil for all.
    public var workflow: String?
    /// Counts under this are shown as "< threshold".
    public var threshold: Int

    /// Creates a request; `from` and `to` are widened to whole quarters when the rows are quarters.
    public init(
        from: Int, to: Int, by: Period = .month, municipality: String? = nil, workflow: String? = nil,
        threshold: Int = 5
    ) {
        self.from = by == .quarter ? MonitorMonth.quarterStart(from) : from
        self.to = by == .quarter ? MonitorMonth.quarterStart(to) + 2 : to
        self.by = by
        self.municipality = municipality
        self.workflow = workflow
        self.threshold = threshold
    }

    /// The months the report's blocks need: whole quarters around the range (a quarter is protected as a whole).
    public var loadedMonths: ClosedRange<Int> { MonitorMonth.quarterStart(from)...(MonitorMonth.quarterStart(to) + 2) }
}

/// Months as `year * 100 + month`.
public enum MonitorMonth {
    /// The first month of the quarter `month` is in.
    public static func quarterStart(_ month: Int) -> Int {
        let (y, m) = (month / 100, month % 100)
        return y * 100 + ((m - 1) / 3) * 3 + 1
    }

    /// The month after `month`.
    public static func next(_ month: Int) -> Int { month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1 }

    /// The months from `a` through `b`.
    public static func range(_ a: Int, _ b: Int) -> [Int] {
        var out: [Int] = []
        var m = a
        while m <= b {
            out.append(m)
            m = next(m)
        }
        return out
    }

    /// Reads "2026-03" (or a date in it, "2026-03-15") as a month; nil when it is neither.
    public static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 4, parts[1].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), parts.allSatisfy({ $0.allSatisfy(\.isASCII) })
        else { return nil }
        if parts.count == 3 {
            guard parts[2].count == 2, let d = Int(parts[2]), (1...31).contains(d) else { return nil }
        }
        let month = y * 100 + m
        return isValid(month) ? month : nil
    }

    /// The month twelve months before `month`'s successor: a year's range ending at `month`.
    public static func yearBefore(_ month: Int) -> Int { next(month) - 100 }

    /// Whether `month` is a real month.
    public static func isValid(_ month: Int) -> Bool { (1...12).contains(month % 100) && month / 100 >= 1900 }

    /// "2026-03".
    public static func text(_ month: Int) -> String {
        let m = month % 100
        return "\(month / 100)-\(m < 10 ? "0" : "")\(m)"
    }

    /// "2026-K1".
    public static func quarterText(_ month: Int) -> String { "\(month / 100)-K\((month % 100 - 1) / 3 + 1)" }
}

/// A report of the monitor: only aggregates, protected so that no count under the threshold can be recovered.
public struct MonitorReport: Sendable, Equatable {
    /// What a published number shows.
    public enum Cell: Sendable, Equatable {
        case count(Int)
        /// A count under the threshold (but not zero).
        case small
        /// Withheld: to protect a small count elsewhere, or because it is made of withheld counts.
        case withheld

        /// The number as text: the count, "< 5" or "x".
        public func text(threshold: Int) -> String {
            switch self {
            case .count(let n): String(n)
            case .small: "< \(threshold)"
            case .withheld: "x"
            }
        }

        /// The count, when it is shown.
        public var value: Int? {
            if case .count(let n) = self { return n }
            return nil
        }
    }

    /// One row: a period (or the whole range) with a cell per category and its total.
    public struct Row: Sendable, Equatable {
        public var label: String
        public var cells: [Cell]
        public var total: Cell
    }

    /// One figure: periods down, categories across, and the whole range at the bottom.
    public struct Table: Sendable, Equatable {
        public var figure: MonitorFigure
        public var categories: [String]
        public var rows: [Row]
        public var total: Row
    }

    /// A lead time's median and 90th percentile in working days, per period; nil where fewer than the threshold.
    public struct DurationRow: Sendable, Equatable {
        public var label: String
        public var median: Int?
        public var p90: Int?
    }

    /// One lead time.
    public struct DurationTable: Sendable, Equatable {
        public var duration: MonitorDuration
        public var rows: [DurationRow]
        public var total: DurationRow
    }

    /// The figures of one workflow.
    public struct Section: Sendable, Equatable {
        public var workflow: String
        public var tables: [Table]
        public var durations: [DurationTable]
    }

    public var request: MonitorRequest
    /// The row labels, in order.
    public var periods: [String]
    public var sections: [Section]
}

extension MonitorRequest {
    /// A parameter of a request that cannot be read, and why.
    public struct ParameterError: Error, Sendable, Equatable {
        public var parameter: String
        public var reason: String
    }

    /// The parameters a report is asked with over HTTP (the API and the workspace).
    public static let parameters: Set<String> = ["from", "to", "by", "gemeente", "workflow"]

    /// Reads a request from query parameters: `from` and `to` as YYYY-MM (default: the twelve months up to
    /// `today`), `by` month or quarter, `gemeente` a municipality of the region, `workflow` one of `workflows`.
    public init(query: [String: String], today: LocalDate, region: RegionConfig, workflows: Set<String>)
        throws(ParameterError)
    {
        func month(_ name: String) throws(ParameterError) -> Int? {
            guard let text = query[name], !text.isEmpty else { return nil }
            guard let m = MonitorMonth.parse(text) else {
                throw ParameterError(parameter: name, reason: "a month as YYYY-MM (e.g. 2026-03), not \"\(text)\"")
            }
            return m
        }
        let to = try month("to") ?? today.year * 100 + today.month
        let from = try month("from") ?? MonitorMonth.yearBefore(to)
        guard from <= to else {
            throw ParameterError(parameter: "from", reason: "\(MonitorMonth.text(from)) is after to")
        }
        guard MonitorMonth.range(from, to).count <= 120 else {
            throw ParameterError(parameter: "from", reason: "a report covers at most ten years")
        }
        var by = Period.month
        if let text = query["by"], !text.isEmpty {
            guard let p = Period(rawValue: text) else {
                throw ParameterError(parameter: "by", reason: "month or quarter, not \"\(text)\"")
            }
            by = p
        }
        var municipality: String?
        if let g = query["gemeente"], !g.isEmpty {
            guard region.partners.isEmpty || region.partner(g)?.kind == "gemeente" else {
                throw ParameterError(parameter: "gemeente", reason: "\"\(g)\" is not a municipality of the region")
            }
            municipality = g
        }
        let workflow = query["workflow"].flatMap { $0.isEmpty ? nil : $0 }
        if let workflow, !workflows.contains(workflow) {
            throw ParameterError(
                parameter: "workflow",
                reason: "no workflow \"\(workflow)\"; the workflows are \(workflows.sorted().joined(separator: ", "))")
        }
        self.init(
            from: from, to: to, by: by, municipality: municipality, workflow: workflow,
            threshold: region.monitorThreshold)
    }

    /// What was asked, in one line, for the access log.
    public var summary: String {
        "monitor \(MonitorMonth.text(from))..\(MonitorMonth.text(to)) by \(by.rawValue), \(municipality ?? "region"), \(workflow ?? "all workflows")"
    }
}
