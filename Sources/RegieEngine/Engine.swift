public import RegieCore
public import RegieStore
internal import RegieCrypto
internal import Foundation
import Synchronization

/// Runs commands and timers against the store. Thread-safe: commands are decided on read snapshots (a pool of read
/// connections, so reads never wait behind the writer) and written by one group committer, which applies a decision
/// only if its case is still at the sequence it was decided on.
public final class Engine: Sendable {
    /// The workflows in the files.
    public let catalog: WorkflowCatalog
    /// The region's configuration.
    public let config: RegionConfig
    /// How webhooks are delivered.
    public let webhooks: WebhookSettings
    /// How people log in and how long their sessions last.
    public let identity: IdentitySettings
    /// How the engine reaches the identity provider; nil: single sign-on is not possible in this process.
    let fetcher: (any HTTPFetching)?
    /// The identity provider's discovery document and keys, as last fetched.
    let ssoCache = Mutex(SSOCache())
    /// Where time comes from.
    public let clock: any Clock
    /// The database file.
    public let databasePath: String
    let pseudonymizer: Pseudonymizer?
    let committer: GroupCommitter
    let readers: ReaderPool
    /// State machines built from the stored definitions, by "name@version", and the one used last.
    private struct Machines {
        var byKey: [String: StateMachine] = [:]
        var last: StateMachine?
        /// Definitions whose stored text was compared with the file.
        var checked: Set<String> = []
    }

    private let machines = Mutex(Machines())
    let wake: WakeSender
    /// Wakes the webhook deliverer when a transaction wrote deliveries.
    let deliveryWake: WakeSender
    /// Copies the log into the database file off the commit path.
    private let checkpointer: Checkpointer?
    /// Why the database was opened for reading only (it cannot be written), or nil. Every write then fails with
    /// that reason, and so does every read whose access must be logged.
    public let readOnlyReason: String?
    /// Counts each partner's lookups against the region's limit.
    let lookups: RateLimiter
    /// Counts login attempts per login name and per network address.
    let loginsPerAccount: RateLimiter
    let loginsPerAddress: RateLimiter

