import RegieStore
import RegieCore
import RegieEngine

/// `regie check`.
struct CheckCommand: RegieCommand {
    static let path = "check"
    static let summary = "check the database file, the access log's chain and every case's sealed event log"
    static let synopsis = "[--quick] [--json]"
    static let positionals = 0...0
    @Flag("quick", "SQLite's quick_check instead of the full integrity_check (faster; skips index contents)") var quick:
        Bool
    @Flag("json", "print the report as JSON") var json: Bool
    static let discussion = """
        Three checks: SQLite's integrity check of the file; the access log's hash chain (every broken record);
        and the event log of every case: each event's seal covers the seal before it, its content and the case's
        state after it, so an altered or removed event, or a projection or timer changed behind the log's back,
        is named by case and event. Exit codes: 0 sound, 5 the file is damaged (restore a backup), 6 something
        was altered (compare with a backup; the access log says who did what when).
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let report = try engine.check(quick: quick)
        if json {
            Output.json([
                "integrity": .array(report.integrity.map { .string($0) }),
                "accessLog": [
                    "checked": .int(Int64(report.audit.checked)),
                    "broken": .array(
                        report.audit.broken.map { ["record": .int($0.id), "reason": .string($0.reason)] }),
                ],
                "eventLog": [
                    "cases": .int(Int64(report.cases)),
                    "broken": .array(
                        report.seals.map {
                            [
                                "case": .string($0.caseId), "event": $0.sequence.map { .int(Int64($0)) } ?? .null,
                                "reason": .string($0.reason),
                            ]
                        }),
                ],
                "damaged": .bool(report.damaged), "tampered": .bool(report.tampered),
            ])
        } else {
            Output.print(
                report.integrity.isEmpty
                    ? "The database file is sound (\(quick ? "quick_check" : "integrity_check"))."
                    : "The database file is damaged:\n" + report.integrity.map { "  " + $0 }.joined(separator: "\n"))
            Output.print(
                report.audit.broken.isEmpty
                    ? "The access log is intact: \(report.audit.checked) record(s)."
                    : "The access log is broken:\n"
                        + report.audit.broken.map { "  record \($0.id): \($0.reason)" }.joined(separator: "\n"))
            Output.print(
                report.seals.isEmpty
                    ? "The event log is intact: \(report.cases) case(s), every event sealed to the one before."
                    : "The event log does not verify:\n" + report.seals.map { "  \($0)" }.joined(separator: "\n"))
        }
        if report.damaged {
            throw .damaged("the database file is damaged; restore the latest backup (`regie restore`)")
        }
        if report.tampered {
            throw .tampered("the logs do not verify: something was altered; see above, and compare with a backup")
        }
    }
}
