import RegieStore
import Foundation
import RegieCore
import RegieEngine

/// `regie timers due`.
struct TimersDueCommand: RegieCommand {
    static let path = "timers due"
    static let summary = "list deadlines and reminders that are overdue or due soon"
    static let synopsis = "[--within DURATION] [--json]"
    static let positionals = 0...0
    @Option("within", "DURATION", "how far ahead to look: PT4H, P7D, 5 werkdagen (default P7D)") var within:
        DurationSpec?
    @Option("limit", "N", "at most N timers (default 1000)", range: 1...1_000_000) var limit: Int?
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let spec = within ?? .calendar(days: 7, seconds: 0)
        let now = engine.clock.now()
        let cal = engine.config.calendar
        let until = cal.deadline(after: spec, from: now)
        let limit = limit ?? 1000
        let timers = try engine.read { try $0.upcomingTimers(until: until, max: limit) }
        if json {
            Output.json([
                "now": .string(now.iso8601), "until": .string(until.iso8601),
                "timers": .array(
                    timers.map { c, t in
                        [
                            "case": .string(c), "name": .string(t.name), "kind": .string(t.kind.rawValue),
                            "event": .string(t.event), "dueAt": .string(t.dueAt.iso8601),
                            "overdue": .bool(t.dueAt <= now), "paused": .bool(t.paused),
                        ]
                    }),
            ])
            return
        }
        Output.print(
            Output.table(
                ["CASE", "TIMER", "KIND", "DUE", "FIRES", "STATUS"],
                timers.map { c, t in
                    let status: String
                    if t.paused {
                        status = "paused"
                    } else if t.dueAt <= now {
                        status = "OVERDUE"
                    } else {
                        status = "in \(humanDuration(t.dueAt.seconds(since: now)))"
                    }
                    return [c, t.name, t.kind.rawValue, cal.deadlineText(t.dueAt), t.event, status]
                }))
        Output.print("\(timers.count) timer(s) due by \(cal.localText(until))")
    }
}

/// `DurationText.rough` for a length in (fractional) seconds.
func humanDuration(_ seconds: Double) -> String { DurationText.rough(seconds: Int64(seconds)) }

/// `regie timers run`.
struct TimersRunCommand: RegieCommand {
    static let path = "timers run"
    static let summary = "fire due timers: once, or as a scheduler that sleeps until the next one is due"
    static let synopsis = "[--once] [--json]"
    static let positionals = 0...0
    @Flag("once", "fire what is due now (overdue first, in due order) and exit") var once: Bool
    @Flag("json", "print the result as JSON (with --once)") var json: Bool
    static let discussion = """
        Without --once, runs until SIGINT or SIGTERM: fires overdue timers at start-up, then sleeps until the next
        timer is due and wakes early when any process adds an earlier one. One scheduler per database.
        On a simulated-clock database it follows the database's clock, which `regie clock advance` (or --now on any
        command) moves; with --once and --now it moves the clock and fires what is due by then.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        if once {
            let report = try engine.fireDueTimers()
            let late = report.latenessMs.max() ?? 0
            if json {
                Output.json([
                    "fired": .int(Int64(report.fired)), "maxLatenessMs": .int(late),
                    "now": .string(engine.clock.now().iso8601),
                ])
            } else {
                Output.print(
                    "Fired \(report.fired) timer(s) due by \(engine.config.calendar.localText(engine.clock.now()))\(report.fired > 0 ? "; latest was \(humanDuration(Double(late) / 1000)) late" : "")."
                )
            }
            return
        }
        let scheduler = try Scheduler(engine: engine)
        let sources = onStopSignals { scheduler.stop() }
        Output.print("Scheduler running on \(context.databasePath); Ctrl-C stops it.")
        try scheduler.run(
            report: { report in
                Output.print(
                    "\(engine.config.calendar.localText(engine.clock.now())): fired \(report.fired) timer(s), max lateness \(report.latenessMs.max() ?? 0) ms"
                )
            }, retention: RetentionRunCommand.log)
        sources.forEach { $0.cancel() }
        Output.print("Scheduler stopped.")
    }
}
