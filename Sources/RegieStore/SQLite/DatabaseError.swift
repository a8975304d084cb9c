#if canImport(Glibc)
    internal import Glibc
#endif

/// A failure reported by SQLite: the extended result code, SQLite's message and the SQL, never the bound values.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code.
    public var code: Int32
    /// SQLite's message.
    public var message: String
    /// The statement that failed, if any.
    public var sql: String?
    /// The operating system's error number behind an I/O error (`sqlite3_system_errno`), 0 when none.
    public var systemErrno: Int32

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    /// The result code by name; `.primary` drops the extended part.
    public var resultCode: ResultCode { ResultCode(rawValue: code) }

    /// Whether another writer held the lock for longer than the busy timeout.
    public var isBusy: Bool { resultCode.primary == .busy || resultCode.primary == .locked }

    /// Whether a constraint (e.g. a unique key) was violated.
    public var isConstraint: Bool { resultCode.primary == .constraint }

    /// What went wrong, by SQLite's primary result code (GRDB's `ResultCode` by name).
    public enum Kind: Sendable, Equatable {
        case busy, readOnly, full, damaged, cannotOpen, ioError, noPermission, other
    }

    /// The kind of failure.
    public var kind: Kind {
        switch resultCode.primary {
        case .busy, .locked: return .busy
        case .readOnly: return .readOnly
        case .full: return .full
        case .corrupt, .notADatabase: return .damaged
        case .cannotOpen: return .cannotOpen
        case .ioError:
            // SQLite calls only ENOSPC "full"; a quota (EDQUOT) or a file-size limit (EFBIG) is the same to a person,
            // and EROFS or EPERM (an immutable file) is a file that cannot be written.
            switch systemErrno {
            case EFBIG, ENOSPC, EDQUOT: return .full
            case EPERM, EROFS: return .readOnly
            default: return .ioError
            }
        case .permission, .auth: return .noPermission
        default: return .other
        }
    }

    /// The failure for a person: what happened and what to do, for the database file at `path`.
    /// - Parameter path: the file; empty when not known ("the database").
    public func sentence(path: String) -> String {
        let db = path.isEmpty ? "the database" : "the database \(path)"
        let file = path.isEmpty ? "the database file" : "the database file \(path)"
        let disk = path.isEmpty ? "the disk holding the database" : "the disk holding \(path)"
        let on = path.isEmpty ? "the database" : path
        switch kind {
        case .busy:
            return "\(db) is busy: another process holds its write lock for over 10 s; try again"
        case .readOnly:
            return
                "\(db) cannot be written (a read-only or immutable file, or a read-only volume): check its permissions and attributes (lsattr), or open a copy"
        case .full:
            return
                "\(disk) is full (or a quota or file-size limit is reached): nothing was written; free space on it (df -h), then try again"
        case .damaged:
            return
                "\(file) is damaged: run `regie check`, then restore the latest backup with `regie restore`"
        case .cannotOpen:
            return "\(db) cannot be opened: check that the path exists and that its folder is writable"
        case .ioError:
            return "the disk reported an I/O error on \(on): check the disk (dmesg), then run `regie check`"
        case .noPermission:
            return "this user may not use \(db): check the file's owner and permissions"
        case .other:
            return "storage problem: \(description)"
        }
    }

    public var description: String {
        var s = "database error \(code)\(systemErrno != 0 ? " (errno \(systemErrno))" : ""): \(message)"
        if let sql { s += " (in: \(sql.prefix(160)))" }
        return s
    }
}
