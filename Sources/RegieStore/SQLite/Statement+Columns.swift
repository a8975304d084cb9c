internal import CSQLite

/// Reading a row by column name (GRDB's `row["name"]`), so that a reader does not depend on the order of a SELECT's
/// columns. Names are literals: each is resolved once per statement and then found by the literal's address, so
/// that reading by name costs what reading by index does on the paths that read a case for every command.
extension Statement {
    /// The index of the result column `name`.
    /// - Throws: `DatabaseError` (`range`) when the statement has no such column: a reader asked for a column its
    ///   SELECT does not name.
    func column(_ name: StaticString) throws(DatabaseError) -> Int32 {
        let key = UInt(bitPattern: name.utf8Start)
        if let index = columnIndexes[key] { return index }
        let wanted = name.description
        for i in 0..<sqlite3_column_count(handle) {
            if let c = sqlite3_column_name(handle, i), String(cString: c) == wanted {
                columnIndexes[key] = i
                return i
            }
        }
        throw DatabaseError(code: ResultCode.range.rawValue, message: "the result has no column \(wanted)", sql: sql)
    }

    func text(_ name: StaticString) throws(DatabaseError) -> String { text(try column(name)) }
    func optionalText(_ name: StaticString) throws(DatabaseError) -> String? { optionalText(try column(name)) }
    func int(_ name: StaticString) throws(DatabaseError) -> Int64 { int(try column(name)) }
    func optionalInt(_ name: StaticString) throws(DatabaseError) -> Int64? { optionalInt(try column(name)) }
    func isNull(_ name: StaticString) throws(DatabaseError) -> Bool { isNull(try column(name)) }

    /// An instant stored as epoch milliseconds.
    func instant(_ name: StaticString) throws(DatabaseError) -> Instant { Instant(milliseconds: try int(name)) }
    func optionalInstant(_ name: StaticString) throws(DatabaseError) -> Instant? {
        try optionalInt(name).map(Instant.init(milliseconds:))
    }

    /// A value stored as the raw value of `T`.
    /// - Parameter column: the stored column's name, for the error, when the result renamed it.
    /// - Throws: `StoreError.corrupt` when the stored text is none of `T`'s values.
    func value<T: RawRepresentable>(_ name: StaticString, as type: T.Type, table: String, column: String? = nil) throws
        -> T
    where T.RawValue == String {
        let text = try text(name)
        guard let value = T(rawValue: text) else {
            throw StoreError.corrupt(
                "\(table).\(column ?? name.description) holds \"\(text)\", which is not a value Regie writes")
        }
        return value
    }
}

import RegieCore
