/// Turns the text of a workflow file into a `Workflow`, or into every problem found in it.
///
/// A file is loaded whole or not at all: any problem rejects the whole file.
public enum WorkflowLoader {
    static let topKeys = [
        "$schema", "name", "version", "title", "description", "stalledAfter", "include", "included", "opening",
        "states", "transitions", "timers",
    ]
    static let moduleKeys = ["$schema", "module", "name", "version", "title", "description", "transitions", "timers"]
    static let stateKeys = ["name", "description", "initial", "final", "timers"]
    static let transitionKeys = [
        "event", "description", "from", "to", "roles", "requires", "fields", "levelOwner", "doorzettingsmacht",
        "effects", "module",
    ]
    static let fieldKeys = ["name", "description", "required", "values", "kind"]
    static let timerKeys = [
        "name", "description", "after", "workingDays", "window", "from", "durationField", "statutory", "legalBasis",
        "owner", "fires", "reminders",
    ]
    static let effectKeys = [
        "assignRegie", "addPartner", "removePartner", "startTimer", "cancelTimer", "raiseLevel", "setLevel",
        "offerHandover", "acceptHandover", "refuseHandover", "recordMeeting", "completeHandover", "withdrawHandover",
        "giveOpdracht", "completeOpdracht", "withdrawOpdracht", "endOpdracht", "openCase", "nextMeeting", "notify",
    ]

    /// Whether a file's text is a module (`"module": true`) rather than a workflow.
    public static func isModule(_ text: [UInt8]) -> Bool {
        (try? JSONParser.parse(text))?["module"] == .bool(true)
    }

