import Foundation
import RegieCore
import RegieEngine

/// `regie workflow list`.
struct WorkflowListCommand: RegieCommand {
    static let path = "workflow list"
    static let summary = "list the workflows in the workflow folder"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let catalog = try WorkflowCatalog(folder: context.workflowsFolder)
        let list = catalog.workflows.values.sorted { $0.name < $1.name }
        if json {
            Output.json(
                .object(
                    JSONObject(pairs: [
                        "workflows": .array(
                            list.map {
                                [
                                    "name": .string($0.name), "version": .int(Int64($0.version)),
                                    "title": .string($0.title), "states": .int(Int64($0.states.count)),
                                    "transitions": .int(Int64($0.transitions.count)),
                                ]
                            }),
                        "modules": .array(
                            catalog.modules.values.sorted { $0.name < $1.name }.map {
                                [
                                    "name": .string($0.name), "version": .int(Int64($0.version)),
                                    "title": .string($0.title), "transitions": .int(Int64($0.transitions.count)),
                                ]
                            }),
                        "invalid": .array(catalog.failures.keys.sorted().map { .string($0) }),
                    ])))
        } else {
            Output.print(
                Output.table(
                    ["NAME", "VERSION", "STATES", "EVENTS", "TITLE"],
                    list.map {
                        [$0.name, String($0.version), String($0.states.count), String($0.eventNames.count), $0.title]
                    }))
            let modules = catalog.modules.values.sorted { $0.name < $1.name }
            if !modules.isEmpty {
                Output.print("\nModules (included by workflows, in every open state):")
                Output.print(
                    Output.table(
                        ["NAME", "VERSION", "EVENTS", "TITLE"],
                        modules.map { [$0.name, String($0.version), String($0.transitions.count), $0.title] }))
            }
            for file in catalog.failures.keys.sorted() {
                Output.print("invalid: \(file) (run `regie workflow validate \(file)`)")
            }
        }
        if !catalog.failures.isEmpty {
            throw .refused(
                Refusal(.invalidArgument, "\(catalog.failures.count) workflow file(s) are invalid and not loaded"))
        }
    }
}

/// `regie workflow validate`.
struct WorkflowValidateCommand: RegieCommand {
    static let path = "workflow validate"
    static let summary = "check workflow files; one line per problem: file, JSON path, what is wrong, what would fix it"
    static let synopsis = "[FILE...] [--json]"
    static let positionals = 0...1000
    @Flag("json", "print the problems as JSON") var json: Bool
    static let discussion =
        "Without files, checks every workflow in the workflow folder. Exits 1 when any file has a problem."

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        var files = arguments
        var problems: [ValidationProblem] = []
        var modules: [String: WorkflowModule]?
        if files.isEmpty {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: context.workflowsFolder)) ?? []
            files = names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted()
                .map { (context.workflowsFolder as NSString).appendingPathComponent($0) }
            // Two files with the same workflow name is a problem of the folder, not of either file.
            let catalog = try WorkflowCatalog(folder: context.workflowsFolder)
            modules = catalog.modules
            for failure in catalog.failures.values {
                problems += failure.problems.filter { $0.message.contains("is also used by") }
            }
        }
        var ok: [String] = []
        for file in files {
            do {
                if let data = FileManager.default.contents(atPath: file), WorkflowLoader.isModule(Array(data)) {
                    let m = try WorkflowLoader.loadModule(Array(data), file: file)
                    ok.append("\(file): ok (module \(m.name) v\(m.version), \(m.transitions.count) transitions)")
                    continue
                }
                let w = try WorkflowCatalog.load(path: file, modules: modules)
                ok.append(
                    "\(file): ok (\(w.name) v\(w.version), \(w.states.count) states, \(w.transitions.count) transitions)"
                )
            } catch {
                problems += error.problems
            }
        }
        if json {
            Output.json(
                .object(
                    JSONObject(pairs: [
                        "valid": .bool(problems.isEmpty),
                        "problems": .array(
                            problems.map {
                                [
                                    "file": .string($0.file), "path": .string($0.path),
                                    "line": $0.line.map { .int(Int64($0)) } ?? .null,
                                    "column": $0.column.map { .int(Int64($0)) } ?? .null,
                                    "message": .string($0.message), "fix": .optional($0.fix),
                                ]
                            }),
                    ])))
        } else {
            ok.forEach { Output.print($0) }
            problems.forEach { Output.print($0.description) }
        }
        if !problems.isEmpty { throw .refused(Refusal(.invalidArgument, "\(problems.count) problem(s) found")) }
    }
}

