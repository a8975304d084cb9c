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

    /// The CLI exit code.
    public var exitCode: Int32 {
        switch self {
        case .refused, .tooMany: return 1
        case .usage: return 2
        case .notFound: return 3
        case .environment: return 4
        }
    }

    public var description: String {
        switch self {
        case .refused(let r): return "refused: \(r.message)"
        case .usage(let m), .notFound(let m), .environment(let m), .tooMany(let m, _): return m
        }
    }

    /// Wraps any error as an engine error, keeping engine errors as they are.
    static func wrap(_ error: any Error) -> EngineError {
        switch error {
        case let e as EngineError: return e
        case let r as Refusal: return .refused(r)
        case let d as DatabaseError:
            if d.isBusy {
                return .environment(
                    "the database is busy (another process holds the write lock for over 10 s); try again")
            }
            return .environment("storage problem: \(d.description)")
        case let s as StoreError: return .environment(s.description)
        default: return .environment(String(describing: error))
        }
    }
}
