import RegieEngine

/// One option of a command as parsing and help see it: its name, whether it takes a value, and its help text.
/// Commands do not write these; their `@Option`, `@Flag` and `@Repeated` properties carry them.
struct OptionSpec {
    var name: String
    var value: String?
    var help: String
    var repeatable = false

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: nil, help: help) }
    static func value(_ name: String, _ placeholder: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: placeholder, help: help)
    }
}

/// Options every command accepts.
struct CommonOptions: OptionGroup {
    @Option("db", "PATH", "the database file (default ./regie.db, or $REGIE_DB)") var db: String?
    @Option("workflows", "DIR", "the workflow folder (default the repository's Workflows/, or $REGIE_WORKFLOWS)")
    var workflows: String?
    @Option("config", "DIR", "the configuration folder (default the repository's Config/, or $REGIE_CONFIG)")
    var config: String?
    @Option("now", "ISO8601", "the time for this command; only on a database made with --simulated-clock")
    var now: Instant?
    @Flag("help", "show this help") var help: Bool
}

/// A command of the `regie` CLI: its name, summary and synopsis, its options (declared as properties), and what it
/// does.
protocol RegieCommand {
    static var path: String { get }
    static var summary: String { get }
    static var synopsis: String { get }
    static var positionals: ClosedRange<Int> { get }
    static var discussion: String { get }
    /// The kind of access this command is for the access log (`read`, `write`), or nil when it touches no case.
    static var auditAction: String? { get }
    /// A command with no options given.
    init()
    /// Runs the command with its options parsed into its properties and its positional arguments.
    func run(_ arguments: [String], _ context: Context) throws(EngineError)
}

extension RegieCommand {
    static var discussion: String { "" }
    static var auditAction: String? { nil }

    /// This command's options, then the common ones, as declared.
    var declaredOptions: [any DeclaredOption] { Options.declared(in: self) }

    /// The help text, generated from the declared options.
    static var help: String {
        var lines = ["regie \(path) - \(summary)", "", "Usage: regie \(path) \(synopsis)".trimmingTrailingSpaces]
        if !discussion.isEmpty { lines += ["", discussion] }
        let all = (Self().declaredOptions + Options.declared(in: CommonOptions())).map(\.spec)
        let width = all.map { "--\($0.name)\($0.value.map { " " + $0 } ?? "")".count }.max() ?? 0
        lines += ["", "Options:"]
        for o in all {
            let left = "--\(o.name)\(o.value.map { " " + $0 } ?? "")"
            lines.append("  " + left.padding(width) + "  " + o.help)
        }
        lines += [
            "",
            "Exit codes: 0 done, 1 refused by the rules, 2 usage error, 3 not found, 4 storage or environment problem, 5 the database file is damaged, 6 a log does not verify (altered).",
        ]
        return lines.joined(separator: "\n")
    }

    /// Parses the command line into `options` (this command's and the common ones); returns the positional
    /// arguments. With `--help` nothing else is checked.
    static func parse(_ raw: [String], into options: [any DeclaredOption]) throws(CLIError) -> [String] {
        var positionals: [String] = []
        var i = 0
        while i < raw.count {
            let a = raw[i]
            i += 1
            guard a.hasPrefix("--"), a.count > 2 else {
                if a.hasPrefix("-") && a.count > 1 && Double(a) == nil {
                    throw .usage(
                        "unknown option \(a) for `regie \(path)`; options start with -- (see `regie \(path) --help`)")
                }
                positionals.append(a)
                continue
            }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let option = options.first(where: { $0.spec.name == name }) else {
                let hint = closest(name, in: options.map(\.spec.name)).map { "did you mean --\($0)? " } ?? ""
                throw .usage("unknown option --\(name) for `regie \(path)`; \(hint)see `regie \(path) --help`")
            }
            let spec = option.spec
            if spec.value == nil {
                guard inline == nil else { throw .usage("--\(name) takes no value") }
                option.slot.flag = true
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < raw.count else { throw .usage("--\(name) needs a value (\(spec.value ?? "VALUE"))") }
                value = raw[i]
                i += 1
            }
            if !option.slot.texts.isEmpty && !spec.repeatable { throw .usage("--\(name) is given twice") }
            option.slot.texts.append(value)
        }
        if options.contains(where: { $0.spec.name == "help" && $0.slot.flag }) { return positionals }
        guard Self.positionals.contains(positionals.count) else {
            if positionals.count > Self.positionals.upperBound {
                throw .usage(
                    "unexpected argument \(positionals[Self.positionals.upperBound]) for `regie \(path)`; usage: regie \(path) \(synopsis)"
                )
            }
            throw .usage("missing argument for `regie \(path)`; usage: regie \(path) \(synopsis)")
        }
        for option in options { try option.validate() }
        return positionals
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

import RegieCore
