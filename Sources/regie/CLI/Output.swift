import Foundation
import RegieCore

/// Writing to the terminal: aligned tables for people, one JSON document for programs.
enum Output {
    static func print(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func json(_ value: JSONValue) { print(value.prettyText) }

    static func warn(_ s: String) {
        FileHandle.standardError.write(Data(("regie: " + s + "\n").utf8))
    }

    /// Rows padded into columns, with a header.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(widths[i]) }.joined(separator: "  ")
                .trimmingTrailingSpaces
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static let levelNames = ["regulier", "procesregie", "ketenregie", "bestuurlijk"]

    /// A case for people.
    static func caseText(_ r: CaseRecord, _ calendar: DutchCalendar) -> String {
        var rows: [(String, String)] = [
            ("case", "\(r.id)  (\(r.workflow) v\(r.version))"),
            (
                "state",
                r.state + (r.closedAt != nil ? "  (closed \(calendar.localText(r.closedAt ?? r.updatedAt)))" : "")
            ),
            ("regie", r.regie.partner + (r.regie.contact.map { "  (contact: \($0))" } ?? "")),
            ("level", "\(r.level) \(levelNames[min(max(r.level, 0), 3)])"),
            ("partners", r.partners.map { "\($0.partner) (\($0.role.rawValue))" }.joined(separator: ", ")),
            ("suspended", r.suspendedAt.map { "yes, since \(calendar.localText($0))" } ?? "no"),
            ("sequence", String(r.sequence)),
        ]
        if r.clientKey != nil { rows.append(("client", "pseudonym \(String((r.clientKey ?? "").prefix(16)))")) }
        let d = r.details
        if let m = d.municipality { rows.append(("gemeente", m)) }
        if let since = d.levelSince { rows.append(("escalated", "at this level since \(calendar.localText(since))")) }
        for (i, f) in d.fields.sorted(by: { $0.key < $1.key }).enumerated() {
            rows.append((i == 0 ? "fields" : "", "\(f.key) = \(f.value)"))
        }
        if let agenda = d.agenda { rows.append(("agenda", "VSO meeting \(calendar.localText(agenda))")) }
        if let h = d.handover {
            rows.append(
                (
                    "handover",
                    "\(h.subject.rawValue) from \(h.from) to \(h.to): \(h.stage) (offered \(calendar.localText(h.offeredAt)))"
                ))
        }
        if let o = d.opdracht {
            rows.append(("opdracht", "\(o.partner), given by \(o.givenBy)\(o.text.map { ": \($0)" } ?? "")"))
        }
        for (i, l) in d.links.enumerated() {
            let how = l.direction == .opened ? "opened from this case" : "this case was opened from it"
            rows.append((i == 0 ? "links" : "", "\(l.caseId) (\(l.workflow)): \(how)"))
        }
        let deadlines = r.timers.filter { $0.kind == .deadline }
        if deadlines.isEmpty { rows.append(("timers", "none")) }
        for (i, t) in deadlines.enumerated() {
            rows.append(
                (
                    i == 0 ? "timers" : "",
                    "\(t.name): \(calendar.deadlineText(t.dueAt)) -> \(t.event)\(t.paused ? " (paused)" : "")"
                ))
        }
        for (i, t) in r.timers.filter({ $0.kind == .reminder }).enumerated() {
            rows.append(
                (i == 0 ? "reminders" : "", "\(t.name): \(calendar.localText(t.dueAt))\(t.paused ? " (paused)" : "")"))
        }
        rows.append(("opened", calendar.localText(r.openedAt)))
        rows.append(("activity", calendar.localText(r.lastActivityAt)))
        return rows.map { "  " + $0.0.padding(10) + "  " + $0.1 }.joined(separator: "\n")
    }
}
