public import RegieCore
internal import RegieStore

/// Why the engine could not do what was asked. Each kind maps to one CLI exit code.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The rules forbid it (exit 1).
    case refused(Refusal)
    /// Bad input or usage (exit 2).
    case usage(String)
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

    /// The CLI exit code.
    public var exitCode: Int32 {
        switch self {
        case .refused, .tooMany: return 1
        case .usage: return 2
        case .notFound: return 3
        case .environment: return 4
        case .damaged: return 5
        case .tampered: return 6
        }
    }

    public var description: String {
        switch self {
        case .refused(let r): return "refused: \(r.message)"
        case .usage(let m), .notFound(let m), .environment(let m), .tooMany(let m, _), .damaged(let m),
            .tampered(let m):
            return m
        }
    }

    /// How the access log records a request that failed this way.
    public var auditOutcome: AuditEntry.Outcome {
        switch self {
        case .refused, .usage, .tooMany: return .refused
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
        case let s as StoreError: return .environment(s.description)
        default: return .environment(String(describing: error))
        }
    }
}
