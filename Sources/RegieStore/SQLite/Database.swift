internal import CSQLite
internal import Foundation
#if canImport(Glibc)
    internal import Glibc
#endif

/// One SQLite connection in WAL mode with durable commits. Use it from one thread at a time.
///
/// `@unchecked Sendable` because it owns a C handle opened `SQLITE_OPEN_NOMUTEX` and a statement cache: it may be
/// handed from one thread to another, never used by two at once. Who holds one guarantees that: the group
/// committer's leader alone uses the writer, the reader pool lends a reader to one caller, the checkpointer's
/// thread alone uses its own.
public final class Database: @unchecked Sendable {
    let handle: OpaquePointer
    /// The file this connection opened.
    public let path: String
    private var cache: [String: Statement] = [:]
    /// Statements for SQL literals (`StaticString`), by the literal's address.
    private var literalCache: [UInt: Statement] = [:]
    private var transactionDepth = 0
    /// Additions to counter rows made in the open write transaction, written once each just before it commits
    /// (see `tally`); cut back to a savepoint's mark when the savepoint rolls back.
    private var tallies: [Tally] = []
    /// Whether the open transaction is a write transaction (`write`), not a read (`read`).
    private var writing = false
    /// Counts the write transactions begun on this connection, so that a value read in one can be reused within it.
    public private(set) var transactionSerial: Int64 = 0

