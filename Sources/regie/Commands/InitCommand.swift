import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// `regie init`: creates the database.
enum InitCommand: RegieCommand {
    static let path = "init"
    static let summary = "create a Regie database (a SQLite file) and its pseudonym secret"
    static let synopsis = "[--db PATH] [--simulated-clock]"
    static let positionals = 0...0
    static let options: [OptionSpec] = [
        .flag(
            "simulated-clock",
            "let commands set the time with --now (tests, demos, training); fixed for the database's life"),
        .flag("json", "print the result as JSON"),
    ]
    static let discussion = """
        Creates the database file in WAL mode with durable commits. Unless $REGIE_PSEUDONYM_SECRET or the configuration
        names a secret, a random pseudonym secret is written beside it (PATH.secret, mode 0600): BSNs are turned into
        keyed pseudonyms with it, so keep it safe and share it only within the region. Running init again is harmless.
        """

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let simulated = args.has("simulated-clock")
        var now = SystemClock().now()
        if let text = args.value("now") {
            guard simulated else { throw .usage("--now needs --simulated-clock at init") }
            do { now = try DutchCalendar().parseInstant(text) } catch { throw .usage("--now: \(error.description)") }
        }
        // An empty file (left by a failure before init was atomic) is not a database: it is replaced.
        let existed =
            ((try? FileManager.default.attributesOfItem(atPath: context.databasePath)[.size] as? Int) ?? 0) > 0
        do {
            let store = try CaseStore.create(path: context.databasePath, simulatedClock: simulated, now: now)
            if simulated, try store.meta("clock_now") == nil { try store.setMeta("clock_now", now.iso8601) }
        } catch {
            throw EngineError.wrap(error, path: context.databasePath)
        }
        let config = try context.config()
        var secretNote = "pseudonym secret from $\(Pseudonymizer.environmentVariable)"
        if ProcessInfo.processInfo.environment[Pseudonymizer.environmentVariable] == nil
            && config.pseudonymSecretFile == nil
        {
            let made = try Pseudonymizer.createSecretFile(at: context.databasePath + ".secret")
            secretNote =
                made
                ? "new pseudonym secret in \(context.databasePath).secret (keep it safe)"
                : "pseudonym secret in \(context.databasePath).secret"
        } else if config.pseudonymSecretFile != nil
            && ProcessInfo.processInfo.environment[Pseudonymizer.environmentVariable] == nil
        {
            secretNote = "pseudonym secret from the configured file"
        }
        if args.json {
            Output.json([
                "database": .string(context.databasePath), "created": .bool(!existed),
                "simulatedClock": .bool(simulated),
            ])
        } else {
            Output.print(
                "\(existed ? "Opened existing" : "Created") \(context.databasePath)\(simulated ? " (simulated clock at \(now.iso8601))" : ""); \(secretNote)."
            )
        }
    }
}
