import RegieCore
import RegieEngine
import RegieStore

/// `regie clock show`.
struct ClockShowCommand: RegieCommand {
    static let path = "clock show"
    static let summary = "show the database's time: the real clock, or the simulated one every process follows"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        try Self.show(engine, json: json, before: nil)
    }

    static func show(_ engine: Engine, json: Bool, before: Instant?) throws(EngineError) {
        let now = engine.clock.now()
        let simulated = engine.simulatedClock
        if json {
            Output.json([
                "now": .string(now.iso8601), "simulated": .bool(simulated), "before": .optional(before?.iso8601),
            ])
            return
        }
        let cal = engine.config.calendar
        let moved = before.map { " (was \(cal.localText($0)))" } ?? ""
        Output.print(
            "\(cal.localText(now)), \(cal.dayText(cal.localDate(of: now)))\(moved): \(simulated ? "the simulated clock; every process on this database follows it" : "the real clock")"
        )
    }
}

/// `regie clock set`.
struct ClockSetCommand: RegieCommand {
    static let path = "clock set"
    static let summary = "move a simulated clock forward to a time (demos, training); every process follows"
    static let synopsis = "TIME [--json]"
    static let positionals = 1...1
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        Only on a database made with `regie init --simulated-clock`. The time lives in the database: `regie serve`
        and every other process on it read it, and their scheduler and webhook deliverer wake to act at the new
        time. The clock never runs backwards. `--now TIME` on any command moves it the same way.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let target: Instant
        do { target = try DutchCalendar().parseInstant(arguments[0]) } catch {
            throw .invalid("TIME: \(error.description)")
        }
        let before = try SimulatedClock.set(databasePath: context.databasePath, to: target)
        try ClockShowCommand.show(try context.engine(), json: json, before: before)
    }
}

/// `regie clock advance`.
struct ClockAdvanceCommand: RegieCommand {
    static let path = "clock advance"
    static let summary = "move a simulated clock forward by a duration: PT4H, P3D, 5 werkdagen"
    static let synopsis = "DURATION [--json]"
    static let positionals = 1...1
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        Calendar time keeps the local clock time across daylight saving (P3D from Friday 10:00 is Monday 10:00);
        working days skip weekends and holidays and keep the time of day. See `regie clock set`.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let spec: DurationSpec
        do { spec = try DurationSpec.parse(arguments[0]) } catch {
            throw .invalid("DURATION: \(error.description)")
        }
        let engine = try context.engine()
        guard engine.simulatedClock else {
            throw .invalid(
                "\(context.databasePath) uses the real clock, which nobody moves; create a test database with `regie init --simulated-clock`"
            )
        }
        let cal = engine.config.calendar
        let now = engine.clock.now()
        let target: Instant
        switch spec {
        case .workingDays(let n): target = cal.shifting(now, byWorkingDays: n)
        case .calendar(let days, let seconds):
            target = cal.addingLocalDays(days, to: now).adding(seconds: Int64(seconds))
        }
        let before = try SimulatedClock.set(databasePath: context.databasePath, to: target)
        try ClockShowCommand.show(engine, json: json, before: before)
    }
}
