import RegieEngine

/// What the command line refuses before a command runs: an unknown option, a missing or malformed value.
enum CLIError: Error, CustomStringConvertible {
    /// The command line is wrong (exit 2); the text says how to write it.
    case usage(String)

    var description: String {
        switch self {
        case .usage(let m): m
        }
    }
}

/// The exit codes of `regie`, which the help of every command lists.
extension EngineError {
    /// The exit code a command that failed this way ends with.
    var exitCode: Int32 {
        switch self {
        case .refused, .tooMany: 1
        case .invalid: 2
        case .notFound: 3
        case .environment: 4
        case .damaged: 5
        case .tampered: 6
        }
    }
}
