/// A report as text for a terminal, as CSV for a spreadsheet and as JSON for the region's BI tools.
extension MonitorReport {
    /// Every number as one line of `werkstroom, figuur, periode, categorie, waarde` ("totaal" for a row's total,
    /// "Totaal" as the period of the range's total; a lead time's categories are `mediaan` and `p90`).
    public var csv: String {
        let t = request.threshold
        var lines = ["werkstroom,figuur,periode,categorie,waarde"]
        func line(_ fields: [String]) {
            lines.append(
                fields.map { f in
                    f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "<" })
                        ? "\"" + f.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"")
                            + "\"" : f
                }.joined(separator: ","))
        }
        for s in sections {
            for table in s.tables {
                for row in table.rows + [table.total] {
                    for (c, cell) in zip(table.categories, row.cells) {
                        line([s.workflow, table.figure.rawValue, row.label, c, cell.text(threshold: t)])
                    }
                    line([s.workflow, table.figure.rawValue, row.label, "totaal", row.total.text(threshold: t)])
                }
            }
            for d in s.durations {
                for row in d.rows + [d.total] {
                    let name = MonitorFigure.durationPrefix + d.duration.rawValue
                    line([s.workflow, name, row.label, "mediaan", row.median.map(String.init) ?? "< \(t)"])
                    line([s.workflow, name, row.label, "p90", row.p90.map(String.init) ?? "< \(t)"])
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON: a shown count is a number, "< 5" and "x" are strings.
    public var json: JSONValue {
        let t = request.threshold
        func cell(_ c: Cell) -> JSONValue { c.value.map { .int(Int64($0)) } ?? .string(c.text(threshold: t)) }
        func row(_ r: Row, _ categories: [String]) -> JSONValue {
            var cells = JSONObject()
            for (c, v) in zip(categories, r.cells) { cells[c] = cell(v) }
            return ["period": .string(r.label), "cells": .object(cells), "total": cell(r.total)]
        }
        func duration(_ r: DurationRow) -> JSONValue {
            [
                "period": .string(r.label), "medianWorkingDays": r.median.map { .int(Int64($0)) } ?? .null,
                "p90WorkingDays": r.p90.map { .int(Int64($0)) } ?? .null,
            ]
        }
        var o = JSONObject(pairs: [
            "from": .string(MonitorMonth.text(request.from)), "to": .string(MonitorMonth.text(request.to)),
            "by": .string(request.by.rawValue), "municipality": .optional(request.municipality),
            "workflow": .optional(request.workflow), "threshold": .int(Int64(t)),
            "periods": .array(periods.map { .string($0) }),
        ])
        o["sections"] = .array(
            sections.map { s in
                [
                    "workflow": .string(s.workflow),
                    "figures": .array(
                        s.tables.map { table in
                            [
                                "figure": .string(table.figure.rawValue), "title": .string(table.figure.title),
                                "categories": .array(table.categories.map { .string($0) }),
                                "rows": .array(table.rows.map { row($0, table.categories) }),
                                "total": row(table.total, table.categories),
                            ]
                        }),
                    "leadTimes": .array(
                        s.durations.map { d in
                            [
                                "duration": .string(d.duration.rawValue), "title": .string(d.duration.title),
                                "rows": .array(d.rows.map(duration)), "total": duration(d.total),
                            ]
                        }),
                ]
            })
        return .object(o)
    }

    /// The report as aligned tables for a terminal.
    public var text: String {
        let t = request.threshold
        var out: [String] = []
        func table(_ head: [String], _ rows: [[String]]) {
            var widths = head.map(\.count)
            for r in rows { for (i, f) in r.enumerated() { widths[i] = max(widths[i], f.count) } }
            func pad(_ r: [String]) -> String {
                r.enumerated().map { i, f in
                    i == 0
                        ? f + String(repeating: " ", count: widths[i] - f.count)
                        : String(repeating: " ", count: widths[i] - f.count) + f
                }.joined(separator: "  ")
            }
            out.append(pad(head))
            for r in rows { out.append(pad(r)) }
            out.append("")
        }
        let scope = request.municipality ?? "de hele regio"
        out.append(
            "Monitor \(MonitorMonth.text(request.from)) t/m \(MonitorMonth.text(request.to)), per \(request.by == .month ? "maand" : "kwartaal"), \(scope)."
        )
        out.append("< \(t): minder dan \(t); x: afgeschermd, zodat een klein aantal niet terug te rekenen is.")
        out.append("")
        if sections.isEmpty { out.append("Geen gegevens in deze periode.") }
        for s in sections {
            out.append("== \(s.workflow) ==")
            out.append("")
            for tb in s.tables {
                out.append(tb.figure.title)
                table(
                    ["periode"] + tb.categories + ["totaal"],
                    (tb.rows + [tb.total]).map { r in
                        [r.label] + r.cells.map { $0.text(threshold: t) } + [r.total.text(threshold: t)]
                    })
            }
            for d in s.durations {
                out.append("\(d.duration.title) (werkdagen)")
                table(
                    ["periode", "mediaan", "p90"],
                    (d.rows + [d.total]).map { r in
                        [r.label, r.median.map(String.init) ?? "< \(t)", r.p90.map(String.init) ?? "< \(t)"]
                    })
            }
        }
        return out.joined(separator: "\n")
    }
}
