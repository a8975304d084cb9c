import RegieCore
import RegieEngine

/// `regie vso agenda`.
struct VSOAgendaCommand: RegieCommand {
    static let path = "vso agenda"
    static let summary = "the agenda of a basisteam's Vroegsignaleringsoverleg: one item per person"
    static let synopsis = "--team BASISTEAM [--date YYYY-MM-DD] [--json]"
    static let positionals = 0...0
    static let auditAction: String? = "read"
    @Required(
        "team", "BASISTEAM", "the police basisteam (see `regie config show`)",
        missing: "BASISTEAM (see `regie config show`)")
    var team: String
    @Option("date", "YYYY-MM-DD", "the meeting on this date (default: the next meeting)") var date: LocalDate?
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        Lists each person's signals on the meeting (a later signal about the same person joins the item), with
        their melders and chair, and the partners already involved with the person elsewhere; no care notes. A
        signal that is not discussed moves to the next meeting by itself. Partners see the same agenda through
        GET /v1/vso/{basisteam}/agenda when they are among the meeting's standing participants.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let agenda = try engine.vsoAgenda(team: team, on: date, for: nil)
        context.touched = agenda.items.flatMap(\.signals).map { ($0.id, $0.clientKey) }
        let cal = engine.config.calendar
        if json {
            Output.json([
                "basisteam": .string(team), "meetingAt": .string(agenda.meeting.iso8601),
                "items": .array(
                    agenda.items.map { item in
                        [
                            "signals": .array(item.signals.map { .string($0.id) }),
                            "involved": .array(item.involved.map { .string($0) }),
                        ]
                    }),
            ])
            return
        }
        Output.print(
            "Vroegsignaleringsoverleg \(team), \(cal.dayText(cal.localDate(of: agenda.meeting))) \(cal.localText(agenda.meeting).split(separator: " ")[1])"
        )
        var rows: [[String]] = []
        for (i, item) in agenda.items.enumerated() {
            for (j, s) in item.signals.enumerated() {
                rows.append([
                    j == 0 ? String(i + 1) : "", s.id, cal.localText(s.openedAt),
                    s.partners.filter { $0.role == .melder }.map(\.partner).joined(separator: ", "), s.regie.partner,
                    j == 0 ? (item.involved.isEmpty ? "-" : item.involved.joined(separator: ", ")) : "",
                ])
            }
        }
        Output.print(Output.table(["ITEM", "SIGNAL", "REGISTERED", "MELDER", "CHAIR", "ALREADY INVOLVED"], rows))
        Output.print("\(agenda.items.count) item(s), \(rows.count) signal(s)")
    }
}
