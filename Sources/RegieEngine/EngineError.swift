public import RegieCore
internal import RegieStore

/// Why the engine could not do what was asked. The command line gives each kind its own exit code.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The rules forbid it (exit 1).
    case refused(Refusal)
    /// The input is not valid: a value the command or request gave cannot be used (exit 2).
    case invalid(String)
    /// No such case or workflow (exit 3).
    case notFound(String)
    /// The database, files or environment are not usable (exit 4).
    case environment(String)
    /// Too many requests of one kind (lookups) from one partner; try again after the given seconds (exit 1).
    case tooMany(String, retryAfterSeconds: Int)
    /// The database file is damaged: SQLite's integrity check fails (exit 5).
    case damaged(String)
    /// A seal does not match: an event, an access-log record or a case's state was altered (exit 6).
    case tampered(String)

    public var description: String {
        switch self {
        case .refused(let r): return "refused: \(r.message)"
        case .invalid(let m), .notFound(let m), .environment(let m), .tooMany(let m, _), .damaged(let m),
            .tampered(let m):
            return m
        }
    }

    /// How the access log records a request that failed this way.
    public var auditOutcome: AuditEntry.Outcome {
        switch self {
        case .refused, .invalid, .tooMany: return .refused
        case .notFound: return .notFound
        case .environment, .damaged, .tampered: return .error
        }
    }

    /// Wraps any error as an engine error, keeping engine errors as they are; a storage failure becomes a sentence
    /// that says what to do about the database at `path`.
    public static func wrap(_ error: any Error, path: String = "") -> EngineError {
        switch error {
        case let e as EngineError: return e
        case let r as Refusal: return .refused(r)
        case let d as DatabaseError:
            return d.kind == .damaged ? .damaged(d.sentence(path: path)) : .environment(d.sentence(path: path))
        case let s as StoreError:
            if case .corrupt = s { return .damaged(s.description) }
            return .environment(s.description)
        case let d as any CustomStringConvertible: return .environment(d.description)
        default: return .environment("an unexpected error; see the server's log")
        }
    }
}
