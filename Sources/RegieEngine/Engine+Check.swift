import RegieCore
public import RegieStore

/// `regie check`: the database file, the access log's chain and the event log's seals.
extension Engine {
    /// What a check found.
    public struct CheckReport: Sendable {
        /// SQLite's integrity (or quick) check: empty when the file is sound.
        public var integrity: [String]
        public var audit: AuditVerification
        /// Cases whose event logs were checked.
        public var cases: Int
        /// Every case whose log, or state, does not match its seals.
        public var seals: [CaseStore.SealProblem]

        /// The file is damaged (SQLite's own check fails).
        public var damaged: Bool { !integrity.isEmpty }
        /// A seal or a hash does not match: something was altered.
        public var tampered: Bool { !audit.broken.isEmpty || !seals.isEmpty }
    }

    /// Checks the database file (`PRAGMA integrity_check`, or `quick_check`), the access log's chain and every
    /// case's event log against its seals and its state.
    public func check(quick: Bool, progress: @escaping (Int) -> Void = { _ in }) throws(EngineError) -> CheckReport {
        try read { store in try Self.checkReport(store, quick: quick, progress: progress) }
    }

    /// The checks on a store, in its read transaction.
    static func checkReport(_ store: CaseStore, quick: Bool, progress: (Int) -> Void = { _ in }) throws
        -> CheckReport
    {
        let seals = try store.verifyAllSeals(progress: progress)
        return CheckReport(
            integrity: try store.integrityProblems(quick: quick), audit: try verifyAudit(in: store),
            cases: seals.cases, seals: seals.problems)
    }
}

/// Health: whether the engine can do its work now, tried rather than assumed.
extension Engine {
    /// Commits a write the way an access record is written: it reads the access log's last record and writes a
    /// `meta` row, through the committer, durably. It fails when an access record could not be written now (a
    /// read-only or immutable file, a full disk, a damaged page on the path an append takes). The row is as large as
    /// several pages: an access record touches the log's table and its indexes, and a probe of one page could still
    /// fit in the last bytes of a full disk where the record no longer does.
    static let probePadding = String(repeating: ".", count: 16_384)

    public func probeWrite() throws(EngineError) {
        let now = clock.now()
        do {
            try committer.run { store in
                _ = try store.db.scalarText("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
                try store.setMeta("health_probe", now.iso8601 + " " + Self.probePadding)
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }
}
