import RegieCore
import RegieEngine

/// Parses `--as PARTNER:ROLE` and `--person`.
func parseActor(_ args: Arguments) throws(EngineError) -> Actor? {
    guard let text = args.value("as") else { return nil }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty else {
        throw .usage("--as takes PARTNER:ROLE, e.g. --as gemeente-haarlem:regiehouder")
    }
    guard let role = Role(rawValue: String(parts[1])) else {
        let hint = closest(String(parts[1]), in: Role.allCases.map(\.rawValue)).map { "did you mean \($0)? " } ?? ""
        throw .usage("unknown role \"\(parts[1])\" in --as; \(hint)roles: \(Role.names)")
    }
    return Actor(partner: String(parts[0]), person: args.value("person"), role: role)
}

/// Parses repeated `--field NAME=VALUE`.
func parseFields(_ args: Arguments) throws(EngineError) -> [String: String] {
    var out: [String: String] = [:]
    for item in args.values["field"] ?? [] {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw .usage("--field takes NAME=VALUE, e.g. --field uitkomst=doel-bereikt")
        }
        let name = String(item[..<eq])
        guard out[name] == nil else { throw .usage("--field \(name) is given twice") }
        out[name] = String(item[item.index(after: eq)...])
    }
    return out
}

let fieldOption = OptionSpec(
    name: "field", value: "NAME=VALUE",
    help:
        "a field the workflow declares (repeatable), e.g. --field uitkomst=doel-bereikt; `regie workflow show` lists them",
    repeatable: true)

let actorOptions: [OptionSpec] = [
    .value("as", "PARTNER:ROLE", "who acts, in which role (default: the regiehouder)"),
    .value("person", "NAME", "the person acting for the partner, recorded in the event log"),
    .value(
        "idempotency-key", "KEY", "sending the same command with the same key again has one effect and the same answer"),
    .flag("json", "print the case after the change as JSON"),
]

/// Prints the answer to a command.
func printOutcome(_ outcome: Engine.Outcome, _ args: Arguments, _ engine: Engine, verb: String) throws(EngineError) {
    if args.json {
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
enum CaseOpenCommand: RegieCommand {
    static let path = "case open"
    static let summary = "open a case with its regiehouder"
    static let synopsis =
        "--workflow NAME --regie PARTNER [--gemeente GEMEENTE] [--field NAME=VALUE]... [--from CASE] [--contact TEXT] [--bsn BSN] [--as PARTNER:ROLE] [--json]"
    static let positionals = 0...0
    static let auditAction: String? = "write"
    static let options: [OptionSpec] =
        [
            .value("workflow", "NAME", "the workflow (see `regie workflow list`)"),
            .value("regie", "PARTNER", "the partner holding regie from the start"),
            .value(
                "gemeente", "PARTNER",
                "the responsible municipality (woonplaatsbeginsel); its procesregisseur owns level 1"),
            fieldOption,
            .value("from", "CASE", "the case this one is opened from; the link is recorded on both"),
            .value("contact", "TEXT", "the regiehouder's contact person"),
            .value("bsn", "BSN", "the client's BSN: checked (11-proef), pseudonymised, never stored"),
            .value(
                "shield", "MOTIVATION",
                "shield the case (afschermen) from the start: outsiders learn nothing that names it"),
            .value(
                "relation", "RELATION", "a household case: the relation of the --bsn client (client, ouder, kind, ...)"),
            OptionSpec(
                name: "household", value: "RELATION[:BSN]",
                help: "another member of the household, e.g. kind:123456782 (repeatable)", repeatable: true),
        ] + actorOptions

    /// The request these arguments make (shared with `regie batch`, so the two never drift apart).
    static func request(_ args: Arguments) throws(EngineError) -> Engine.OpenRequest {
        let household = (args.values["household"] ?? []).map { item -> (relation: String, bsn: String?) in
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count == 2 ? parts[1] : nil)
        }
        return Engine.OpenRequest(
            workflow: try args.required("workflow", "NAME (see `regie workflow list`)"),
            regie: try args.required("regie", "PARTNER (who holds regie)"),
            contact: args.value("contact"), bsn: args.value("bsn"), actor: try parseActor(args),
            idempotencyKey: args.value("idempotency-key"), fields: try parseFields(args),
            municipality: args.value("gemeente"), from: args.value("from"), shield: args.value("shield"),
            relation: args.value("relation"), members: household)
    }

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let request = try request(args)
        context.auditDetail = "open \(request.workflow)"
        let outcome = try engine.open(request, audit: context.auditEntry(Self.self))
        context.audited = true
        try printOutcome(outcome, args, engine, verb: "Opened")
    }
}

