internal import CSQLite
#if canImport(Glibc)
    internal import Glibc
#endif

/// Copies of a live database: `VACUUM INTO`, and SQLite's online backup API (kept for the benchmark that chose
/// between them).
extension Database {
    /// Writes a consistent copy of the database, as of one read snapshot, to a new file. Writers go on meanwhile
    /// (WAL): the copy holds exactly what was committed when it began.
    /// - Throws: `DatabaseError` (for one, when `destination` exists).
    public func vacuumInto(_ destination: String) throws(DatabaseError) {
        // VACUUM runs in a read transaction of its own (it cannot run inside another).
        try run("VACUUM INTO ?", [.text(destination)])
    }

    /// What the online backup API did.
    public struct BackupSteps: Sendable {
        /// Whether it finished within its time.
        public var finished: Bool
        /// How many steps it took.
        public var steps: Int
    }

    /// Copies the database page by page with SQLite's online backup API, `pagesPerStep` pages a step with a pause
    /// between steps, for at most `seconds`. A write by another connection meanwhile makes it start again.
    public func backupPages(to destination: String, pagesPerStep: Int32, pauseMicroseconds: UInt32, seconds: Double)
        throws(DatabaseError) -> BackupSteps
    {
        let target = try Database(path: destination)
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw target.error(sqlite3_errcode(target.handle), sql: "backup")
        }
        var steps = 0
        let start = monotonicNow()
        var rc = SQLITE_OK
        repeat {
            rc = sqlite3_backup_step(backup, pagesPerStep)
            steps += 1
            if rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED { usleep(pauseMicroseconds) }
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && monotonicNow() - start < seconds
        sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE || rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED else {
            throw target.error(rc, sql: "backup")
        }
        return BackupSteps(finished: rc == SQLITE_DONE, steps: steps)
    }

    private func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