/// `regie workflow show`.
struct WorkflowShowCommand: RegieCommand {
    static let path = "workflow show"
    static let summary = "show a workflow's states, transitions and timers"
    static let synopsis = "NAME [--json]"
    static let positionals = 1...1
    @Flag("json", "print the definition as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let w = try WorkflowCatalog(folder: context.workflowsFolder).workflow(arguments[0])
        if json {
            Output.json((try? JSONParser.parse(w.source)) ?? .null)
            return
        }
        var lines = ["\(w.name) v\(w.version): \(w.title)"]
        if !w.description.isEmpty { lines.append(w.description) }
        lines.append("stalled after \(w.stalledAfter) without activity")
        lines.append("")
        lines.append("States:")
        for s in w.states {
            let marks = [s.initial ? "initial" : nil, s.final ? "final" : nil].compactMap { $0 }
            lines.append(
                "  \(s.name)\(marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))")\(s.description.isEmpty ? "" : ": \(s.description)")"
            )
            for t in s.timers { lines.append("    timer " + timerText(t)) }
        }
        if !w.opening.fields.isEmpty {
            lines.append("")
            lines.append("Opening fields (--field NAME=VALUE on `case open`; * required):")
            for f in w.opening.fields {
                lines.append(
                    "  \(f.name)\(f.required ? "*" : "")=\(f.valuesText)\(f.description.isEmpty ? "" : ": \(f.description)")"
                )
            }
        }
        if !w.timers.isEmpty {
            lines.append("")
            lines.append("Timers started by transitions:")
            for t in w.timers { lines.append("  " + timerText(t)) }
        }
        lines.append("")
        lines.append("Transitions:")
        lines.append(
            Output.table(
                ["EVENT", "FROM", "TO", "ROLES", "REQUIRES", "FIELDS (* required)"],
                w.transitions.map {
                    [
                        $0.event, $0.module.map { "* (\($0))" } ?? $0.from.joined(separator: ","), $0.to ?? "(stays)",
                        $0.roles.sorted().map(\.rawValue).joined(separator: ","),
                        $0.requires.map(\.rawValue).sorted().joined(separator: ","),
                        $0.fields.map { "\($0.name)\($0.required ? "*" : "")=\($0.valuesText)" }.joined(separator: " "),
                    ]
                }
            ).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        lines.append("")
        lines.append(
            "Built in: "
                + StateMachine.builtInEvents.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(
                    separator: "; "))
        Output.print(lines.joined(separator: "\n"))
    }
}

/// A timer for people: its duration, whose deadline it is (or that the law sets it), what it fires, its reminders.
func timerText(_ t: TimerDefinition) -> String {
    let owner =
        t.statutory
        ? "statutory (\(t.legalBasis ?? "")), law's calendar; nobody moves it"
        : t.owner == .levelOwner ? "owned by the level that starts it" : "the regiehouder's"
    let reminders =
        t.reminders.isEmpty ? "" : ", reminders \(t.reminders.map(\.description).joined(separator: ", ")) before"
    return "\(t.name): after \(t.durationText), \(owner); fires \(t.fires)\(reminders)"
}

/// `regie workflow graph`.
struct WorkflowGraphCommand: RegieCommand {
    static let path = "workflow graph"
    static let summary = "draw a workflow as Mermaid or Graphviz DOT"
    static let synopsis = "NAME [--format mermaid|dot]"
    static let positionals = 1...1
    /// The drawing languages.
    enum Format: String, OptionValue {
        case mermaid, dot

        static func read(_ text: String, option name: String) throws(CLIError) -> Format {
            guard let format = Format(rawValue: text) else {
                throw .usage("unknown --\(name) \(text); use mermaid or dot")
            }
            return format
        }
    }

    @Option("format", "mermaid|dot", "the drawing language (default mermaid)") var format: Format?
    static let discussion = "Render DOT with `dot -Tpng`; paste Mermaid into any Markdown viewer that supports it."

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let catalog = try WorkflowCatalog(folder: context.workflowsFolder)
        let name = arguments[0]
        let drawing: (mermaid: String, dot: String)
        if let m = catalog.modules[name] {
            drawing = (m.mermaid, m.dot)
        } else {
            let w = try catalog.workflow(name)
            drawing = (w.mermaid, w.dot)
        }
        switch format ?? .mermaid {
        case .mermaid: Output.print(drawing.mermaid.trimmingTrailingNewline)
        case .dot: Output.print(drawing.dot.trimmingTrailingNewline)
        }
    }
}

extension String {
    var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
