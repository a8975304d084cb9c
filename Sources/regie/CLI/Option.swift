import RegieCore

/// Where a parsed option keeps the texts given for it. A class, so that the copies of a command (and of its option
/// wrappers) that parsing, `--help` and `regie batch` make all see the same values.
final class OptionSlot {
    var texts: [String] = []
    var flag = false
}

/// An option declared on a command, as parsing, `--help` and `regie batch` see it. Commands declare options with the
/// property wrappers `@Option`, `@Flag` and `@Repeated`; `Options.declared(in:)` finds them by reflection, so the
/// table a command parses and documents is the properties it reads, and cannot drift from them.
protocol DeclaredOption {
    var spec: OptionSpec { get }
    var slot: OptionSlot { get }
    /// Checks the texts given (their form, their range), so that a wrong value is a usage error before the command
    /// runs; the typed value read later cannot fail.
    func validate() throws(CLIError)
}

/// A value an option's text is read as.
protocol OptionValue {
    /// Reads the text given for `--name`.
    static func read(_ text: String, option name: String) throws(CLIError) -> Self
}

extension String: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> String { text }
}

extension Int: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> Int {
        guard let n = Int(text) else { throw .usage("--\(name) must be a whole number, not \"\(text)\"") }
        return n
    }
}

extension LocalDate: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> LocalDate {
        guard let d = LocalDate.parse(text) else { throw .usage("--\(name) takes YYYY-MM-DD, not \"\(text)\"") }
        return d
    }
}

extension Instant: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> Instant {
        do { return try DutchCalendar().parseInstant(text) } catch {
            throw .usage("--\(name): \(error.description)")
        }
    }
}

extension DurationSpec: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> DurationSpec {
        do { return try DurationSpec.parse(text) } catch { throw .usage("--\(name): \(error.description)") }
    }
}

/// An option with a value: `--name VALUE`, read as `Value` (nil when not given).
@propertyWrapper struct Option<Value: OptionValue>: DeclaredOption {
    let spec: OptionSpec
    let slot = OptionSlot()
    private let range: ClosedRange<Int>?

    init(_ name: String, _ placeholder: String, _ help: String) {
        spec = .value(name, placeholder, help)
        range = nil
    }

    var wrappedValue: Value? {
        guard let text = slot.texts.last else { return nil }
        return try? Value.read(text, option: spec.name)
    }

    func validate() throws(CLIError) {
        guard let text = slot.texts.last else { return }
        let value = try Value.read(text, option: spec.name)
        if let range, let n = value as? Int, !range.contains(n) {
            throw .usage(
                "--\(spec.name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\""
            )
        }
    }
}

/// An option that must be given: `--name VALUE`, not empty.
@propertyWrapper struct Required: DeclaredOption {
    let spec: OptionSpec
    let slot = OptionSlot()
    /// What the value is, for the error when it is missing: `NAME (see ...)`.
    private let what: String

    init(_ name: String, _ placeholder: String, _ help: String, missing what: String) {
        spec = .value(name, placeholder, help)
        self.what = what
    }

    /// The value; checked to be there before the command runs.
    var wrappedValue: String { slot.texts.last ?? "" }

    func validate() throws(CLIError) {
        guard let text = slot.texts.last, !text.isEmpty else { throw .usage("missing --\(spec.name) \(what)") }
    }
}

extension Option where Value == Int {
    /// A whole number within `range`.
    init(_ name: String, _ placeholder: String, _ help: String, range: ClosedRange<Int>) {
        spec = .value(name, placeholder, help)
        self.range = range
    }
}

/// A repeatable option: `--name VALUE` as often as needed, in order, each read as `Value`.
@propertyWrapper struct Repeated<Value: OptionValue>: DeclaredOption {
    let spec: OptionSpec
    let slot = OptionSlot()

    init(_ name: String, _ placeholder: String, _ help: String) {
        spec = OptionSpec(name: name, value: placeholder, help: help, repeatable: true)
    }

    var wrappedValue: [Value] { slot.texts.compactMap { try? Value.read($0, option: spec.name) } }

    func validate() throws(CLIError) {
        var seen = Set<String>()
        for text in slot.texts {
            let value = try Value.read(text, option: spec.name)
            if let key = (value as? any DistinctOptionValue)?.distinctKey, !seen.insert(key).inserted {
                throw .usage("--\(spec.name) \(key) is given twice")
            }
        }
    }
}

/// A repeated value that may be given once per key (`--field NAME=VALUE`: each NAME once).
protocol DistinctOptionValue {
    var distinctKey: String { get }
}

/// A flag: `--name`, true when given.
@propertyWrapper struct Flag: DeclaredOption {
    let spec: OptionSpec
    let slot = OptionSlot()

    init(_ name: String, _ help: String) { spec = .flag(name, help) }

    var wrappedValue: Bool { slot.flag }

    func validate() throws(CLIError) {}
}

/// A set of options several commands share (who acts, the output), declared once and embedded as a property.
protocol OptionGroup {}

/// Finding a command's declared options.
enum Options {
    /// The options declared by the properties of `value` and of the option groups among them, in declaration order.
    static func declared(in value: Any) -> [any DeclaredOption] {
        var out: [any DeclaredOption] = []
        for child in Mirror(reflecting: value).children {
            if let option = child.value as? any DeclaredOption {
                out.append(option)
            } else if child.value is any OptionGroup {
                out += declared(in: child.value)
            }
        }
        return out
    }
}
