public import RegieCore

/// A store that cannot be used as it is.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case notInitialised(String)
    case clockMismatch(String, simulated: Bool)
    /// The case changed after the decision was made; decide again on the current state.
    case staleCase(String)
    /// A simulated clock may not run backwards.
    case clockBackwards(to: Instant, now: Instant)
    /// A case that may not be purged (open, held or unknown).
    case notPurgeable(String)
    /// A stored value Regie cannot have written (text that is not JSON, an unknown kind): the file was changed
    /// outside Regie or is damaged. Never read as an empty value.
    case corrupt(String)

    public var description: String {
        switch self {
        case .notInitialised(let path):
            return "\(path) is not a Regie database; create it with `regie init --db \(path)`"
        case .clockMismatch(let path, let simulated):
            return
                "\(path) was created with \(simulated ? "a simulated" : "the real") clock; that cannot change (use another --db)"
        case .notPurgeable(let why): return why
        case .corrupt(let what):
            return
                "the database holds a value Regie cannot have written (\(what)): run `regie check`, and restore the latest backup if it reports damage"
        case .staleCase(let id): return "case \(id) changed while the command was decided; it was decided again"
        case .clockBackwards(let to, let now):
            return
                "\(to.iso8601) is before the simulated clock (\(now.iso8601)); the clock never runs backwards, so events stay in order"
        }
    }
}
