import Foundation
import RegieCore
import Synchronization

/// Writing to the terminal: aligned tables for people, one JSON document for programs.
enum Output {
    /// What a command printed while its access was not yet logged (nil: print at once). A process runs one command,
    /// so there is one; in a Mutex because the engine's threads may print too.
    private static let held = Mutex<[UInt8]?>(nil)

    static func print(_ s: String) {
        let bytes = Array((s + "\n").utf8)
        let printNow = held.withLock { buffer -> Bool in
            guard buffer != nil else { return true }
            buffer?.append(contentsOf: bytes)
            return false
        }
        if printNow { FileHandle.standardOutput.write(Data(bytes)) }
    }

    /// Holds what is printed from now on until `release` (the access is logged) or `discard` (it could not be).
    static func hold() { held.withLock { $0 = [] } }

    /// Prints what was held.
    static func release() {
        let bytes = held.withLock { buffer -> [UInt8] in
            defer { buffer = nil }
            return buffer ?? []
        }
        if !bytes.isEmpty { FileHandle.standardOutput.write(Data(bytes)) }
    }

    /// Drops what was held: the answer is withheld.
    static func discard() { held.withLock { $0 = nil } }

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

    /// A case for people: deadlines as people read them ("end of Friday 10 April 2026"), each with whose it is,
    /// whether the law sets it and which calendar counts it.
    static func caseText(_ r: CaseRecord, _ machine: StateMachine) -> String {
        let calendar = machine.calendar
        let contact =
            r.regie.contact.map { "  (contact: \($0))" }
            ?? (r.details.contactRequired ? "  (no contact person yet: its first action must name one)" : "")
        var rows: [(String, String)] = [
            ("case", "\(r.id)  (\(r.workflow) v\(r.version))"),
            (
                "state",
                r.state + (r.closedAt != nil ? "  (closed \(calendar.localText(r.closedAt ?? r.updatedAt)))" : "")
            ),
            ("regie", r.regie.partner + contact),
            ("level", "\(r.level) \(levelNames[min(max(r.level, 0), 3)])"),
            (
                "partners",
                r.partners.map {
                    "\($0.partner) (\($0.role.rawValue)\($0.members.map { ", for " + $0.sorted().joined(separator: "+") } ?? ""))"
                }.joined(separator: ", ")
            ),
        ]
        if let s = r.details.shield {
            rows.append(("shielded", "by \(s.by) since \(calendar.localText(s.at)): \(s.motivation)"))
        }
        if let since = r.suspendedAt {
            let by = r.details.suspension.map {
                " by \($0.by.partner) (\($0.by.role.rawValue)), up to level \($0.level): \($0.motivation)"
            }
            rows.append(("suspended", "since \(calendar.localText(since))\(by ?? "")"))
        } else {
            rows.append(("suspended", "no"))
        }
        rows.append(("sequence", String(r.sequence)))
        if r.clientKey != nil { rows.append(("client", "pseudonym \(String((r.clientKey ?? "").prefix(16)))")) }
        let d = r.details
        if let m = d.municipality { rows.append(("gemeente", m)) }
        if let since = d.levelSince { rows.append(("escalated", "at this level since \(calendar.localText(since))")) }
        if let e = d.escalation {
            let asked = e.asked.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            rows.append(("raised", "by \(e.by): \(e.reason)\(asked.isEmpty ? "" : "; asked: \(asked)")"))
        }
        let members = machine.members(of: r)
        if members.count > 1 || !d.members.isEmpty {
            rows.append(
                ("members", members.map { "\($0.id)\($0.clientKey == nil ? " (no BSN)" : "")" }.joined(separator: ", "))
            )
        }
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
        for (i, o) in d.opdrachten.enumerated() {
            let due = r.timers.first { $0.kind == .deadline && $0.name == o.timer && $0.subject == o.partner }
            rows.append(
                (
                    i == 0 ? "opdrachten" : "",
                    "\(o.partner): \(due.map { calendar.deadlineText($0.dueAt) } ?? "no deadline"), given by \(o.givenBy) at level \(o.level)\(o.text.map { ": \($0)" } ?? "")"
                ))
        }
        for (i, l) in d.links.enumerated() {
            let how = l.direction == .opened ? "opened from this case" : "this case was opened from it"
            rows.append((i == 0 ? "links" : "", "\(l.caseId) (\(l.workflow)): \(how)"))
        }
        let deadlines = r.timers.filter { $0.kind == .deadline }
        if deadlines.isEmpty { rows.append(("timers", "none")) }
        for (i, t) in deadlines.enumerated() {
            let info = machine.info(t)
            var about: [String] = []
            if info.statutory {
                about.append("statutory\(info.legalBasis.map { ": \($0)" } ?? ""); nobody may move it")
            } else if t.ownerLevel == 0 {
                about.append("the regiehouder's")
            } else {
                about.append("level \(t.ownerLevel) (\(levelNames[min(t.ownerLevel, 3)]))'s")
            }
            about.append("\(info.calendar.rawValue) calendar")
            if let p = t.pausedAt { about.append("paused since \(calendar.localText(p))") }
            rows.append(
                (
                    i == 0 ? "timers" : "",
                    "\(info.label): \(calendar.deadlineText(t.dueAt)) -> \(t.event)  [\(about.joined(separator: "; "))]"
                ))
        }
        for (i, t) in r.timers.filter({ $0.kind == .reminder }).enumerated() {
            rows.append(
                (
                    i == 0 ? "reminders" : "",
                    "\(t.label): \(calendar.deadlineText(t.dueAt))\(t.paused ? " (paused)" : "")"
                ))
        }
        rows.append(("opened", calendar.localText(r.openedAt)))
        rows.append(("activity", calendar.localText(r.lastActivityAt)))
        return rows.map { "  " + $0.0.padding(10) + "  " + $0.1 }.joined(separator: "\n")
    }
}
