import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// `regie audit verify`.
enum AuditVerifyCommand: RegieCommand {
    static let path = "audit verify"
    static let summary = "check the access log's hash chain; report every broken record"
    static let synopsis = ""
    static let positionals = 0...0
    static let options: [OptionSpec] = []
    static let discussion = """
        Each record holds the hash of the one before it, so changing or removing a record breaks the chain from there
        on. Exit code 6 when the chain is broken; every broken record is listed. `regie check` checks this, the
        event log's seals and the database file together.
        """

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let result = try engine.verifyAudit()
        if !result.broken.isEmpty {
            for b in result.broken { Output.print("record \(b.id): \(b.reason)") }
            throw .tampered(
                "the access log is broken at \(result.broken.count) record(s), the first \(result.broken[0].id), of \(result.checked)"
            )
        }
        Output.print("The access log is intact: \(result.checked) record(s), each chained to the one before.")
    }
}

/// `regie audit client`.
enum AuditClientCommand: RegieCommand {
    static let path = "audit client"
    static let summary = "who accessed a client's cases, for the client's own request"
    static let synopsis = "BSN [--json]"
    static let positionals = 1...1
    static let options: [OptionSpec] = [.flag("json", "print as JSON lines")]
    static let auditAction: String? = "audit"

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var filter = CaseStore.AuditFilter()
        filter.clientKey = try engine.clientKey(bsn: args.positionals[0])
        var records: [AuditEntry] = []
        try engine.forEachAuditPage(filter) { page in
            records += page
            return true
        }
        context.auditDetail = "client report: \(records.count) record(s)"
        if let key = filter.clientKey { context.touched = [(nil, key)] }
        if args.json {
            for r in records { Output.print(r.json.compactText) }
            return
        }
        let cal = engine.config.calendar
        Output.print(
            Output.table(
                ["WHEN", "ORGANISATION", "PERSON", "WHAT", "CASE", "OUTCOME"],
                records.map {
                    [
                        cal.localText($0.at), $0.partner, $0.person ?? "-", "\($0.action) \($0.resource)",
                        $0.caseId ?? "-", $0.outcome.rawValue,
                    ]
                }))
        Output.print("\(records.count) access(es) to this client's cases.")
    }
}

/// `regie audit export`.
enum AuditExportCommand: RegieCommand {
    static let path = "audit export"
    static let summary = "write the access log as JSON lines, optionally for a period"
    static let synopsis = "[--from ISO8601] [--to ISO8601] [--output FILE]"
    static let positionals = 0...0
    static let options: [OptionSpec] = [
        .value("from", "ISO8601", "records at or after this time (e.g. 2026-11-01 or 2026-11-01T08:00:00+01:00)"),
        .value("to", "ISO8601", "records before this time"),
        .value("output", "FILE", "write to this file instead of standard output"),
    ]

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var filter = CaseStore.AuditFilter()
        let cal = engine.config.calendar
        for (name, apply) in [("from", { (i: Instant) in filter.from = i }), ("to", { filter.to = $0 })] {
            guard let text = args.value(name) else { continue }
            do { apply(try cal.parseInstant(text)) } catch { throw .usage("--\(name): \(error.description)") }
        }
        var out: FileHandle = .standardOutput
        if let path = args.value("output") {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                let h = FileHandle(forWritingAtPath: path)
            else { throw .environment("cannot write \(path)") }
            out = h
        }
        var count = 0
        try engine.forEachAuditPage(filter) { page in
            out.write(Data(page.map { $0.json.compactText + "\n" }.joined().utf8))
            count += page.count
            return true
        }
        if args.value("output") != nil {
            Output.print("Wrote \(count) record(s) to \(args.value("output") ?? "").")
        }
    }
}
