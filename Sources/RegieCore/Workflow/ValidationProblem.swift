/// One problem found in a workflow or configuration file: where it is, what is wrong, what would fix it.
public struct ValidationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, as given.
    public var file: String
    /// The JSON path of the offending value, e.g. `$.states[2].timers[0].after`.
    public var path: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known (syntax errors).
    public var column: Int?
    /// What is wrong.
    public var message: String
    /// What would fix it, when we can tell.
    public var fix: String?

    /// Creates a problem.
    public init(file: String, path: String, line: Int? = nil, column: Int? = nil, message: String, fix: String? = nil) {
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// One line: `file:line:col: path: message; fix`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        s += ": \(path): \(message)"
        if let fix { s += "; \(fix)" }
        return s
    }
}

/// A file that failed validation, with every problem found in it.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var problems: [ValidationProblem]

    /// Creates a failure from its problems.
    public init(_ problems: [ValidationProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// The top-level object of a configuration file, or the failure that says the file is not JSON (where) or not
    /// an object.
    public static func object(of bytes: [UInt8], file: String) throws(ValidationFailure) -> JSONObject {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw ValidationFailure([
                ValidationProblem(
                    file: file, path: "$", line: error.line, column: error.column,
                    message: "not valid JSON: \(error.message)", fix: "correct the JSON syntax")
            ])
        }
        guard let o = value.objectValue else {
            throw ValidationFailure([
                ValidationProblem(file: file, path: "$", message: "must be a JSON object", fix: "write { ... }")
            ])
        }
        return o
    }
}