/// `regie case fire`.
enum CaseFireCommand: RegieCommand {
    static let path = "case fire"
    static let summary = "fire an event on a case (refused with the reason when the workflow does not allow it)"
    static let synopsis =
        "CASE EVENT [--as PARTNER:ROLE] [--note TEXT] [--target PARTNER] [--motivation TEXT] [--field NAME=VALUE]... [--timer NAME --days N] [--contact NAME] [--json]"
    static let positionals = 2...2
    static let options: [OptionSpec] =
        [
            fieldOption,
            .value("note", "TEXT", "a note, e.g. the progress made"),
            .value("target", "PARTNER", "the partner the event concerns (hand over to, add, remove)"),
            .value("motivation", "TEXT", "a written motivation or reason"),
            .value("timer", "NAME", "for verlengen: the deadline to extend (NAME, or NAME:PARTNER for one of several)"),
            .value("days", "N", "for verlengen: working days to add"),
            .value(
                "contact", "NAME",
                "the regiehouder's contact person (its own; or the new holder's when the event moves regie)"),
            .value("expect", "SEQUENCE", "refuse unless the case is still at this sequence (optimistic concurrency)"),
            OptionSpec(
                name: "for", value: "MEMBER",
                help: "a household case: the member the event is about (repeatable; gezin: all of them)",
                repeatable: true),
            .value("bsn", "BSN", "for lid-toevoegen: the new member's BSN (pseudonymised, never stored)"),
            .value(
                "relation", "RELATION",
                "for lid-toevoegen: the new member's relation (ouder, kind, partner, huisgenoot)"),
        ] + actorOptions
    static let discussion = """
        Built-in events on every case: opschorten (suspend), hervatten (resume), verlengen (extend a deadline) and
        contactpersoon (the regiehouder names its contact person). A deadline belongs to the escalation level that
        set it: only the owner of that level or a level above extends or suspends it, and nobody moves a statutory
        one; `regie case show` says whose each deadline is.
        """
    static let auditAction: String? = "write"

    /// The command these arguments make on a case (shared with `regie batch`); without `--as`, the regiehouder acts.
    static func command(_ args: Arguments, on record: CaseRecord, _ engine: Engine) throws(EngineError) -> CaseCommand {
        let actor =
            try parseActor(args)
            ?? Actor(partner: record.regie.partner, person: args.value("person"), role: .regiehouder)
        var command = CaseCommand(
            event: args.positionals[1], actor: actor, note: args.value("note"), target: args.value("target"),
            motivation: args.value("motivation"), timer: args.value("timer"),
            days: try args.int("days", range: 1...365),
            expectedSequence: try args.int("expect", range: 0...Int(Int32.max)), fields: try parseFields(args),
            contact: args.value("contact"))
        command.members = args.values["for"] ?? []
        command.relation = args.value("relation")
        command.clientKey = try args.value("bsn").map { bsn throws(EngineError) in try engine.clientKey(bsn: bsn) }
        return command
    }

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let caseId = args.positionals[0]
        let record = try engine.show(caseId)
        context.touched = [(record.id, record.clientKey)]
        context.auditDetail = "event \(args.positionals[1])"
        let command = try command(args, on: record, engine)
        let audit = context.auditEntry(Self.self, caseId: record.id, clientKey: record.clientKey)
        let outcome = try engine.fire(caseId, command, idempotencyKey: args.value("idempotency-key"), audit: audit)
        context.audited = true
        try printOutcome(outcome, args, engine, verb: "Fired \(args.positionals[1]) on")
    }
}

/// `regie case show`.
enum CaseShowCommand: RegieCommand {
    static let path = "case show"
    static let summary = "show a case: state, regie, level, partners, timers"
    static let synopsis = "CASE [--json]"
    static let positionals = 1...1
    static let auditAction: String? = "read"
    static let options: [OptionSpec] = [.flag("json", "print as JSON")]

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let record = try engine.show(args.positionals[0])
        context.touched = [(record.id, record.clientKey)]
        if args.json {
            Output.json(engine.json(of: record))
        } else {
            Output.print(Output.caseText(record, try engine.stateMachine(for: record)))
        }
    }
}

/// `regie case timeline`.
enum CaseTimelineCommand: RegieCommand {
    static let path = "case timeline"
    static let summary = "show a case's events in order"
    static let synopsis = "CASE [--json]"
    static let positionals = 1...1
    static let auditAction: String? = "read"
    static let options: [OptionSpec] = [.flag("json", "print as JSON")]

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let record = try engine.show(args.positionals[0])
        context.touched = [(record.id, record.clientKey)]
        let events = try engine.timeline(record.id)
        if args.json {
            Output.json(["case": .string(args.positionals[0]), "events": .array(events.map(\.json))])
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
enum CaseListCommand: RegieCommand {
    static let path = "case list"
    static let summary = "list open cases, optionally only stalled ones or those at a level"
    static let synopsis = "[--state S] [--level N] [--workflow NAME] [--stalled] [--all] [--json]"
    static let positionals = 0...0
    static let auditAction: String? = "read"
    static let options: [OptionSpec] = [
        .value("state", "S", "only cases in this state"),
        .value("level", "N", "only cases at this escalation level (0-3)"),
        .value("workflow", "NAME", "only cases of this workflow"),
        .flag("stalled", "only stalled cases: an overdue deadline, or no activity for the workflow's stalledAfter"),
        .flag("all", "include closed cases"),
        .value("limit", "N", "at most N cases (default 1000)"),
        .flag("json", "print as JSON"),
    ]

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let cases = try engine.list(
            state: args.value("state"), level: try args.int("level", range: 0...3), workflow: args.value("workflow"),
            stalled: args.has("stalled"), includeClosed: args.has("all"),
            limit: try args.int("limit", range: 1...1_000_000) ?? 1000)
        context.touched = cases.map { ($0.id, $0.clientKey) }
        if args.json {
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
