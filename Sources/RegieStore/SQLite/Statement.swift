internal import CSQLite

/// A prepared statement. Owned by one `Database`; finalised when released.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let database: Database
    /// Result column indexes by the address of the name literal asked for, filled on its first lookup (`column(_:)`).
    var columnIndexes: [UInt: Int32] = [:]

    init(database: Database, sql: String) throws(DatabaseError) {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw database.error(rc, sql: sql) }
        self.handle = stmt
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// The number of parameters of the statement.
    private(set) lazy var parameterCount = Int(sqlite3_bind_parameter_count(handle))

    /// Binds values to the parameters in order (1-based), after resetting the statement. Parameters left without a
    /// value are null, never a value bound by an earlier run.
    func bind(_ values: [SQLValue]) throws(DatabaseError) {
        sqlite3_reset(handle)
        if values.count < parameterCount { sqlite3_clear_bindings(handle) }
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    /// Binds one parameter (1-based) after `bind(_:)`, replacing what was bound there: so that a row prepared
    /// elsewhere is bound with the writer's own values without copying it.
    func bind(_ value: SQLValue, at index: Int32) throws(DatabaseError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .int(let n): rc = sqlite3_bind_int64(handle, index, n)
        case .double(let d): rc = sqlite3_bind_double(handle, index, d)
        case .text(let s):
            // Bound with its byte length, never as a C string: a NUL inside the text is stored, not a cut.
            var text = s
            rc = text.withUTF8 { p in
                sqlite3_bind_text(
                    handle, index, p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                    Int32(p.count), regie_sqlite_transient())
            }
        case .blob(let b):
            rc = b.withUnsafeBytes {
                sqlite3_bind_blob(handle, index, $0.baseAddress, Int32(b.count), regie_sqlite_transient())
            }
        }
        guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
    }

    /// Steps once; true when a row is available.
    func step() throws(DatabaseError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let error = database.error(rc, sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// Runs to completion, ignoring rows.
    func run(_ values: [SQLValue] = []) throws(DatabaseError) {
        try bind(values)
        try runBound()
    }

    /// Runs to completion with the values bound by `bind`, ignoring rows.
    func runBound() throws(DatabaseError) {
        while try step() {}
        sqlite3_reset(handle)
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// Text read with its byte length, so a NUL inside it is kept.
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    /// Text, or null for nil.
    static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    /// Integer, or null for nil.
    static func int(_ i: Int64?) -> SQLValue { i.map { .int($0) } ?? .null }
}

extension Statement {
    /// A column's value, by its stored type.
    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .int(int(column))
        case SQLITE_FLOAT: return .double(double(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .text(text(column))
        }
    }

    /// One row's values, kept after the statement moves on.
    struct Row {
        let values: [SQLValue]

        init(_ s: Statement, count: Int32) { values = (0..<count).map { s.value($0) } }

        func int(_ i: Int) -> Int64 {
            if case .int(let n) = values[i] { return n }
            return 0
        }

        func text(_ i: Int) -> String { optionalText(i) ?? "" }

        func optionalText(_ i: Int) -> String? {
            if case .text(let t) = values[i] { return t }
            return nil
        }
    }
}
