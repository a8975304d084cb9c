public import RegieCore
import RegieStore
internal import RegieCrypto
internal import Foundation
#if canImport(Glibc)
    internal import Glibc
#endif

/// Backups and restores of a live database, and the checks both run on a database file.
extension Engine {
    /// What a backup wrote.
    public struct BackupReport: Sendable {
        public var destination: String
        /// Where the regional secret was copied to, if it lives in a file.
        public var secretCopy: String?
        public var cases: Int
        public var events: Int
        public var accessRecords: Int
        public var bytes: Int
        public var seconds: Double
    }

    /// Writes a consistent copy of the database (`VACUUM INTO`, one read snapshot: everything committed when it
    /// began, while writers go on) and the regional secret beside it (`DEST.secret`, mode 0600), checks the copy
    /// (integrity, schema, access log, seals), and only then gives it its name.
    /// - Parameter secret: where the regional secret lives, copied along when it is a file.
    /// - Throws: `EngineError.invalid` when `destination` exists; `.damaged`/`.tampered` when the copy does not check.
    public func backup(to destination: String, secret: Pseudonymizer.Source) throws(EngineError) -> BackupReport {
        let started = Date()
        let fm = FileManager.default
        guard !fm.fileExists(atPath: destination) else {
            throw .invalid("\(destination) exists; a backup never overwrites: name a new file")
        }
        let partial = destination + ".partial"
        try? fm.removeItem(atPath: partial)
        do {
            // A connection of its own: VACUUM INTO writes the copy, so it cannot run on a read-only reader, and on the
            // writer it would hold up every commit.
            try Database(path: databasePath, readOnly: readOnlyReason != nil).vacuumInto(partial)
            try DurableFile.sync(partial)
            let report = try Self.check(database: partial, quick: false)
            guard !report.damaged, !report.tampered else {
                throw EngineError.damaged(
                    "the copy does not check (\(report.integrity.first ?? report.seals.first?.description ?? "access log")); the database itself may be damaged: run `regie check`"
                )
            }
            if let pseudonymizer, let stored = try CaseStore(path: partial, readOnly: true).meta("secret_check"),
                stored != pseudonymizer.check
            {
                throw EngineError.environment("the regional secret in use is not the one this database was made with")
            }
            var secretCopy: String?
            if case .file(let path) = secret {
                let copy = destination + ".secret"
                try? fm.removeItem(atPath: copy)
                try fm.copyItem(atPath: path, toPath: copy)
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: copy)
                try DurableFile.sync(copy)
                secretCopy = copy
            }
            try fm.moveItem(atPath: partial, toPath: destination)
            try DurableFile.syncFolder(of: destination)
            let counts = try Self.counts(destination)
            let size = (try? fm.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
            return BackupReport(
                destination: destination, secretCopy: secretCopy, cases: counts.cases, events: counts.events,
                accessRecords: counts.audit, bytes: size, seconds: Date().timeIntervalSince(started))
        } catch {
            try? fm.removeItem(atPath: partial)
            throw EngineError.wrap(error, path: destination)
        }
    }

    /// What a restore did.
    public struct RestoreReport: Sendable {
        /// Where the database it replaced was moved to (nil when there was none).
        public var previous: String?
        public var secretRestored: Bool
        public var cases: Int
        public var events: Int
    }

    /// Replaces `database` with the backup `source`, once no process uses the database and the backup checks
    /// (integrity, schema version, the access log's chain, the event log's seals). The database it replaces is
    /// moved aside, never deleted; the backup's secret (`SOURCE.secret`) comes along.
    /// - Parameter audit: the access-log record of the restore, appended to the restored database.
    /// - Throws: `EngineError.environment` when a process holds the database; `.damaged`/`.tampered` when the backup
    ///   does not check (then nothing changed).
    public static func restore(from source: String, to database: String, audit: AuditEntry) throws(EngineError)
        -> RestoreReport
    {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source) else { throw .notFound("no backup at \(source)") }
        let lock = try ExclusiveLock(
            path: ExclusiveLock.inUse(database: database),
            held:
                "a process is using \(database) (regie serve, a scheduler, a deliverer or a command): stop it, then restore"
        )
        defer { withExtendedLifetime(lock) {} }
        let staging = database + ".restoring"
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: staging + suffix) }
        do {
            try fm.copyItem(atPath: source, toPath: staging)
            // Opening it brings an older backup up to the current schema; then it must check.
            let store = try CaseStore(path: staging)
            try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let report = try check(database: staging, quick: false)
            if report.damaged {
                throw EngineError.damaged("the backup \(source) is damaged: \(report.integrity.first ?? "")")
            }
            if report.tampered {
                throw EngineError.tampered(
                    "the backup \(source) does not verify: \(report.seals.first?.description ?? report.audit.firstBroken.map { "access record \($0.id): \($0.reason)" } ?? "")"
                )
            }
            let sourceSecret = source + ".secret"
            if let stored = try store.meta("secret_check"), let data = fm.contents(atPath: sourceSecret) {
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard try Pseudonymizer(secret: Array(text.utf8)).check == stored else {
                    throw EngineError.environment("\(sourceSecret) is not the secret the backup was made with")
                }
            }
            var entry = audit
            entry.detail = "restored from \(source)"
            try store.db.write { try store.appendAudit(entry) { sha256Hex($0) } }
            try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let counts = try Self.counts(staging)
            // The database it replaces, with its log, moves aside; then the backup takes its name.
            var previous: String?
            if fm.fileExists(atPath: database) {
                let aside =
                    database + ".before-restore-"
                    + Instant(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).iso8601
                for suffix in ["", "-wal", "-shm", ".secret"] where fm.fileExists(atPath: database + suffix) {
                    try fm.moveItem(atPath: database + suffix, toPath: aside + suffix)
                }
                previous = aside
            }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: staging + suffix) }
            try fm.moveItem(atPath: staging, toPath: database)
            var secretRestored = false
            if fm.fileExists(atPath: sourceSecret) {
                try fm.copyItem(atPath: sourceSecret, toPath: database + ".secret")
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: database + ".secret")
                secretRestored = true
            } else if let previous, fm.fileExists(atPath: previous + ".secret") {
                try fm.copyItem(atPath: previous + ".secret", toPath: database + ".secret")
            }
            try DurableFile.sync(database)
            try DurableFile.syncFolder(of: database)
            return RestoreReport(
                previous: previous, secretRestored: secretRestored, cases: counts.cases, events: counts.events)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: staging + suffix) }
            throw EngineError.wrap(error, path: source)
        }
    }

    /// Checks a database file on its own (read-only): integrity, the access log, the seals.
    public static func check(database: String, quick: Bool) throws -> CheckReport {
        let store = try CaseStore(path: database, readOnly: true)
        return try store.db.read { try checkReport(store, quick: quick) }
    }

    static func counts(_ database: String) throws -> (cases: Int, events: Int, audit: Int) {
        let store = try CaseStore(path: database, readOnly: true)
        return (
            Int(try store.db.scalarInt("SELECT count(*) FROM cases") ?? 0),
            Int(try store.db.scalarInt("SELECT count(*) FROM events") ?? 0),
            Int(try store.db.scalarInt("SELECT count(*) FROM audit") ?? 0)
        )
    }

}
