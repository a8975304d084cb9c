#if canImport(Glibc)
    internal import Glibc
#endif

/// Files made durable by hand, for the steps SQLite does not do itself: a new database or a backup renamed into
/// place must be on disk, and so must the folder entry that names it.
public enum DurableFile {
    /// The folder holding `path` ("." for a bare name, "/" for a file at the root).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Flushes a file or folder to disk.
    /// - Throws: `DatabaseError` (an I/O error with the system's error number) when it cannot.
    public static func sync(_ path: String) throws(DatabaseError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DatabaseError(code: 10, message: "cannot open \(path)", systemErrno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DatabaseError(code: 10, message: "cannot flush \(path)", systemErrno: errno) }
    }

    /// Flushes the folder entry of `path` (after a rename into place).
    public static func syncFolder(of path: String) throws(DatabaseError) { try sync(folder(of: path)) }
}
