import Foundation
import RegieCore
import RegieEngine

/// `regie backup`.
struct BackupCommand: RegieCommand {
    static let path = "backup"
    static let summary = "write a consistent, checked copy of the live database and its regional secret"
    static let synopsis = "DEST [--json]"
    static let positionals = 1...1
    @Flag("json", "print the result as JSON") var json: Bool
    static let discussion = """
        Safe while `regie serve` writes: the copy is one read snapshot (SQLite's VACUUM INTO), holding everything
        committed when it began. The regional secret, without which every pseudonym is lost, is copied beside it
        (DEST.secret, mode 0600) when it lives in a file; from $REGIE_PSEUDONYM_SECRET it must be kept with the
        backup by other means. The copy is checked (integrity, schema, access log, seals) before it gets its name;
        DEST must not exist. Restore with `regie restore DEST`.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let config = try context.config()
        let secret = Pseudonymizer.source(
            configFolder: context.configFolder, config: config, database: context.databasePath)
        let report = try engine.backup(to: arguments[0], secret: secret)
        context.auditDetail = "backup to \(report.destination)"
        if engine.readOnlyReason == nil {
            try engine.audit(context.auditEntry(Self.self))
        } else {
            Output.warn("the backup is not recorded in the access log: the database cannot be written")
        }
        if json {
            Output.json([
                "destination": .string(report.destination), "secret": .optional(report.secretCopy),
                "cases": .int(Int64(report.cases)), "events": .int(Int64(report.events)),
                "accessRecords": .int(Int64(report.accessRecords)), "bytes": .int(Int64(report.bytes)),
                "seconds": .double(report.seconds),
            ])
            return
        }
        Output.print(
            "Backed up to \(report.destination): \(report.cases) case(s), \(report.events) event(s), \(report.accessRecords) access record(s), \(report.bytes / 1024) KiB in \(String(format: "%.1f", report.seconds)) s; checked."
        )
        switch secret {
        case .file: Output.print("The regional secret is beside it: \(report.secretCopy ?? "")")
        case .environment:
            Output.warn(
                "the regional secret comes from $\(Pseudonymizer.environmentVariable): keep it with this backup")
        case .none: Output.warn("there is no regional secret: this database has no pseudonyms to keep")
        }
    }
}

/// `regie restore`.
struct RestoreCommand: RegieCommand {
    static let path = "restore"
    static let summary = "replace the database with a backup, once nothing uses it and the backup checks"
    static let synopsis = "SRC [--json]"
    static let positionals = 1...1
    @Flag("json", "print the result as JSON") var json: Bool
    static let discussion = """
        Refuses while any process uses the database (stop `regie serve` and the schedulers first). The backup must
        check (integrity, schema version, the access log's chain, the event log's seals); an older schema is
        brought up to date. The database it replaces is moved aside (DB.before-restore-TIME), never deleted, and
        the backup's secret (SRC.secret) comes along. The restore is recorded in the restored access log.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let entry = AuditEntry(
            at: SystemClock().now(), channel: .cli, action: "restore", resource: "regie restore", caseId: nil,
            clientKey: nil, partner: context.auditPartner, person: context.auditPerson, outcome: .ok, status: 0,
            detail: nil, address: ProcessInfo.processInfo.hostName)
        let report = try Engine.restore(from: arguments[0], to: context.databasePath, audit: entry)
        if json {
            Output.json([
                "database": .string(context.databasePath), "previous": .optional(report.previous),
                "secretRestored": .bool(report.secretRestored), "cases": .int(Int64(report.cases)),
                "events": .int(Int64(report.events)),
            ])
            return
        }
        Output.print(
            "Restored \(context.databasePath) from \(arguments[0]): \(report.cases) case(s), \(report.events) event(s); checked."
        )
        if let previous = report.previous { Output.print("The database it replaced is kept as \(previous).") }
        if !report.secretRestored {
            Output.warn("no \(arguments[0]).secret beside the backup: the database keeps the secret it had")
        }
    }
}