    /// Opens (creating if needed) a database file in WAL mode with `synchronous=FULL`.
    /// - Parameters:
    ///   - path: the file.
    ///   - readOnly: open for reading only (a reader connection beside the writer).
    /// - Throws: `DatabaseError` when the file cannot be opened or WAL cannot be enabled.
    public init(path: String, readOnly: Bool = false) throws(DatabaseError) {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var db = try Self.open(path, flags: flags)
        if readOnly && sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nil, nil, nil) != SQLITE_OK {
            // A WAL database needs its -shm file, which a read-only folder or volume cannot hold. With no log beside
            // it the file alone is the whole database, so it can be read as immutable.
            sqlite3_close_v2(db)
            var st = stat()
            guard stat(path + "-wal", &st) != 0 || st.st_size == 0 else {
                throw DatabaseError(
                    code: SQLITE_CANTOPEN,
                    message:
                        "\(path) cannot be read: its log (\(path)-wal) holds changes not yet in the file, and the folder cannot be written to read them; copy the file and its -wal to a writable folder"
                )
            }
            let encoded = path.utf8.map { byte -> String in
                let c = Character(Unicode.Scalar(byte))
                return byte < 128 && (c.isLetter || c.isNumber || "/-_.~".contains(c))
                    ? String(c) : String(format: "%%%02X", byte)
            }.joined()
            db = try Self.open("file:\(encoded)?immutable=1", flags: flags | SQLITE_OPEN_URI)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
        _ = regie_sqlite_enable_defensive(db)
        if !readOnly {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw DatabaseError(
                    code: ResultCode.error.rawValue,
                    message:
                        "could not switch \(path) to WAL mode (got \(mode ?? "none")); is it on a network file system?")
            }
        }
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
        // temp_store stays SQLite's default (files, kept in memory until they outgrow the cache). Each item of a
        // batch runs in a savepoint, whose journal of the pages it changes SQLite then keeps in one 64 KiB block
        // (spilling to an unlinked temporary file beyond that). With temp_store=MEMORY it used 1 KiB blocks, five
        // allocations per page, which measured 5% of a group commit's instructions.
        // A bounded page cache (32 MiB per connection) keeps hot pages in memory. No memory-mapped I/O: every page
        // touched through a map stays resident, so a scheduler sweeping a large database would grow without bound.
        try execute("PRAGMA cache_size=-32768")
    }

    /// Whether SQLite opened the file for reading only (it does so silently when asked to write a file it cannot).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// SQLite's process-wide settings, made once before the first connection opens.
    private static let configured: Void = { _ = regie_sqlite_configure() }()

    private static func open(_ name: String, flags: Int32) throws(DatabaseError) -> OpaquePointer {
        Self.configured
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(code: rc, message: "\(message): \(name)")
        }
        return db
    }

    deinit {
        if walHook != nil { sqlite3_wal_hook(handle, nil, nil) }
        cache.removeAll()
        literalCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// What to call after each commit instead of checkpointing on this connection's thread.
    private final class WALHook {
        let body: @Sendable (Int) -> Void
        init(_ body: @escaping @Sendable (Int) -> Void) { self.body = body }
    }
    private var walHook: WALHook?

    /// Stops this connection from checkpointing after its commits (SQLite's automatic checkpoint, which copies the
    /// log into the database file and fsyncs it while the committer waits); calls `body` after each commit with the
    /// log's size in pages instead, so that a `Checkpointer` on another thread can do the copying.
    public func handOffCheckpoints(_ body: @escaping @Sendable (Int) -> Void) {
        let hook = WALHook(body)
        walHook = hook
        sqlite3_wal_hook(
            handle,
            { context, _, _, pages in
                guard let context else { return SQLITE_OK }
                Unmanaged<WALHook>.fromOpaque(context).takeUnretainedValue().body(Int(pages))
                return SQLITE_OK
            }, Unmanaged.passUnretained(hook).toOpaque())
    }

    /// Copies as much of the log into the database file as it can without waiting for readers or writers.
    /// - Returns: the log's size and how much of it is now copied, in pages.
    @discardableResult
    public func checkpointPassive() throws(DatabaseError) -> (log: Int, copied: Int) {
        var log: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        guard rc == SQLITE_OK || rc == SQLITE_BUSY else { throw error(rc, sql: "checkpoint") }
        return (Int(log), Int(copied))
    }

    func error(_ rc: Int32, sql: String?) -> DatabaseError {
        let code = sqlite3_extended_errcode(handle)
        var errno_ = sqlite3_system_errno(handle)
        if ResultCode(rawValue: code).primary == .ioError && errno_ == 0 { errno_ = Self.diagnoseWriteFailure(path) }
        return DatabaseError(
            code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql, systemErrno: errno_)
    }

    /// Why a write to `path` (or its log) may have failed when SQLite kept no error number (it reports one taken
    /// after its own clean-up): ENOSPC when the disk has (almost) no room left, EFBIG when a file reached the
    /// process's file-size limit, else 0.
    static func diagnoseWriteFailure(_ path: String) -> Int32 {
        var fs = statvfs()
        if statvfs(DurableFile.folder(of: path), &fs) == 0, UInt64(fs.f_bavail) * UInt64(fs.f_bsize) < 1 << 20 {
            return ENOSPC
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            for file in [path, path + "-wal"] {
                var st = stat()
                if stat(file, &st) == 0, UInt64(st.st_size) + 65536 >= UInt64(limit.rlim_cur) { return EFBIG }
            }
        }
        return 0
    }

    /// Runs one or more statements without parameters.
    public func execute(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw DatabaseError(
                code: sqlite3_extended_errcode(handle), message: text, sql: sql,
                systemErrno: sqlite3_system_errno(handle))
        }
    }

    /// The cached prepared statement for `sql`.
    func statement(_ sql: String) throws(DatabaseError) -> Statement {
        if let s = cache[sql] { return s }
        let s = try Statement(database: self, sql: sql)
        cache[sql] = s
        return s
    }

    /// The cached prepared statement for a SQL literal, found by the literal's address instead of by hashing its
    /// text: for the statements every transition runs (a case's SELECT is 700 characters long).
    func statement(_ sql: StaticString) throws(DatabaseError) -> Statement {
        let key = UInt(bitPattern: sql.utf8Start)
        if let s = literalCache[key] { return s }
        let s = try statement(sql.description)
        literalCache[key] = s
        return s
    }

    /// Runs a statement with parameters.
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(DatabaseError) {
        try statement(sql).run(values)
    }

    /// Runs a statement given as a literal constant (see `statement(_:)` for literals).
    func run(_ sql: StaticString, _ values: [SQLValue] = []) throws(DatabaseError) {
        try statement(sql).run(values)
    }

    /// The first column of the first row as text, or nil when there is no row or it is null.
    public func scalarText(_ sql: String, _ values: [SQLValue] = []) throws(DatabaseError) -> String? {
        let s = try statement(sql)
        try s.bind(values)
        defer { sqlite3_reset(s.handle) }
        return try s.step() ? s.optionalText(0) : nil
    }

    /// The first column of the first row as an integer, or nil when there is no row or it is null.
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws(DatabaseError) -> Int64? {
        try scalarInt(statement(sql), values)
    }

    /// `scalarInt` for a SQL literal (see `statement(_:)` for literals).
    func scalarInt(_ sql: StaticString, _ values: [SQLValue] = []) throws(DatabaseError) -> Int64? {
        try scalarInt(statement(sql), values)
    }

    private func scalarInt(_ s: Statement, _ values: [SQLValue]) throws(DatabaseError) -> Int64? {
        try s.bind(values)
        defer { sqlite3_reset(s.handle) }
        return try s.step() ? s.optionalInt(0) : nil
    }

    /// The first column of every row, as integers.
    public func integers(_ sql: String, _ values: [SQLValue] = []) throws -> [Int64] {
        var out: [Int64] = []
        try query(sql, values) { out.append($0.int(0)) }
        return out
    }

    /// Iterates over the rows of a query.
    func query(_ sql: String, _ values: [SQLValue] = [], _ row: (Statement) throws -> Void) throws {
        try query(statement(sql), values, row)
    }

    /// Iterates over the rows of a query given as a literal constant (see `statement(_:)` for literals).
    func query(_ sql: StaticString, _ values: [SQLValue] = [], _ row: (Statement) throws -> Void) throws {
        try query(statement(sql), values, row)
    }

    private func query(_ s: Statement, _ values: [SQLValue], _ row: (Statement) throws -> Void) throws {
        try s.bind(values)
        defer { sqlite3_reset(s.handle) }
        while try s.step() { try row(s) }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`), committing when it returns and rolling back when it
    /// throws. Nested calls join the outer transaction.
    @discardableResult
    public func write<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try run("BEGIN IMMEDIATE")
        transactionSerial += 1
        transactionDepth = 1
        writing = true
        defer {
            writing = false
            tallies.removeAll(keepingCapacity: true)
        }
        do {
            let result = try body()
            try requireTransaction()
            try writeTallies()
            transactionDepth = 0
            try run("COMMIT")
            return result
        } catch {
            transactionDepth = 0
            try? run("ROLLBACK")
            throw error
        }
    }

    /// Throws when SQLite has ended the open write transaction by itself: it rolls a transaction back on an I/O
    /// error, a full disk or lack of memory, and then a statement or savepoint run as if inside it would commit on its
    /// own.
    private func requireTransaction() throws(DatabaseError) {
        guard writing, sqlite3_get_autocommit(handle) != 0 else { return }
        throw DatabaseError(
            code: ResultCode.abort.rawValue,
            message:
                "the transaction was rolled back after an earlier error (see that error); nothing of it was written")
    }

    /// An addition to a counter row, kept until the transaction commits.
    private struct Tally {
        /// The upsert; rows are told apart by its literal's address and the key.
        let sql: StaticString
        let key: [SQLValue]
        let n: Int64
    }

    /// Adds `n` to the counter row `key` with `sql`, an upsert whose parameters are `key` followed by `n` (for example
    /// `INSERT ... VALUES (?, ?, ?) ON CONFLICT(...) DO UPDATE SET n = n + excluded.n`). Call inside a write
    /// transaction. The additions of the whole transaction are summed per row and written once each, just before it
    /// commits: a thousand commits that count the same fact update its row once. A savepoint that rolls back takes
    /// its additions with it. Until the commit the rows do not show the additions, so read them only outside it.
    func tally(_ sql: StaticString, _ key: [SQLValue], by n: Int64) {
        precondition(writing, "tally outside a write transaction")
        tallies.append(Tally(sql: sql, key: key, n: n))
    }

    /// Writes the summed additions, in the order their rows were first counted.
    private func writeTallies() throws(DatabaseError) {
        guard !tallies.isEmpty else { return }
        struct Row: Hashable {
            let sql: UInt
            let key: [SQLValue]
        }
        var position: [Row: Int] = [:]
        var rows: [(sql: StaticString, key: [SQLValue], n: Int64)] = []
        for t in tallies {
            // Most additions count the row the one before counted (a group's commands are alike): compared, not hashed.
            if let last = rows.indices.last, rows[last].sql.utf8Start == t.sql.utf8Start, rows[last].key == t.key {
                rows[last].n += t.n
                continue
            }
            let row = Row(sql: UInt(bitPattern: t.sql.utf8Start), key: t.key)
            if let i = position[row] {
                rows[i].n += t.n
            } else {
                position[row] = rows.count
                rows.append((t.sql, t.key, t.n))
            }
        }
        for row in rows where row.n != 0 { try run(row.sql, row.key + [.int(row.n)]) }
    }

    /// Runs `body` in a savepoint of the write transaction (one is begun when none is open): when `body` throws, what
    /// it changed is rolled back and its error passed on, and the rest of the transaction stands. Savepoints nest,
    /// so each item of a batch is isolated whatever the item itself does.
    @discardableResult
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth == 0 { return try write { try savepoint(body) } }
        // Never begun once SQLite has ended the transaction: outside one, a savepoint would commit on its own.
        try requireTransaction()
        let (begin, release): (StaticString, StaticString) = ("SAVEPOINT item", "RELEASE item")
        try run(begin)
        let counted = tallies.count
        do {
            let result = try body()
            try run(release)
            return result
        } catch {
            // SQLite rolled the whole transaction back itself (it does on an I/O error): nothing to undo here, and the
            // transaction fails as a whole.
            if sqlite3_get_autocommit(handle) != 0 { throw error }
            // Undoes the item's changes and its counts, then ends the savepoint: the transaction goes on without them.
            try run("ROLLBACK TO item")
            try run("RELEASE item")
            tallies.removeSubrange(counted...)
            throw error
        }
    }

    /// Runs `body` in a read transaction, so that it sees one consistent snapshot.
    public func read<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        try run("BEGIN DEFERRED")
        transactionDepth = 1
        defer {
            transactionDepth = 0
            try? run("COMMIT")
        }
        return try body()
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last insert.
    public var lastInsertID: Int64 { sqlite3_last_insert_rowid(handle) }
}
