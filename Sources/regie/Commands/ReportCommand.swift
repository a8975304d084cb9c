import Foundation
import RegieCore
import RegieEngine

/// `regie report`.
struct ReportCommand: RegieCommand {
    static let path = "report"
    static let summary = "the monitor: in-, through- and outflow, lead times and escalations, as aggregates only"
    static let synopsis =
        "[--from YYYY-MM] [--to YYYY-MM] [--by month|quarter] [--gemeente ID] [--workflow NAME] [--format table|csv|json]"
    static let positionals = 0...0
    static let auditAction: String? = "report"
    @Option("from", "YYYY-MM", "the first month (default: eleven months before --to)") var from: String?
    @Option("to", "YYYY-MM", "the last month (default: this month)") var to: String?
    @Option("by", "month|quarter", "one row per month (default) or per quarter") var by: MonitorRequest.Period?
    @Option("gemeente", "ID", "only the cases this municipality is responsible for (default: the whole region)")
    var gemeente: String?
    @Option("workflow", "NAME", "only this workflow (default: each workflow in its own section)") var workflow: String?
    @Option("format", "table|csv|json", "how to print it (default: table)") var format: ReportFormat?
    static let discussion = """
        Counts what happened in each month (or quarter), per workflow, for the responsible municipality or the whole
        region: cases opened by source, warm handovers, regie moves, escalation levels reached and how they ended,
        decisions, opdrachten, outflow by outcome and municipality of origin, nazorg and relapses; and lead times
        (median and 90th percentile, in working days). Only aggregates leave: a count under the threshold in
        region.json (monitor.threshold, 5 by default) is shown as "< 5", and other counts are withheld ("x") so
        that it cannot be worked out from the totals. Who ran which report is in the access log.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let now = engine.config.calendar.localDate(of: engine.clock.now())
        let last = try to.map { t throws(EngineError) in try Self.month(t, "to") } ?? now.year * 100 + now.month
        let first = try from.map { f throws(EngineError) in try Self.month(f, "from") } ?? MonitorMonth.yearBefore(last)
        guard first <= last else {
            throw EngineError.invalid("--from (\(MonitorMonth.text(first))) is after --to (\(MonitorMonth.text(last)))")
        }
        if let gemeente, engine.config.partner(gemeente)?.kind != "gemeente" {
            throw EngineError.invalid(
                "--gemeente \(gemeente) is not a municipality in partners.json; see `regie partner list`")
        }
        if let workflow, engine.catalog.workflows[workflow] == nil {
            throw EngineError.invalid(
                "--workflow \(workflow) is not a workflow; see `regie workflow list`")
        }
        let report = try engine.monitorReport(
            MonitorRequest(from: first, to: last, by: by ?? .month, municipality: gemeente, workflow: workflow))
        context.auditDetail = report.request.summary
        switch format ?? .table {
        case .table:
            Output.print(report.text)
            if let since = try engine.monitorSince() {
                Output.print(
                    "De monitor telt vanaf \(engine.config.calendar.localText(since)) (toen deze versie kwam).")
            }
        case .csv: Output.print(String(report.csv.dropLast()))
        case .json: Output.json(report.json)
        }
    }

    static func month(_ text: String, _ option: String) throws(EngineError) -> Int {
        guard let m = MonitorMonth.parse(text) else {
            throw EngineError.invalid("--\(option) takes a month as YYYY-MM (e.g. 2026-03), not \"\(text)\"")
        }
        return m
    }
}

/// How `regie report` prints.
enum ReportFormat: String, OptionValue {
    case table, csv, json

    static func read(_ text: String, option name: String) throws(CLIError) -> ReportFormat {
        guard let f = ReportFormat(rawValue: text) else { throw .usage("--\(name) is table, csv or json, not \(text)") }
        return f
    }
}

extension MonitorRequest.Period: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> MonitorRequest.Period {
        guard let p = MonitorRequest.Period(rawValue: text) else {
            throw .usage("--\(name) is month or quarter, not \(text)")
        }
        return p
    }
}