    /// Opens the engine on an existing database.
    /// - Throws: `EngineError.environment` when the database cannot be opened.
    public init(
        databasePath: String, catalog: WorkflowCatalog, config: RegionConfig, clock: any Clock,
        pseudonymizer: Pseudonymizer?, webhooks: WebhookSettings = WebhookSettings(),
        identity: IdentitySettings = IdentitySettings(), fetcher: (any HTTPFetching)? = nil
    ) throws(EngineError) {
        self.webhooks = webhooks
        self.identity = identity
        self.fetcher = fetcher
        self.catalog = catalog
        self.config = config
        self.clock = clock
        self.databasePath = databasePath
        self.pseudonymizer = pseudonymizer
        lookups = RateLimiter(limit: config.lookupLimit, window: config.lookupWindow)
        loginsPerAccount = RateLimiter(limit: identity.attemptsPerAccount, windowSeconds: identity.attemptWindowSeconds)
        loginsPerAddress = RateLimiter(limit: identity.attemptsPerAddress, windowSeconds: identity.attemptWindowSeconds)
        let wake = WakeSender(path: WakeSignal.path(forDatabase: databasePath))
        let deliveryWake = WakeSender(path: WakeSignal.path(forDatabase: databasePath, suffix: "deliver"))
        (self.wake, self.deliveryWake) = (wake, deliveryWake)
        do {
            let (store, readOnly) = try CaseStore.openWritableOrReadOnly(path: databasePath)
            committer = GroupCommitter(store: store) {
                wake.sendIfRequested()
                deliveryWake.sendIfRequested()
            }
            readers = try ReaderPool(path: databasePath, readOnly: readOnly != nil)
            readOnlyReason = readOnly
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
        if readOnlyReason == nil {
            let checkpointer: Checkpointer
            do { checkpointer = try Checkpointer(path: databasePath) } catch {
                throw EngineError.wrap(error, path: databasePath)
            }
            committer.handOffCheckpoints(to: checkpointer)
            self.checkpointer = checkpointer
        } else {
            checkpointer = nil
        }
        let planner = DeliveryPlanning(engine: Unowned(self))
        committer.withStore { $0.deliveryPlanner = planner.plan }
        if let guarded = clock as? GuardedClock, let last = try? read({ try $0.lastEventAt() }) {
            guarded.observe(last)
        }
        if let pending = (clock as? SimulatedClock)?.pending {
            committer.withStore { $0.advanceClockOnChange = pending }
        }
        try checkSecret()
    }

    /// The regional secret must be the one the database was made with, or every pseudonym would silently differ;
    /// a database that has no record of its secret yet gets one.
    private func checkSecret() throws(EngineError) {
        guard let pseudonymizer else { return }
        let stored = try read { try $0.meta("secret_check") }
        if let stored {
            guard stored == pseudonymizer.check else {
                throw .environment(
                    "the regional secret in use is not the one \(databasePath) was made with, so pseudonyms would not match: use the secret that belongs to it (\(databasePath).secret, or the one kept with its backup)"
                )
            }
            return
        }
        // A read-only database keeps no record; it is written the first time the database can be written.
        try? committer.run { store in try store.setMeta("secret_check", pseudonymizer.check) }
    }

    deinit { checkpointer?.stop() }

    /// Whether the database was created with a simulated clock.
    public var simulatedClock: Bool { (try? read { $0.simulatedClock }) ?? false }

    // MARK: Commands

    /// What a command answered.
    public struct Outcome: Sendable {
        /// The case after the command (nil when replayed from an idempotency key).
        public var record: CaseRecord?
        /// The state machine of the case, which describes its deadlines in `response`.
        private var machine: StateMachine?
        private var stored: JSONValue?
        /// True when an idempotency key matched an earlier identical command: nothing new happened.
        public var replayed: Bool

        init(record: CaseRecord, machine: StateMachine?) {
            self.record = record
            self.machine = machine
            self.replayed = false
        }

        init(replayed response: JSONValue) {
            self.stored = response
            self.replayed = true
        }

        /// The case as JSON: the same document `case show --json` prints, or the stored answer on a replay. Made
        /// when asked for, outside the writer.
        public var response: JSONValue {
            if let stored { return stored }
            guard let record else { return .null }
            return machine?.json(of: record) ?? record.json
        }
    }

    /// The answer to a command; its JSON is made when asked for, outside the writer.
    func outcome(_ record: CaseRecord, _ machine: StateMachine? = nil) -> Outcome {
        Outcome(record: record, machine: machine ?? (try? self.machine(for: record.workflow, version: record.version)))
    }

    /// The case as JSON, its deadlines described by its workflow (`StateMachine.json(of:)`).
    public func json(of record: CaseRecord) -> JSONValue {
        (try? machine(for: record.workflow, version: record.version))?.json(of: record) ?? record.json
    }

    /// The state machine a case runs on (its workflow version in this region).
    /// - Throws: `EngineError.environment` when that version is neither in the files nor in the database.
    public func stateMachine(for record: CaseRecord) throws(EngineError) -> StateMachine {
        do { return try machine(for: record.workflow, version: record.version) } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Runs each item of a batch (by index) in the writer's transaction, each in a savepoint of its own: an item
    /// refused by the rules fails alone and leaves nothing behind, whatever it wrote before it was refused, while a
    /// database failure aborts the whole transaction, so none of the batch commits.
    static func eachInBatch(_ count: Int, in store: CaseStore, _ body: (Int) throws -> Outcome) throws
        -> [Result<Outcome, EngineError>]
    {
        try (0..<count).map { index in
            do {
                return .success(try store.db.savepoint { try body(index) })
            } catch let e as DatabaseError {
                throw e
            } catch {
                return .failure(EngineError.wrap(error))
            }
        }
    }

    func ensureDefinition(_ workflow: Workflow, in store: CaseStore, now: Instant) throws {
        let key = "\(workflow.name)@\(workflow.version)"
        if machines.withLock({ $0.checked.contains(key) }) { return }
        if let stored = try store.workflowDefinition(name: workflow.name, version: workflow.version) {
            guard stored == workflow.source else {
                throw EngineError.environment(
                    "workflow \(workflow.name) version \(workflow.version) in the files differs from the version \(workflow.version) that cases were opened with; give the changed workflow a higher \"version\""
                )
            }
        } else {
            try store.storeWorkflowDefinition(
                name: workflow.name, version: workflow.version, definition: workflow.source, now: now)
        }
        _ = machines.withLock { $0.checked.insert(key) }
    }

    /// The state machine for a workflow version: from the definition stored when the first case on that version was
    /// opened, else (no case on it yet) from the files.
    func machine(for name: String, version: Int) throws -> StateMachine {
        if let m = machines.withLock({ $0.last }), m.workflow.version == version, m.workflow.name == name {
            return m
        }
        let key = "\(name)@\(version)"
        if let m = machines.withLock({ m in
            m.last = m.byKey[key] ?? m.last
            return m.byKey[key]
        }) {
            return m
        }
        // A case is decided by the definition stored when the first case on its version was opened, even when the
        // file was edited since without a new version number (opening new cases on such a file is refused).
        let workflow: Workflow
        let file = catalog.workflows[name].flatMap { $0.version == version ? $0 : nil }
        if let text = try read({ try $0.workflowDefinition(name: name, version: version) }) {
            if let file, file.source == text {
                workflow = file
            } else {
                workflow = try WorkflowLoader.loadStored(Array(text.utf8), file: "database:\(key)")
            }
        } else if let file {
            workflow = file
        } else {
            throw EngineError.environment(
                "workflow \(name) version \(version) is neither in the files nor in the database")
        }
        let machine = StateMachine(workflow: workflow, region: config)
        machines.withLock { $0.byKey[key] = machine }
        return machine
    }

    /// A new opaque case id: `c-`, nine characters of creation time (milliseconds, base32) and eight random ones.
    ///
    /// Time first keeps cases opened together stored together: opening appends to the table, and timers falling due
    /// together (deadlines follow from when a case was opened) touch neighbouring pages instead of scattered ones.
    func newCaseID(at now: Instant) throws -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
        let random = try Crypto.randomBytes(5).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let time = UInt64(max(0, now.milliseconds))  // 45 bits: ordered until the year 3085
        var out: [UInt8] = Array("c-".utf8)
        for (value, top) in [(time, 40), (random, 35)] {
            for shift in stride(from: top, through: 0, by: -5) {
                out.append(alphabet[Int((value >> UInt64(shift)) & 31)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Timers

    /// The due time of the earliest running timer.
    public func nextDueAt() throws(EngineError) -> Instant? {
        try read { try $0.nextDueAt() }
    }

    // MARK: Reads

    /// Runs `body` with the read connection.
    public func read<T>(_ body: (CaseStore) throws -> T) throws(EngineError) -> T {
        do {
            return try readers.with { store in try store.db.read { try body(store) } }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// One case.
    /// - Throws: `EngineError.notFound` when there is no such case.
    public func show(_ caseId: String) throws(EngineError) -> CaseRecord {
        guard let record = try read({ try $0.loadCase(caseId) }) else {
            if let stone = try read({ try $0.tombstone(caseId) }) {
                throw .notFound(
                    "case \(caseId) was purged on \(config.calendar.localText(stone.purgedAt)) (\(stone.reason)): only its tombstone is kept"
                )
            }
            throw .notFound("no case \"\(caseId)\"; see `regie case list`")
        }
        return record
    }

    /// The events of a case, once their seals verify.
    /// - Throws: `EngineError.tampered` when the case's log does not verify (it is not shown).
    /// - Parameters:
    ///   - after: only events after this sequence (a page's cursor).
    ///   - limit: at most this many.
    public func timeline(_ caseId: String, after: Int = 0, limit: Int = Int(Int32.max)) throws(EngineError)
        -> [CaseEvent]
    {
        _ = try show(caseId)
        let (events, problem) = try read { store in
            (try store.events(of: caseId, after: after, limit: limit), try store.verifySeals(of: caseId))
        }
        if let problem {
            throw .tampered(
                "the event log of \(problem); it is not shown. Run `regie check`, then restore from a backup")
        }
        return events
    }

    /// Cases matching a filter; `stalled` uses each workflow's stalledAfter.
    public func list(
        state: String? = nil, level: Int? = nil, workflow: String? = nil, stalled: Bool = false,
        includeClosed: Bool = false, limit: Int = 1000
    ) throws(EngineError) -> [CaseRecord] {
        var filter = CaseFilter()
        filter.state = state
        filter.level = level
        filter.workflow = workflow
        filter.includeClosed = includeClosed
        filter.limit = limit
        if stalled { filter.stalled = stalledFilter() }
        return try read { try $0.cases(filter) }
    }

    /// The stalled-case condition as of now: an overdue deadline, or no activity since each workflow's stalledAfter.
    func stalledFilter() -> (now: Instant, inactiveSince: [String: Instant]) {
        let now = clock.now()
        var cutoffs: [String: Instant] = [:]
        for (name, w) in catalog.workflows {
            switch w.stalledAfter {
            case .workingDays(let n): cutoffs[name] = config.calendar.shifting(now, byWorkingDays: -n)
            case .calendar(let d, let s):
                cutoffs[name] = config.calendar.addingLocalDays(-d, to: now).adding(seconds: -Int64(s))
            }
        }
        return (now, cutoffs)
    }
}
