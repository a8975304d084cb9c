import RegieStore
import Foundation
import RegieCore
import RegieEngine

/// `regie timers due`.
enum TimersDueCommand: RegieCommand {
    static let path = "timers due"
    static let summary = "list deadlines and reminders that are overdue or due soon"
    static let synopsis = "[--within DURATION] [--json]"
    static let positionals = 0...0
    static let options: [OptionSpec] = [
        .value("within", "DURATION", "how far ahead to look: PT4H, P7D, 5 werkdagen (default P7D)"),
        .value("limit", "N", "at most N timers (default 1000)"),
        .flag("json", "print as JSON"),
    ]

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let spec: DurationSpec
        do { spec = try DurationSpec.parse(args.value("within") ?? "P7D") } catch {
            throw .usage("--within: \(error.description)")
        }
        let now = engine.clock.now()
        let cal = engine.config.calendar
        let until = cal.deadline(after: spec, from: now)
        let limit = try args.int("limit", range: 1...1_000_000) ?? 1000
        let timers = try engine.read { try $0.upcomingTimers(until: until, max: limit) }
        if args.json {
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
enum TimersRunCommand: RegieCommand {
    static let path = "timers run"
    static let summary = "fire due timers: once, or as a scheduler that sleeps until the next one is due"
    static let synopsis = "[--once] [--json]"
    static let positionals = 0...0
    static let options: [OptionSpec] = [
        .flag("once", "fire what is due now (overdue first, in due order) and exit"),
        .flag("json", "print the result as JSON (with --once)"),
    ]
    static let discussion = """
        Without --once, runs until SIGINT or SIGTERM: fires overdue timers at start-up, then sleeps until the next
        timer is due and wakes early when any process adds an earlier one. One scheduler per database.
        On a simulated-clock database it follows the database's clock, which `regie clock advance` (or --now on any
        command) moves; with --once and --now it moves the clock and fires what is due by then.
        """

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        if args.has("once") {
            let report = try engine.fireDueTimers()
            let late = report.latenessMs.max() ?? 0
            if args.json {
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
