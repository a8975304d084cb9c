import RegieCore
import RegieEngine

/// Prints the answer to a command.
func printOutcome(_ outcome: Engine.Outcome, json: Bool, _ engine: Engine, verb: String) throws(EngineError) {
    if json {
        Output.json(outcome.response)
        return
    }
    let id = outcome.response["id"]?.stringValue ?? ""
    if outcome.replayed {
        Output.print(
            "Already done (same idempotency key): case \(id) is at sequence \(outcome.response["sequence"]?.intValue ?? 0), state \(outcome.response["state"]?.stringValue ?? "")."
        )
        return
    }
    Output.print("\(verb) case \(id):")
    let record: CaseRecord
    if let known = outcome.record { record = known } else { record = try engine.show(id) }
    Output.print(Output.caseText(record, try engine.stateMachine(for: record)))
}

/// `regie case open`.
struct CaseOpenCommand: ActingCommand {
    static let path = "case open"
    static let summary = "open a case with its regiehouder"
    static let synopsis =
        "--workflow NAME --regie PARTNER [--gemeente GEMEENTE] [--field NAME=VALUE]... [--from CASE] [--contact TEXT] [--bsn BSN] [--as PARTNER:ROLE] [--json]"
    static let positionals = 0...0
    static let auditAction: String? = "write"
    @Required(
        "workflow", "NAME", "the workflow (see `regie workflow list`)", missing: "NAME (see `regie workflow list`)")
    var workflow: String
    @Required("regie", "PARTNER", "the partner holding regie from the start", missing: "PARTNER (who holds regie)")
    var regie: String
    @Option(
        "gemeente", "PARTNER", "the responsible municipality (woonplaatsbeginsel); its procesregisseur owns level 1")
    var gemeente: String?
    let fields = FieldOptions()
    @Option("from", "CASE", "the case this one is opened from; the link is recorded on both") var fromCase: String?
    @Option("contact", "TEXT", "the regiehouder's contact person") var contact: String?
    @Option("bsn", "BSN", "the client's BSN: checked (11-proef), pseudonymised, never stored") var bsn: String?
    @Option(
        "shield", "MOTIVATION", "shield the case (afschermen) from the start: outsiders learn nothing that names it")
    var shield: String?
    @Option("relation", "RELATION", "a household case: the relation of the --bsn client (client, ouder, kind, ...)")
    var relation: String?
    @Repeated("household", "RELATION[:BSN]", "another member of the household, e.g. kind:123456782 (repeatable)")
    var household: [String]
    let acting = ActorOptions()

    /// The request these options make (shared with `regie batch`, so the two never drift apart).
    var request: Engine.OpenRequest {
        let household = household.map { item -> (relation: String, bsn: String?) in
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count == 2 ? parts[1] : nil)
        }
        return Engine.OpenRequest(
            workflow: workflow, regie: regie, contact: contact, bsn: bsn, actor: acting.actor,
            idempotencyKey: acting.idempotencyKey, fields: fields.assigned,
            municipality: gemeente, from: fromCase, shield: shield,
            relation: relation, members: household)
    }

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        context.auditDetail = "open \(request.workflow)"
        let outcome = try engine.open(request, audit: context.auditEntry(Self.self))
        context.audited = true
        try printOutcome(outcome, json: acting.json, engine, verb: "Opened")
    }
}

/// `regie case fire`.
struct CaseFireCommand: ActingCommand {
    static let path = "case fire"
    static let summary = "fire an event on a case (refused with the reason when the workflow does not allow it)"
    static let synopsis =
        "CASE EVENT [--as PARTNER:ROLE] [--note TEXT] [--target PARTNER] [--motivation TEXT] [--field NAME=VALUE]... [--timer NAME --days N] [--contact NAME] [--json]"
    static let positionals = 2...2
    let fields = FieldOptions()
    @Option("note", "TEXT", "a note, e.g. the progress made") var note: String?
    @Option("target", "PARTNER", "the partner the event concerns (hand over to, add, remove)") var target: String?
    @Option("motivation", "TEXT", "a written motivation or reason") var motivation: String?
    @Option("timer", "NAME", "for verlengen: the deadline to extend (NAME, or NAME:PARTNER for one of several)")
    var timer: String?
    @Option("days", "N", "for verlengen: working days to add", range: 1...365) var days: Int?
    @Option(
        "contact", "NAME", "the regiehouder's contact person (its own; or the new holder's when the event moves regie)")
    var contact: String?
    @Option(
        "expect", "SEQUENCE", "refuse unless the case is still at this sequence (optimistic concurrency)",
        range: 0...Int(Int32.max))
    var expect: Int?
    @Repeated("for", "MEMBER", "a household case: the member the event is about (repeatable; gezin: all of them)")
    var members: [String]
    @Option("bsn", "BSN", "for lid-toevoegen: the new member's BSN (pseudonymised, never stored)") var bsn: String?
    @Option("relation", "RELATION", "for lid-toevoegen: the new member's relation (ouder, kind, partner, huisgenoot)")
    var relation: String?
    let acting = ActorOptions()
    static let discussion = """
        Built-in events on every case: opschorten (suspend), hervatten (resume), verlengen (extend a deadline) and
        contactpersoon (the regiehouder names its contact person). A deadline belongs to the escalation level that
        set it: only the owner of that level or a level above extends or suspends it, and nobody moves a statutory
        one; `regie case show` says whose each deadline is.
        """
    static let auditAction: String? = "write"