    /// Parses a file that must hold one JSON object.
    private static func parseObject(_ text: [UInt8], file: String, what: String) throws(ValidationFailure) -> (
        JSONObject, ProblemSink
    ) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw ValidationFailure([
                ValidationProblem(
                    file: file, path: "$", line: error.line, column: error.column,
                    message: "JSON syntax error: \(error.message)")
            ])
        }
        let sink = ProblemSink(file: file, text: text)
        guard let object = root.objectValue else {
            sink.add("$", nil, "a \(what) must be a JSON object, not \(root.kindDescription)", "start the file with {")
            throw ValidationFailure(sink.problems)
        }
        return (object, sink)
    }

    /// Loads and validates a module: transitions and timers that workflows include (`"include"`), in every
    /// non-final state of the including workflow.
    /// - Throws: `ValidationFailure` listing every problem.
    public static func loadModule(_ text: [UInt8], file: String) throws(ValidationFailure) -> WorkflowModule {
        let (object, sink) = try parseObject(text, file: file, what: "module")
        let top = ObjectReader(object: object, path: "$", allowed: moduleKeys, report: sink)
        top.checkUnknownKeys()
        let name = top.slug("name", required: true, what: "module name")
        let version = top.int("version", required: true, range: 1...1_000_000)
        var transitions: [TransitionDefinition] = []
        var timers: [TimerDefinition] = []
        for (i, item) in (top.array("transitions", required: true) ?? []).enumerated() {
            let p = "$.transitions[\(i)]"
            var withFrom = item
            if var o = item.objectValue, o["from"] == nil {
                o["from"] = ["*"]
                withFrom = .object(o)
            }
            if let t = decodeTransition(withFrom, path: p, sink: sink) { transitions.append(t) }
            if let from = item["from"], from != .array(["*"]), from != .string("*") {
                sink.add(
                    p + ".from", nil, "a module's transitions apply in every open state of the including workflow",
                    "write \"from\": [\"*\"] or leave \"from\" out")
            }
        }
        for (i, item) in (top.array("timers", required: false) ?? []).enumerated() {
            if let t = decodeTimer(item, path: "$.timers[\(i)]", sink: sink) { timers.append(t) }
        }
        guard let name, let version, sink.problems.isEmpty else { throw ValidationFailure(sink.problems) }
        return WorkflowModule(
            name: name, version: version, title: top.string("title", required: false) ?? name,
            description: top.string("description", required: false) ?? "", object: object.withoutOffsets,
            transitions: transitions, timers: timers)
    }

    /// Loads the definition a workflow version was stored with when its first case opened (modules merged in). It
    /// passed every check then; only its form is read now, so that a check added later never strands running cases.
    /// - Throws: `ValidationFailure` when the text cannot be read as a workflow.
    public static func loadStored(_ text: [UInt8], file: String) throws(ValidationFailure) -> Workflow {
        let (object, _) = try parseObject(text, file: file, what: "workflow")
        return try load(object: object, text: text, file: file, check: false)
    }

    /// Loads a workflow, merging in the modules it includes.
    /// - Throws: `ValidationFailure` listing every problem, including unknown modules and clashing names.
    public static func load(_ text: [UInt8], file: String, modules: [String: WorkflowModule]) throws(ValidationFailure)
        -> Workflow
    {
        var (object, sink) = try parseObject(text, file: file, what: "workflow")
        guard let include = object["include"] else { return try load(object: object, text: text, file: file) }
        let offset = object.members.first { $0.key == "include" }?.offset
        guard let names = include.arrayValue?.compactMap(\.stringValue), names.count == include.arrayValue?.count else {
            sink.add("$.include", offset, "\"include\" must be a list of module names", "e.g. [\"opschaling\"]")
            throw ValidationFailure(sink.problems)
        }
        var transitions = object["transitions"]?.arrayValue ?? []
        var timers = object["timers"]?.arrayValue ?? []
        for (i, name) in names.enumerated() {
            guard let module = modules[name] else {
                let hint = closest(name, in: Array(modules.keys)).map { "did you mean \"\($0)\"?" }
                sink.add(
                    "$.include[\(i)]", offset, "unknown module \"\(name)\"",
                    hint ?? "modules found: \(modules.keys.sorted().joined(separator: ", "))")
                continue
            }
            let own = Set(transitions.compactMap { $0["event"]?.stringValue })
            let ownTimers = Set(timers.compactMap { $0["name"]?.stringValue })
            for t in module.object["transitions"]?.arrayValue ?? [] {
                let event = t["event"]?.stringValue ?? ""
                if own.contains(event) {
                    sink.add(
                        "$.include[\(i)]", offset,
                        "event \"\(event)\" is defined here and in module \(name)", "rename it or drop the module")
                }
                var merged = t.objectValue ?? JSONObject()
                merged["from"] = ["*"]
                merged["module"] = .string(name)
                transitions.append(.object(merged))
            }
            for t in module.object["timers"]?.arrayValue ?? [] {
                let timer = t["name"]?.stringValue ?? ""
                if ownTimers.contains(timer) {
                    sink.add(
                        "$.include[\(i)]", offset, "timer \"\(timer)\" is defined here and in module \(name)",
                        "rename it or drop the module")
                }
                timers.append(t)
            }
        }
        guard sink.problems.isEmpty else { throw ValidationFailure(sink.problems) }
        object["include"] = nil
        object["included"] = .array(names.map { .string($0) })
        object["transitions"] = .array(transitions)
        object["timers"] = .array(timers)
        return try load(object: object, text: text, file: file)
    }

    /// Loads and validates one workflow.
    /// - Parameters:
    ///   - text: the file's bytes.
    ///   - file: the file name, used in problem reports.
    /// - Returns: the workflow.
    /// - Throws: `ValidationFailure` listing every problem, one per line.
    public static func load(_ text: [UInt8], file: String) throws(ValidationFailure) -> Workflow {
        let (object, sink) = try parseObject(text, file: file, what: "workflow")
        if object["include"] != nil {
            sink.add(
                "$.include", nil, "this workflow includes modules, which are read from its folder",
                "load it with its folder (regie workflow validate FILE reads the modules beside it)")
            throw ValidationFailure(sink.problems)
        }
        return try load(object: object, text: text, file: file)
    }

    private static func load(object: JSONObject, text: [UInt8], file: String, check: Bool = true)
        throws(ValidationFailure) -> Workflow
    {
        let sink = ProblemSink(file: file, text: text)
        let workflow = decode(object, sink: sink, source: JSONValue.object(object).compactText)
        if let workflow, check { WorkflowChecker(workflow: workflow, sink: sink, root: object).check() }
        guard var workflow, sink.problems.isEmpty else { throw ValidationFailure(sink.problems) }
        // "*" means every non-final state; expand it once so that nothing downstream has to know.
        let nonFinal = workflow.states.filter { !$0.final }.map(\.name)
        for i in workflow.transitions.indices where workflow.transitions[i].from.contains("*") {
            var seen = Set<String>()
            workflow.transitions[i].from = workflow.transitions[i].from.flatMap { $0 == "*" ? nonFinal : [$0] }.filter {
                seen.insert($0).inserted
            }
        }
        return workflow
    }

    private static func decode(_ object: JSONObject, sink: ProblemSink, source: String) -> Workflow? {
        let top = ObjectReader(object: object, path: "$", allowed: topKeys, report: sink)
        top.checkUnknownKeys()
        let name = top.slug("name", required: true, what: "workflow name")
        let version = top.int("version", required: true, range: 1...1_000_000)
        let title = top.string("title", required: false) ?? name ?? ""
        let description = top.string("description", required: false) ?? ""
        var stalledAfter = DurationSpec.workingDays(10)
        if let text = top.string("stalledAfter", required: false),
            let parsed = sink.duration(text, "$.stalledAfter", top.offset(of: "stalledAfter"))
        {
            stalledAfter = parsed
        }
        var states: [StateDefinition] = []
        if let items = top.array("states", required: true) {
            if items.isEmpty {
                sink.add(
                    "$.states", top.offset(of: "states"), "a workflow needs states", "add an initial and a final state")
            }
            for (i, item) in items.enumerated() {
                if let s = decodeState(item, path: "$.states[\(i)]", sink: sink) { states.append(s) }
            }
        }
        var transitions: [TransitionDefinition] = []
        if let items = top.array("transitions", required: true) {
            for (i, item) in items.enumerated() {
                if let t = decodeTransition(item, path: "$.transitions[\(i)]", sink: sink) { transitions.append(t) }
            }
        }
        var timers: [TimerDefinition] = []
        for (i, item) in (top.array("timers", required: false) ?? []).enumerated() {
            if let t = decodeTimer(item, path: "$.timers[\(i)]", sink: sink) { timers.append(t) }
        }
        var opening = OpeningDefinition()
        if let value = object["opening"] {
            if let o = Self.object(value, "$.opening", "\"opening\"", sink) {
                let r = ObjectReader(object: o, path: "$.opening", allowed: ["fields", "effects"], report: sink)
                r.checkUnknownKeys()
                opening.fields = decodeFields(r, path: "$.opening", sink: sink)
                for (i, item) in (r.array("effects", required: false) ?? []).enumerated() {
                    if let e = decodeEffect(item, path: "$.opening.effects[\(i)]", sink: sink) {
                        opening.effects.append(e)
                    }
                }
            }
        }
        let included = (top.stringList("included", required: false) ?? []).map(\.0)
        guard let name, let version else { return nil }
        return Workflow(
            name: name, version: version, title: title, description: description, states: states,
            transitions: transitions, timers: timers, stalledAfter: stalledAfter, opening: opening,
            includes: included, source: source)
    }

    private static func object(_ value: JSONValue, _ path: String, _ what: String, _ sink: ProblemSink) -> JSONObject? {
        guard let o = value.objectValue else {
            sink.add(path, nil, "\(what) must be an object, not \(value.kindDescription)", nil)
            return nil
        }
        return o
    }

    private static func decodeState(_ value: JSONValue, path: String, sink: ProblemSink) -> StateDefinition? {
        guard let o = object(value, path, "a state", sink) else { return nil }
        let r = ObjectReader(object: o, path: path, allowed: stateKeys, report: sink)
        r.checkUnknownKeys()
        let name = r.slug("name", required: true, what: "state name")
        var timers: [TimerDefinition] = []
        for (i, item) in (r.array("timers", required: false) ?? []).enumerated() {
            if let t = decodeTimer(item, path: "\(path).timers[\(i)]", sink: sink) { timers.append(t) }
        }
        guard let name else { return nil }
        return StateDefinition(
            name: name, description: r.string("description", required: false) ?? "", initial: r.bool("initial"),
            final: r.bool("final"), timers: timers)
    }

    private static func decodeRoles(_ r: ObjectReader) -> Set<Role> {
        var roles = Set<Role>()
        for (text, p) in r.stringList("roles", required: true) ?? [] {
            if let role = Role(rawValue: text) {
                roles.insert(role)
            } else {
                let hint = closest(text, in: Role.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"? " } ?? ""
                r.report.add(p, r.offset(of: "roles"), "unknown role \"\(text)\"", "\(hint)roles are: \(Role.names)")
            }
        }
        return roles
    }

    private static func decodeTransition(_ value: JSONValue, path: String, sink: ProblemSink) -> TransitionDefinition? {
        guard let o = object(value, path, "a transition", sink) else { return nil }
        let r = ObjectReader(object: o, path: path, allowed: transitionKeys, report: sink)
        r.checkUnknownKeys()
        let event = r.slug("event", required: true, what: "event name")
        var from: [String] = []
        if let single = o["from"]?.stringValue {
            from = [single]
        } else {
            from = (r.stringList("from", required: true) ?? []).map(\.0)
            if o["from"] != nil && from.isEmpty {
                sink.add(
                    path + ".from", r.offset(of: "from"), "\"from\" is empty",
                    "name at least one state, or \"*\" for every non-final state")
            }
        }
        let to = r.string("to", required: false)
        let roles = decodeRoles(r)
        var requires = Set<Requirement>()
        for (text, p) in r.stringList("requires", required: false) ?? [] {
            if let req = Requirement(rawValue: text) {
                requires.insert(req)
            } else {
                sink.add(
                    p, r.offset(of: "requires"), "unknown requirement \"\(text)\"", "use motivation, target or note")
            }
        }
        var effects: [Effect] = []
        for (i, item) in (r.array("effects", required: false) ?? []).enumerated() {
            if let e = decodeEffect(item, path: "\(path).effects[\(i)]", sink: sink) { effects.append(e) }
        }
        let fields = decodeFields(r, path: path, sink: sink)
        guard let event else { return nil }
        return TransitionDefinition(
            event: event, description: r.string("description", required: false) ?? "", from: from, to: to,
            roles: roles, requires: requires, effects: effects, fields: fields, levelOwner: r.bool("levelOwner"),
            doorzettingsmacht: r.bool("doorzettingsmacht"), module: r.string("module", required: false))
    }

    private static func decodeFields(_ r: ObjectReader, path: String, sink: ProblemSink) -> [FieldDefinition] {
        var out: [FieldDefinition] = []
        for (i, item) in (r.array("fields", required: false) ?? []).enumerated() {
            let p = "\(path).fields[\(i)]"
            guard let o = object(item, p, "a field", sink) else { continue }
            let fr = ObjectReader(object: o, path: p, allowed: fieldKeys, report: sink)
            fr.checkUnknownKeys()
            guard let name = fr.slug("name", required: true, what: "field name") else { continue }
            var kind = FieldDefinition.Kind.text
            let values = fr.stringList("values", required: false)?.map(\.0)
            switch (fr.string("kind", required: false), values) {
            case (nil, nil), ("text", nil): kind = .text
            case (nil, let v?), ("choice", let v?):
                if v.isEmpty { sink.add(p + ".values", fr.offset(of: "values"), "a choice needs values", nil) }
                kind = .choice(v)
            case ("werkdagen", nil): kind = .workingDays
            case ("basisteam", nil): kind = .basisteam
            case (let k?, _):
                sink.add(
                    p + ".kind", fr.offset(of: "kind"), "unknown field kind \"\(k)\" (or kind with values)",
                    "use text, choice (with \"values\"), werkdagen or basisteam")
            }
            if out.contains(where: { $0.name == name }) {
                sink.add(p + ".name", fr.offset(of: "name"), "duplicate field \"\(name)\"", nil)
            }
            out.append(
                FieldDefinition(
                    name: name, description: fr.string("description", required: false) ?? "",
                    required: fr.bool("required"), kind: kind))
        }
        return out
    }

    private static func decodeEffect(_ value: JSONValue, path: String, sink: ProblemSink) -> Effect? {
        guard var o = object(value, path, "an effect", sink) else { return nil }
        let r = ObjectReader(object: o, path: path, allowed: effectKeys + ["when"], report: sink)
        r.checkUnknownKeys()
        if let condition = o["when"] {
            // {"when": {"field": "value" or ["a", "b"]}, "effect": ...}: the effect applies only for those values.
            o["when"] = nil
            guard let c = condition.objectValue, c.members.count == 1, let m = c.members.first,
                let values = m.value.stringValue.map({ [$0] }) ?? m.value.arrayValue?.compactMap(\.stringValue),
                !values.isEmpty
            else {
                sink.add(
                    path + ".when", r.offset(of: "when"), "\"when\" takes one field and its value(s)",
                    "e.g. {\"when\": {\"besluit\": \"opdracht\"}, \"giveOpdracht\": \"opdracht-termijn\"}")
                return nil
            }
            return decodeEffect(.object(o), path: path, sink: sink).map { .when(field: m.key, values: values, $0) }
        }
        guard o.members.count == 1, let member = o.members.first, effectKeys.contains(member.key) else {
            if o.members.count != 1 {
                sink.add(
                    path, nil, "an effect has exactly one key",
                    "write each effect as its own object, e.g. {\"raiseLevel\": true}")
            }
            return nil
        }
        let p = path + "." + member.key
        switch member.key {
        case "assignRegie" where member.value == .string("ifTarget"):
            return .assignRegieIfTarget
        case "assignRegie", "removePartner", "raiseLevel", "refuseHandover", "recordMeeting", "completeHandover",
            "withdrawHandover", "completeOpdracht", "withdrawOpdracht", "endOpdracht", "nextMeeting":
            guard member.value == .bool(true) else {
                let extra =
                    member.key == "assignRegie" ? " (or \"ifTarget\": only when the command names a target)" : ""
                sink.add(p, member.offset, "\"\(member.key)\" takes true\(extra)", nil)
                return nil
            }
            let simple: [String: Effect] = [
                "assignRegie": .assignRegie, "removePartner": .removePartner, "raiseLevel": .raiseLevel,
                "refuseHandover": .refuseHandover, "recordMeeting": .recordMeeting,
                "completeHandover": .completeHandover, "withdrawHandover": .withdrawHandover,
                "completeOpdracht": .completeOpdracht, "withdrawOpdracht": .withdrawOpdracht,
                "endOpdracht": .endOpdracht, "nextMeeting": .nextMeeting,
            ]
            return simple[member.key]
        case "offerHandover", "acceptHandover", "giveOpdracht":
            guard let name = member.value.stringValue else {
                sink.add(p, member.offset, "\"\(member.key)\" takes the name of the timer it starts (its window)", nil)
                return nil
            }
            return member.key == "offerHandover"
                ? .offerHandover(timer: name)
                : member.key == "acceptHandover" ? .acceptHandover(timer: name) : .giveOpdracht(timer: name)
        case "openCase":
            guard let name = member.value.stringValue, isSlug(name) else {
                sink.add(p, member.offset, "\"openCase\" takes the name of the workflow to open", nil)
                return nil
            }
            return .openCase(workflow: name)
        case "addPartner":
            guard let text = member.value.stringValue, let role = Role(rawValue: text), role != .regiehouder,
                role != .systeem
            else {
                sink.add(
                    p, member.offset, "\"addPartner\" takes the role the partner gets",
                    "one of betrokken, procesregisseur, ketenregisseur, bestuurlijk, melder (regie moves with assignRegie)"
                )
                return nil
            }
            return .addPartner(role)
        case "startTimer", "cancelTimer":
            guard let name = member.value.stringValue else {
                sink.add(p, member.offset, "\"\(member.key)\" takes a timer name", nil)
                return nil
            }
            return member.key == "startTimer" ? .startTimer(name) : .cancelTimer(name)
        case "setLevel":
            guard let level = member.value.intValue, (0...3).contains(level) else {
                sink.add(p, member.offset, "\"setLevel\" takes an escalation level from 0 to 3", nil)
                return nil
            }
            return .setLevel(Int(level))
        default:
            guard let n = member.value.objectValue else {
                sink.add(p, member.offset, "\"notify\" takes an object with \"topic\" and \"to\"", nil)
                return nil
            }
            let nr = ObjectReader(object: n, path: p, allowed: ["topic", "to"], report: sink)
            nr.checkUnknownKeys()
            let topic = nr.string("topic", required: true)
            var audience: [Audience] = []
            for (text, ap) in nr.stringList("to", required: true) ?? [] {
                if let a = Audience(text) {
                    audience.append(a)
                } else {
                    sink.add(
                        ap, member.offset, "unknown recipient \"\(text)\"",
                        "use a role (\(Role.names)), \"target\", \"all\", \"levelOwner\" or \"handover\"")
                }
            }
            guard let topic else { return nil }
            return .notify(topic: topic, to: audience)
        }
    }

    private static func decodeTimer(_ value: JSONValue, path: String, sink: ProblemSink) -> TimerDefinition? {
        guard let o = object(value, path, "a timer", sink) else { return nil }
        let r = ObjectReader(object: o, path: path, allowed: timerKeys, report: sink)
        r.checkUnknownKeys()
        let name = r.slug("name", required: true, what: "timer name")
        let fires = r.slug("fires", required: true, what: "event name")
        var duration: DurationSpec?
        let window = r.string("window", required: false)
        if let window, !RegionConfig.windowNames.contains(window) {
            let hint = closest(window, in: RegionConfig.windowNames).map { "did you mean \"\($0)\"? " } ?? ""
            sink.add(
                path + ".window", r.offset(of: "window"), "unknown window \"\(window)\"",
                "\(hint)windows: \(RegionConfig.windowNames.joined(separator: ", "))")
        }
        var anchor: TimerAnchor?
        if let text = r.string("from", required: false) {
            anchor = TimerAnchor(rawValue: text)
            if anchor == nil {
                sink.add(path + ".from", r.offset(of: "from"), "unknown anchor \"\(text)\"", "use vsoMeeting")
            }
        }
        switch (o["after"], o["workingDays"]) {
        case (.some, .some):
            sink.add(path, nil, "a timer has either \"after\" or \"workingDays\", not both", nil)
        case (.none, .none) where window != nil || anchor != nil:
            if window != nil && anchor == nil {
                duration = .workingDays(0)
            } else {
                duration = .calendar(days: 0, seconds: 0)
            }
        case (.none, .none):
            sink.add(
                path, nil, "a timer needs a duration",
                "add \"after\": \"10 werkdagen\" (or PT4H, P14D), \"workingDays\": 10 or a region \"window\"")
        case (.some, .none):
            if let text = r.string("after", required: true) {
                duration = sink.duration(text, path + ".after", r.offset(of: "after"))
            }
        case (.none, .some):
            if let n = r.int("workingDays", required: true, range: 0...3650) { duration = .workingDays(n) }
        }
        var reminders: [DurationSpec] = []
        for (text, p) in r.stringList("reminders", required: false) ?? [] {
            if let d = sink.duration(text, p, r.offset(of: "reminders"), kind: "reminder") { reminders.append(d) }
        }
        let statutory = r.bool("statutory")
        let legalBasis = r.string("legalBasis", required: false)
        if statutory && legalBasis == nil {
            sink.add(
                path, nil, "a statutory deadline must cite its legal basis",
                "add \"legalBasis\", e.g. \"Wvggz art. 5:1\"")
        }
        var owner = TimerOwner.regiehouder
        if let text = r.string("owner", required: false) {
            if let o = TimerOwner(rawValue: text) {
                owner = o
            } else {
                sink.add(
                    path + ".owner", r.offset(of: "owner"), "unknown owner \"\(text)\"",
                    "use \(TimerOwner.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))")
            }
            if statutory {
                sink.add(
                    path + ".owner", r.offset(of: "owner"), "a statutory deadline has no owner: nobody may move it",
                    "remove \"owner\" (or \"statutory\")")
            }
        }
        if window != nil && (o["after"] != nil || o["workingDays"] != nil) {
            sink.add(path, nil, "a timer has either a fixed duration or a \"window\", not both", nil)
        }
        guard let name, let fires, let duration else { return nil }
        return TimerDefinition(
            name: name, duration: duration, statutory: statutory, owner: owner, legalBasis: legalBasis, fires: fires,
            reminders: reminders, window: window, anchor: anchor,
            durationField: r.string("durationField", required: false))
    }
}
