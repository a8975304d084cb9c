import RegieCore
import RegieEngine
import RegieStore

/// `regie retention plan`.
struct RetentionPlanCommand: RegieCommand {
    static let path = "retention plan"
    static let summary = "show which closed cases and access records are past their retention, and which are held"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        Periods are configuration (Config/region.json, "retention"): years after closing by workflow, and a longer
        period for the access log. Nothing changes; `regie retention run` purges what this lists.
        """
    static let auditAction: String? = "read"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let plan = try engine.retentionPlan()
        let cal = engine.config.calendar
        context.auditDetail = "retention plan: \(plan.due.count) case(s) due, \(plan.held.count) held"
        func item(_ i: Engine.RetentionItem) -> JSONValue {
            [
                "case": .string(i.caseId), "workflow": .string(i.workflow), "closedAt": .string(i.closedAt.iso8601),
                "purgeFrom": .string(i.purgeFrom.iso8601), "hold": .optional(i.hold),
            ]
        }
        if json {
            Output.json([
                "now": .string(plan.now.iso8601), "due": .array(plan.due.map(item)),
                "held": .array(plan.held.map(item)),
                "accessRecords": .int(Int64(plan.accessRecords)),
                "accessLogCutoff": .string(plan.accessLogCutoff.iso8601),
            ])
            return
        }
        let policy = engine.config.retention
        Output.print(
            "Retention on \(cal.localText(plan.now)): cases \(policy.defaultYears) years after closing\(policy.workflowYears.isEmpty ? "" : " (" + policy.workflowYears.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"), the access log \(policy.accessLogYears) years."
        )
        if plan.due.isEmpty { Output.print("No closed case is past its retention.") }
        for i in plan.due {
            Output.print(
                "  purge \(i.caseId)  \(i.workflow), closed \(cal.localText(i.closedAt)), due since \(cal.localText(i.purgeFrom))"
            )
        }
        for i in plan.held {
            Output.print("  HELD  \(i.caseId)  \(i.workflow), closed \(cal.localText(i.closedAt)): \(i.hold ?? "")")
        }
        Output.print(
            plan.accessRecords == 0
                ? "No access record is older than \(cal.localText(plan.accessLogCutoff))."
                : "\(plan.accessRecords) access record(s) older than \(cal.localText(plan.accessLogCutoff)) would be purged."
        )
    }
}

/// `regie retention run`.
struct RetentionRunCommand: RegieCommand {
    static let path = "retention run"
    static let summary = "purge closed cases past their retention (tombstones stay) and the oldest access records"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        A purged case loses its events, fields, members' pseudonyms, timers and webhook deliveries; a tombstone
        keeps its id, workflow, number of events and last seal, and every purge is recorded in the access log with
        the client's pseudonym. A case under a legal hold (`regie retention hold`) is skipped. The scheduler (in
        `regie serve` and `regie timers run`) does this once a day; see `regie retention plan` first.
        """
    static let auditAction: String? = "retention"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let report = try engine.runRetention(by: context.auditEntry(Self.self))
        context.audited = true
        if json {
            Output.json([
                "purged": .array(report.purged.map { .string($0.caseId) }),
                "held": .array(report.held.map { .string($0.caseId) }),
                "accessRecordsPurged": .int(Int64(report.accessRecordsPurged)),
                "sessionsPurged": .int(Int64(report.sessionsPurged)),
            ])
            return
        }
        Output.print(
            "Purged \(report.purged.count) case(s)\(report.purged.isEmpty ? "" : ": " + report.purged.map(\.caseId).joined(separator: ", ")); \(report.held.count) held; \(report.accessRecordsPurged) access record(s) purged; \(report.sessionsPurged) old login session(s) removed."
        )
    }
}

extension RetentionRunCommand {
    /// What a scheduler's daily retention run says.
    static func log(_ result: Result<Engine.RetentionReport, EngineError>) {
        switch result {
        case .success(let r):
            Output.print(
                "retention: purged \(r.purged.count) case(s), \(r.accessRecordsPurged) access record(s); \(r.held.count) held"
            )
        case .failure(let e): Output.warn("retention run failed (tried again tomorrow): \(e.description)")
        }
    }
}

/// `regie retention hold`.
struct RetentionHoldCommand: RegieCommand, StatesWhoActs {
    static let path = "retention hold"
    static let summary = "place a legal hold on a case: it is not purged until the hold is released"
    static let synopsis = "CASE --reason TEXT"
    static let positionals = 1...1
    @Option("reason", "TEXT", "why, e.g. the court case or the complaint it is kept for (required)") var reason: String?
    @Option("as", "PARTNER", "the partner placing it, for the access log (default beheer)") var statedPartner: String?
    @Option("person", "NAME", "who places it (default the login name)") var statedPerson: String?
    static let auditAction: String? = "hold"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        try engine.placeHold(
            arguments[0], reason: reason ?? "", audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("Case \(arguments[0]) is held: it is not purged until `regie retention release`.")
    }
}

/// `regie retention release`.
struct RetentionReleaseCommand: RegieCommand, StatesWhoActs {
    static let path = "retention release"
    static let summary = "release a case's legal hold"
    static let synopsis = "CASE [--reason TEXT]"
    static let positionals = 1...1
    @Option("reason", "TEXT", "why, e.g. the case was settled") var reason: String?
    @Option("as", "PARTNER", "the partner releasing it, for the access log (default beheer)") var statedPartner: String?
    @Option("person", "NAME", "who releases it (default the login name)") var statedPerson: String?
    static let auditAction: String? = "hold"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        try engine.releaseHold(
            arguments[0], reason: reason ?? "", audit: context.auditEntry(Self.self))
        context.audited = true
        Output.print("The hold on case \(arguments[0]) is released; it is purged when its retention has passed.")
    }
}

/// `regie retention holds`.
struct RetentionHoldsCommand: RegieCommand {
    static let path = "retention holds"
    static let summary = "list the legal holds"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let holds = try engine.legalHolds()
        if json {
            Output.json([
                "holds": .array(
                    holds.map {
                        [
                            "case": .string($0.caseId), "reason": .string($0.reason), "by": .string($0.by),
                            "at": .string($0.at.iso8601),
                        ]
                    })
            ])
            return
        }
        if holds.isEmpty { Output.print("No legal holds.") }
        let cal = engine.config.calendar
        for h in holds { Output.print("\(h.caseId)  since \(cal.localText(h.at)) by \(h.by): \(h.reason)") }
    }
}
