/// Who a notification goes to.
public enum Audience: Sendable, Hashable {
    case role(Role)
    case target
    case all
    /// Whoever owns the case's escalation level (after the transition's other effects).
    case levelOwner
    /// The receiver of the running handover.
    case handover

    /// Parses `target`, `all`, `levelOwner`, `handover` or a role name.
    public init?(_ text: String) {
        switch text {
        case "target": self = .target
        case "all": self = .all
        case "levelOwner": self = .levelOwner
        case "handover": self = .handover
        default:
            guard let r = Role(rawValue: text) else { return nil }
            self = .role(r)
        }
    }

    /// The text form.
    public var text: String {
        switch self {
        case .role(let r): return r.rawValue
        case .target: return "target"
        case .all: return "all"
        case .levelOwner: return "levelOwner"
        case .handover: return "handover"
        }
    }
}
