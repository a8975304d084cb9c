/// Turns the text of a workflow file into a `Workflow`, or into every problem found in it.
///
/// A file is loaded whole or not at all: any problem rejects the whole file.
public enum WorkflowLoader {
    static let topKeys = [
        "$schema", "name", "version", "title", "description", "stalledAfter", "states", "transitions", "timers",
    ]
    static let stateKeys = ["name", "description", "initial", "final", "timers"]
    static let transitionKeys = ["event", "description", "from", "to", "roles", "requires", "effects"]
    static let timerKeys = [
        "name", "description", "after", "workingDays", "statutory", "legalBasis", "fires", "reminders",
    ]
    static let effectKeys = [
        "assignRegie", "addPartner", "removePartner", "startTimer", "cancelTimer", "raiseLevel", "setLevel", "notify",
    ]

    /// Loads and validates one workflow.
    /// - Parameters:
    ///   - text: the file's bytes.
    ///   - file: the file name, used in problem reports.
    /// - Returns: the workflow.
    /// - Throws: `ValidationFailure` listing every problem, one per line.
    public static func load(_ text: [UInt8], file: String) throws(ValidationFailure) -> Workflow {
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
            sink.add("$", nil, "a workflow must be a JSON object, not \(root.kindDescription)", "start the file with {")
            throw ValidationFailure(sink.problems)
        }
        let workflow = decode(object, sink: sink, source: root.compactText)
        if let workflow { WorkflowChecker(workflow: workflow, sink: sink, root: object).check() }
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
        guard let name, let version else { return nil }
        return Workflow(
            name: name, version: version, title: title, description: description, states: states,
            transitions: transitions, timers: timers, stalledAfter: stalledAfter, source: source)
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
        guard let event else { return nil }
        return TransitionDefinition(
            event: event, description: r.string("description", required: false) ?? "", from: from, to: to,
            roles: roles, requires: requires, effects: effects)
    }

    private static func decodeEffect(_ value: JSONValue, path: String, sink: ProblemSink) -> Effect? {
        guard let o = object(value, path, "an effect", sink) else { return nil }
        let r = ObjectReader(object: o, path: path, allowed: effectKeys, report: sink)
        r.checkUnknownKeys()
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
        case "assignRegie", "removePartner", "raiseLevel":
            guard member.value == .bool(true) else {
                sink.add(p, member.offset, "\"\(member.key)\" takes true", nil)
                return nil
            }
            return member.key == "assignRegie"
                ? .assignRegie : member.key == "removePartner" ? .removePartner : .raiseLevel
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
                        "use a role (\(Role.names)), \"target\" or \"all\"")
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
        switch (o["after"], o["workingDays"]) {
        case (.some, .some):
            sink.add(path, nil, "a timer has either \"after\" or \"workingDays\", not both", nil)
        case (.none, .none):
            sink.add(
                path, nil, "a timer needs a duration",
                "add \"after\": \"10 werkdagen\" (or PT4H, P14D) or \"workingDays\": 10")
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
        guard let name, let fires, let duration else { return nil }
        return TimerDefinition(
            name: name, duration: duration, statutory: statutory, legalBasis: legalBasis, fires: fires,
            reminders: reminders)
    }
}
