import Foundation
import RegieCore
import RegieEngine

/// `regie config show`.
struct ConfigShowCommand: RegieCommand {
    static let path = "config show"
    static let summary = "show the region: mandates, the escalation ladder, windows and VSO meetings"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let c = try context.config()
        let weekdays = ["ma", "di", "wo", "do", "vr", "za", "zo"]
        func hhmm(_ s: Int) -> String { String(format: "%02d:%02d", s / 3600, s / 60 % 60) }
        let mandates = Role.allCases.filter { c.mandates[$0] != nil }
        func days(_ list: [LocalDate: String]) -> JSONValue {
            .array(
                list.sorted { $0.key < $1.key }.map { ["date": .string($0.key.isoText), "reason": .string($0.value)] })
        }
        if json {
            Output.json(
                .object(
                    JSONObject(pairs: [
                        "region": .string(c.region), "centrumgemeente": .optional(c.centrumgemeente),
                        "mandates": .object(
                            JSONObject(
                                mandates.map {
                                    .init(
                                        key: $0.rawValue,
                                        value: .array((c.mandates[$0] ?? []).sorted().map { .string($0) }))
                                })),
                        "procesregisseurs": .object(
                            JSONObject(
                                c.procesregisseurs.sorted { $0.key < $1.key }.map {
                                    .init(key: $0.key, value: .string($0.value))
                                })),
                        "ladder": .array(
                            c.ladder.map {
                                [
                                    "level": .int(Int64($0.level)), "name": .string($0.name),
                                    "owner": .string($0.owner.rawValue),
                                    "deadline": .string($0.deadline.description),
                                    "doorzettingsmacht": .bool($0.doorzettingsmacht),
                                ]
                            }),
                        "windows": .object(
                            JSONObject(
                                RegionConfig.windowDefaults.map {
                                    .init(key: $0.name, value: .string((c.windows[$0.name] ?? $0.duration).description))
                                })),
                        "vso": .array(
                            c.vso.map {
                                [
                                    "basisteam": .string($0.basisteam), "weekday": .string(weekdays[$0.weekday - 1]),
                                    "time": .string(hhmm($0.time)),
                                    "cutoff": [
                                        "workingDaysBefore": .int(Int64($0.cutoffWorkingDaysBefore)),
                                        "time": .string(hhmm($0.cutoffTime)),
                                    ],
                                ]
                            }),
                        "calendar": [
                            "decreedDays": days(c.calendar.decreedDays),
                            "extraNonWorkingDays": days(c.calendar.extraDays),
                        ],
                        "retention": [
                            "defaultYears": .int(Int64(c.retention.defaultYears)),
                            "workflows": .object(
                                JSONObject(
                                    c.retention.workflowYears.sorted { $0.key < $1.key }.map {
                                        JSONObject.Member(key: $0.key, value: .int(Int64($0.value)))
                                    })),
                            "accessLogYears": .int(Int64(c.retention.accessLogYears)),
                        ],
                        "textLimits": [
                            "note": .int(Int64(c.textLimits.note)), "field": .int(Int64(c.textLimits.field)),
                            "short": .int(Int64(c.textLimits.short)),
                        ],
                    ])))
            return
        }
        var lines = ["\(c.region)" + (c.centrumgemeente.map { " (centrumgemeente \($0))" } ?? ""), "", "Mandates:"]
        for role in mandates {
            lines.append("  \(role.rawValue.padding(16))  \((c.mandates[role] ?? []).sorted().joined(separator: ", "))")
        }
        if !c.procesregisseurs.isEmpty {
            lines.append("  procesregie per municipality:")
            for (m, p) in c.procesregisseurs.sorted(by: { $0.key < $1.key }) {
                lines.append("    \(m.padding(24))  \(p)")
            }
        }
        lines += ["", "Escalation ladder:"]
        lines.append(
            Output.table(
                ["LEVEL", "NAME", "OWNER", "DEADLINE", "DOORZETTINGSMACHT"],
                c.ladder.map {
                    [
                        String($0.level), $0.name, $0.owner.rawValue, $0.deadline.description,
                        $0.doorzettingsmacht ? "yes" : "no",
                    ]
                }
            ).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        lines += ["", "Windows:"]
        for w in RegionConfig.windowDefaults {
            lines.append(
                "  \(w.name.padding(20))  \((c.windows[w.name] ?? w.duration).description.padding(14))  \(w.meaning)")
        }
        lines += ["", "Vroegsignaleringsoverleg:"]
        for v in c.vso {
            lines.append(
                "  \(v.basisteam.padding(28))  \(weekdays[v.weekday - 1]) \(hhmm(v.time)), agenda closes \(v.cutoffWorkingDaysBefore) werkdag(en) before at \(hhmm(v.cutoffTime))"
            )
        }
        lines += [
            "", "Calendars:",
            "  wet (statutory periods): weekends and the holidays of the Algemene termijnenwet, Good Friday included",
            "  praktijk (the region's windows and ladder): the law's days and the extra days below",
        ]
        for (title, list) in [
            ("Decreed days (Atw art. 3 lid 3, both calendars):", c.calendar.decreedDays),
            ("Extra non-working days (praktijk only):", c.calendar.extraDays),
        ] where !list.isEmpty {
            lines += ["", title]
            for (d, reason) in list.sorted(by: { $0.key < $1.key }) { lines.append("  \(d.isoText)  \(reason)") }
        }
        lines += [
            "", "Retention (years after closing):",
            "  \("default".padding(28))  \(c.retention.defaultYears)",
        ]
        for (w, y) in c.retention.workflowYears.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(w.padding(28))  \(y)")
        }
        lines.append("  \("the access log".padding(28))  \(c.retention.accessLogYears)")
        lines += [
            "",
            "Text limits (characters): note or motivation \(c.textLimits.note), field \(c.textLimits.field), name \(c.textLimits.short)",
        ]
        Output.print(lines.joined(separator: "\n"))
    }
}
