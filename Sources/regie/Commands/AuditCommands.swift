import Foundation
import RegieCore
import RegieEngine
import RegieStore

/// `regie audit verify`.
struct AuditVerifyCommand: RegieCommand {
    static let path = "audit verify"
    static let summary = "check the access log's hash chain; report every broken record"
    static let synopsis = ""
    static let positionals = 0...0

    static let discussion = """
        Each record holds the hash of the one before it, so changing or removing a record breaks the chain from there
        on. Exit code 6 when the chain is broken; every broken record is listed. `regie check` checks this, the
        event log's seals and the database file together.
        """

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
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
struct AuditClientCommand: RegieCommand {
    static let path = "audit client"
    static let summary = "who accessed a client's cases, for the client's own request"
    static let synopsis = "BSN [--json]"
    static let positionals = 1...1
    @Flag("json", "print as JSON lines") var json: Bool
    static let auditAction: String? = "audit"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var filter = CaseStore.AuditFilter()
        filter.clientKey = try engine.clientKey(bsn: arguments[0])
        var records: [AuditEntry] = []
        try engine.forEachAuditPage(filter) { page in
            records += page
            return true
        }
        context.auditDetail = "client report: \(records.count) record(s)"
        if let key = filter.clientKey { context.touched = [(nil, key)] }
        if json {
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
struct AuditExportCommand: RegieCommand {
    static let path = "audit export"
    static let summary = "write the access log as JSON lines, optionally for a period"
    static let synopsis = "[--from ISO8601] [--to ISO8601] [--output FILE]"
    static let positionals = 0...0
    @Option("from", "ISO8601", "records at or after this time (e.g. 2026-11-01 or 2026-11-01T08:00:00+01:00)") var from:
        Instant?
    @Option("to", "ISO8601", "records before this time") var to: Instant?
    @Option("output", "FILE", "write to this file instead of standard output") var output: String?

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var filter = CaseStore.AuditFilter()
        (filter.from, filter.to) = (from, to)
        var out: FileHandle = .standardOutput
        if let path = output {
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
        if output != nil {
            Output.print("Wrote \(count) record(s) to \(output ?? "").")
        }
    }
}