    /// The command these options make for `event` on a case (shared with `regie batch`); without `--as`, the
    /// regiehouder acts.
    func command(_ event: String, on record: CaseRecord, _ engine: Engine) throws(EngineError) -> CaseCommand {
        let actor =
            acting.actor ?? Actor(partner: record.regie.partner, person: acting.person, role: .regiehouder)
        var command = CaseCommand(
            event: event, actor: actor, note: note, target: target, motivation: motivation, timer: timer,
            days: days, expectedSequence: expect, fields: fields.assigned, contact: contact)
        command.members = members
        command.relation = relation
        command.clientKey = try bsn.map { bsn throws(EngineError) in try engine.clientKey(bsn: bsn) }
        return command
    }

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let caseId = arguments[0]
        let record = try engine.show(caseId)
        context.touched = [(record.id, record.clientKey)]
        context.auditDetail = "event \(arguments[1])"
        let command = try command(arguments[1], on: record, engine)
        let audit = context.auditEntry(Self.self, caseId: record.id, clientKey: record.clientKey)
        let outcome = try engine.fire(caseId, command, idempotencyKey: acting.idempotencyKey, audit: audit)
        context.audited = true
        try printOutcome(outcome, json: acting.json, engine, verb: "Fired \(arguments[1]) on")
    }
}

/// `regie case show`.
struct CaseShowCommand: RegieCommand {
    static let path = "case show"
    static let summary = "show a case: state, regie, level, partners, timers"
    static let synopsis = "CASE [--json]"
    static let positionals = 1...1
    static let auditAction: String? = "read"
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let record = try engine.show(arguments[0])
        context.touched = [(record.id, record.clientKey)]
        if json {
            Output.json(engine.json(of: record))
        } else {
            Output.print(Output.caseText(record, try engine.stateMachine(for: record)))
        }
    }
}

/// `regie case timeline`.
struct CaseTimelineCommand: RegieCommand {
    static let path = "case timeline"
    static let summary = "show a case's events in order"
    static let synopsis = "CASE [--json]"
    static let positionals = 1...1
    static let auditAction: String? = "read"
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let record = try engine.show(arguments[0])
        context.touched = [(record.id, record.clientKey)]
        let events = try engine.timeline(record.id)
        if json {
            Output.json(["case": .string(arguments[0]), "events": .array(events.map(\.json))])
            return
        }
        let cal = engine.config.calendar
        Output.print(
            Output.table(
                ["SEQ", "WHEN", "EVENT", "BY", "DETAILS"],
                events.map { e in
                    let by = "\(e.actor.partner)\(e.actor.person.map { " (\($0))" } ?? "") as \(e.actor.role.rawValue)"
                    let details = (e.payload.objectValue?.members ?? []).map {
                        "\($0.key)=\($0.value.stringValue ?? $0.value.compactText)"
                    }.joined(separator: " ")
                    return [String(e.sequence), cal.localText(e.at), e.event, by, details]
                }))
    }
}

/// `regie case list`.
struct CaseListCommand: RegieCommand {
    static let path = "case list"
    static let summary = "list open cases, optionally only stalled ones or those at a level"
    static let synopsis = "[--state S] [--level N] [--workflow NAME] [--stalled] [--all] [--json]"
    static let positionals = 0...0
    static let auditAction: String? = "read"
    @Option("state", "S", "only cases in this state") var state: String?
    @Option("level", "N", "only cases at this escalation level (0-3)", range: 0...3) var level: Int?
    @Option("workflow", "NAME", "only cases of this workflow") var workflow: String?
    @Flag("stalled", "only stalled cases: an overdue deadline, or no activity for the workflow's stalledAfter")
    var stalled: Bool
    @Flag("all", "include closed cases") var all: Bool
    @Option("limit", "N", "at most N cases (default 1000)", range: 1...1_000_000) var limit: Int?
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let cases = try engine.list(
            state: state, level: level, workflow: workflow,
            stalled: stalled, includeClosed: all,
            limit: limit ?? 1000)
        context.touched = cases.map { ($0.id, $0.clientKey) }
        if json {
            Output.json(["cases": .array(cases.map(engine.json(of:)))])
            return
        }
        let cal = engine.config.calendar
        Output.print(
            Output.table(
                ["CASE", "WORKFLOW", "STATE", "LEVEL", "REGIE", "NEXT DEADLINE"],
                cases.map { r in
                    let next = r.timers.filter { $0.kind == .deadline }.min { $0.dueAt < $1.dueAt }
                    return [
                        r.id, "\(r.workflow) v\(r.version)", r.state + (r.suspended ? " (opgeschort)" : ""),
                        String(r.level), r.regie.partner,
                        next.map { "\($0.label) \(cal.deadlineText($0.dueAt))" } ?? "-",
                    ]
                }))
        Output.print("\(cases.count) case(s)")
    }
}
