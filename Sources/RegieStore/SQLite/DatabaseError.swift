/// A failure reported by SQLite: the extended result code, SQLite's message and the SQL, never the bound values.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code.
    public var code: Int32
    /// SQLite's message.
    public var message: String
    /// The statement that failed, if any.
    public var sql: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// Whether another writer held the lock for longer than the busy timeout.
    public var isBusy: Bool { code & 0xFF == 5 || code & 0xFF == 6 }

    /// Whether a constraint (e.g. a unique key) was violated.
    public var isConstraint: Bool { code & 0xFF == 19 }

    public var description: String {
        var s = "database error \(code): \(message)"
        if let sql { s += " (in: \(sql.prefix(160)))" }
        return s
    }
}
