import RegieCore
import RegieEngine

/// `--as PARTNER:ROLE`: who acts, in which role.
struct ActingAs: OptionValue {
    var partner: String
    var role: Role

    static func read(_ text: String, option name: String) throws(CLIError) -> ActingAs {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw .usage("--\(name) takes PARTNER:ROLE, e.g. --\(name) gemeente-haarlem:regiehouder")
        }
        guard let role = Role(rawValue: String(parts[1])) else {
            let hint = closest(String(parts[1]), in: Role.allCases.map(\.rawValue)).map { "did you mean \($0)? " } ?? ""
            throw .usage("unknown role \"\(parts[1])\" in --\(name); \(hint)roles: \(Role.names)")
        }
        return ActingAs(partner: String(parts[0]), role: role)
    }
}

/// `--field NAME=VALUE`: a field the workflow declares.
struct FieldAssignment: OptionValue, DistinctOptionValue {
    var name: String
    var value: String

    var distinctKey: String { name }

    static func read(_ text: String, option: String) throws(CLIError) -> FieldAssignment {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw .usage("--\(option) takes NAME=VALUE, e.g. --\(option) uitkomst=doel-bereikt")
        }
        return FieldAssignment(name: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
    }

    /// The fields as the engine takes them.
    static func fields(_ list: [FieldAssignment]) -> [String: String] {
        Dictionary(list.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}

/// `--field NAME=VALUE`, repeatable: the fields of `case open` and `case fire`.
struct FieldOptions: OptionGroup {
    @Repeated(
        "field", "NAME=VALUE",
        "a field the workflow declares (repeatable), e.g. --field uitkomst=doel-bereikt; `regie workflow show` lists them"
    ) var field: [FieldAssignment]

    /// The fields as the engine takes them.
    var assigned: [String: String] { FieldAssignment.fields(field) }
}

/// The options of every command that changes a case: who acts, idempotency, and JSON output.
struct ActorOptions: OptionGroup {
    @Option("as", "PARTNER:ROLE", "who acts, in which role (default: the regiehouder)") var actingAs: ActingAs?
    @Option("person", "NAME", "the person acting for the partner, recorded in the event log") var person: String?
    @Option(
        "idempotency-key", "KEY", "sending the same command with the same key again has one effect and the same answer")
    var idempotencyKey: String?
    @Flag("json", "print the case after the change as JSON") var json: Bool

    /// The actor `--as` and `--person` name, or nil when `--as` is not given.
    var actor: Actor? { actingAs.map { Actor(partner: $0.partner, person: person, role: $0.role) } }
}

/// A command whose options say who acts (`--as`, `--person`): its access-log records name that partner and person
/// instead of `beheer` and the login name.
protocol StatesWhoActs {
    /// The partner `--as` names, if given.
    var statedPartner: String? { get }
    /// The person `--person` names, if given.
    var statedPerson: String? { get }
    /// The role `--as` names (`gemeente-haarlem:regiehouder`), if given.
    var statedRole: String? { get }
}

extension StatesWhoActs {
    var statedRole: String? { nil }
}

/// A command that acts as a partner in a case, with the options of `ActorOptions`.
protocol ActingCommand: RegieCommand, StatesWhoActs {
    var acting: ActorOptions { get }
}

extension ActingCommand {
    var statedPartner: String? { acting.actingAs?.partner }
    var statedPerson: String? { acting.person }
    var statedRole: String? { acting.actingAs?.role.rawValue }
}

extension WebhookEndpoint.Format: OptionValue {
    static func read(_ text: String, option name: String) throws(CLIError) -> WebhookEndpoint.Format {
        guard let format = WebhookEndpoint.Format(rawValue: text) else {
            throw .usage("--\(name) is thin or zgw, not \(text)")
        }
        return format
    }
}
