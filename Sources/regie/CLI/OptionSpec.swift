import RegieEngine

/// One option of a command: its name, whether it takes a value, and its help text.
struct OptionSpec {
    var name: String
    var value: String?
    var help: String
    var repeatable = false

    static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: nil, help: help) }
    static func value(_ name: String, _ placeholder: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: placeholder, help: help)
    }

    /// Options every command accepts.
    static let common: [OptionSpec] = [
        .value("db", "PATH", "the database file (default ./regie.db, or $REGIE_DB)"),
        .value("workflows", "DIR", "the workflow folder (default the repository's Workflows/, or $REGIE_WORKFLOWS)"),
        .value("config", "DIR", "the configuration folder (default the repository's Config/, or $REGIE_CONFIG)"),
        .value("now", "ISO8601", "the time for this command; only on a database made with --simulated-clock"),
        .flag("help", "show this help"),
    ]
}

/// A command of the `regie` CLI: its name, summary, synopsis and options, and what it does.
protocol RegieCommand {
    static var path: String { get }
    static var summary: String { get }
    static var synopsis: String { get }
    static var options: [OptionSpec] { get }
    static var positionals: ClosedRange<Int> { get }
    static var discussion: String { get }
    /// The kind of access this command is for the access log (`read`, `write`), or nil when it touches no case.
    static var auditAction: String? { get }
    static func run(_ args: Arguments, _ context: Context) throws(EngineError)
}

extension RegieCommand {
    static var discussion: String { "" }
    static var auditAction: String? { nil }

    /// The help text, generated from the option table.
    static var help: String {
        var lines = ["regie \(path) - \(summary)", "", "Usage: regie \(path) \(synopsis)".trimmingTrailingSpaces]
        if !discussion.isEmpty { lines += ["", discussion] }
        let all = options + OptionSpec.common
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

    /// Parses this command's arguments against its option table.
    static func parse(_ raw: [String]) throws(EngineError) -> Arguments {
        let all = options + OptionSpec.common
        var args = Arguments()
        var i = 0
        while i < raw.count {
            let a = raw[i]
            i += 1
            guard a.hasPrefix("--"), a.count > 2 else {
                if a.hasPrefix("-") && a.count > 1 && Double(a) == nil {
                    throw .usage(
                        "unknown option \(a) for `regie \(path)`; options start with -- (see `regie \(path) --help`)")
                }
                args.positionals.append(a)
                continue
            }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = all.first(where: { $0.name == name }) else {
                let hint = closest(name, in: all.map(\.name)).map { "did you mean --\($0)? " } ?? ""
                throw .usage("unknown option --\(name) for `regie \(path)`; \(hint)see `regie \(path) --help`")
            }
            if spec.value == nil {
                guard inline == nil else { throw .usage("--\(name) takes no value") }
                args.flags.insert(name)
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
            if args.values[name] != nil && !spec.repeatable { throw .usage("--\(name) is given twice") }
            args.values[name, default: []].append(value)
        }
        if args.flags.contains("help") { return args }
        guard positionals.contains(args.positionals.count) else {
            if args.positionals.count > positionals.upperBound {
                throw .usage(
                    "unexpected argument \(args.positionals[positionals.upperBound]) for `regie \(path)`; usage: regie \(path) \(synopsis)"
                )
            }
            throw .usage("missing argument for `regie \(path)`; usage: regie \(path) \(synopsis)")
        }
        return args
    }
}

/// Parsed arguments of one command.
struct Arguments {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []

    func value(_ name: String) -> String? { values[name]?.last }
    func has(_ name: String) -> Bool { flags.contains(name) }
    var json: Bool { flags.contains("json") }

    /// A required option.
    func required(_ name: String, _ what: String) throws(EngineError) -> String {
        guard let v = value(name), !v.isEmpty else { throw .usage("missing --\(name) \(what)") }
        return v
    }

    /// An integer option.
    func int(_ name: String, range: ClosedRange<Int>) throws(EngineError) -> Int? {
        guard let v = value(name) else { return nil }
        guard let i = Int(v), range.contains(i) else {
            throw .usage(
                "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(v)\"")
        }
        return i
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
