import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// `regie init`: creates the database.
struct InitCommand: RegieCommand {
    static let path = "init"
    static let summary = "create a Regie database (a SQLite file) and its pseudonym secret"
    static let synopsis = "[--db PATH] [--simulated-clock]"
    static let positionals = 0...0
    @Flag(
        "simulated-clock",
        "let commands set the time with --now (tests, demos, training); fixed for the database's life")
    var simulatedClock: Bool
    @Flag("json", "print the result as JSON") var json: Bool
    static let discussion = """
        Creates the database file in WAL mode with durable commits. Unless $REGIE_PSEUDONYM_SECRET or the configuration
        names a secret, a random pseudonym secret is written beside it (PATH.secret, mode 0600): BSNs are turned into
        keyed pseudonyms with it, so keep it safe and share it only within the region. Running init again is harmless.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let simulated = simulatedClock
        var now = SystemClock().now()
        if let given = context.now {
            guard simulated else { throw .invalid("--now needs --simulated-clock at init") }
            now = given
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
        if json {
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
