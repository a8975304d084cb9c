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
    /// Where time comes from.
    public let clock: any Clock
    /// The database file.
    public let databasePath: String
    let pseudonymizer: Pseudonymizer?
    let committer: GroupCommitter
    private let readers: ReaderPool
    /// State machines built from the stored definitions, by "name@version", and the one used last.
    private struct Machines {
        var byKey: [String: StateMachine] = [:]
        var last: StateMachine?
        /// Definitions whose stored text was compared with the file.
        var checked: Set<String> = []
    }

    private let machines = Mutex(Machines())
    private let wake: WakeSender
    /// Wakes the webhook deliverer when a transaction wrote deliveries.
    let deliveryWake: WakeSender
    /// Copies the log into the database file off the commit path.
    private let checkpointer: Checkpointer?
    /// Why the database was opened for reading only (it cannot be written), or nil. Every write then fails with
    /// that reason, and so does every read whose access must be logged.
    public let readOnlyReason: String?
    /// Counts each partner's lookups against the region's limit.
    let lookups: LookupLimiter

    /// Opens the engine on an existing database.
    /// - Throws: `EngineError.environment` when the database cannot be opened.
    public init(
        databasePath: String, catalog: WorkflowCatalog, config: RegionConfig, clock: any Clock,
        pseudonymizer: Pseudonymizer?, webhooks: WebhookSettings = WebhookSettings()
    ) throws(EngineError) {
        self.webhooks = webhooks
        self.catalog = catalog
        self.config = config
        self.clock = clock
        self.databasePath = databasePath
        self.pseudonymizer = pseudonymizer
        lookups = LookupLimiter(limit: config.lookupLimit, window: config.lookupWindow)
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
    private func outcome(_ record: CaseRecord, _ machine: StateMachine? = nil) -> Outcome {
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

    /// A request to open a case.
    public struct OpenRequest: Sendable {
        public var workflow: String
        public var regie: String
        public var contact: String?
        /// The client's BSN; checked, pseudonymised, then forgotten.
        public var bsn: String?
        public var actor: Actor?
        public var idempotencyKey: String?
        /// The opening fields the workflow declares.
        public var fields: [String: String]
        /// The responsible municipality (a partner of kind gemeente); its procesregisseur owns level 1.
        public var municipality: String?
        /// The case this one is opened from; the link is recorded on both.
        public var from: String?
        /// Shield the case from the start, with this motivation (a regiehouder the region configures to shield by
        /// default shields without one).
        public var shield: String?
        /// The relation of the client (`bsn`) in a household case; nil for a case about one person.
        public var relation: String?
        /// The other members of a household: relation, and BSN when known.
        public var members: [(relation: String, bsn: String?)]

        /// Creates a request.
        public init(
            workflow: String, regie: String, contact: String? = nil, bsn: String? = nil, actor: Actor? = nil,
            idempotencyKey: String? = nil, fields: [String: String] = [:], municipality: String? = nil,
            from: String? = nil, shield: String? = nil, relation: String? = nil,
            members: [(relation: String, bsn: String?)] = []
        ) {
            self.shield = shield
            self.relation = relation
            self.members = members
            self.workflow = workflow
            self.regie = regie
            self.contact = contact
            self.bsn = bsn
            self.actor = actor
            self.idempotencyKey = idempotencyKey
            self.fields = fields
            self.municipality = municipality
            self.from = from
        }
    }

    /// Opens a case with its regiehouder.
    /// - Parameter audit: an access-log record written in the same transaction when the case opens (its case id and
    ///   client pseudonym filled in).
    /// - Throws: `EngineError` (refused, not found, environment).
    public func open(_ request: OpenRequest, audit: AuditEntry? = nil) throws(EngineError) -> Outcome {
        do {
            let prepared = try prepareOpen(request)
            return try committer.run { store in
                let outcome = try self.openJob(store, prepared)
                if var audit {
                    audit.caseId = outcome.record?.id ?? outcome.response["id"]?.stringValue
                    audit.clientKey = outcome.record?.clientKey ?? prepared.prepared.record.clientKey
                    try Self.append(audit, to: store)
                }
                return outcome
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Opens many cases in one durable transaction (group commit); each succeeds or is refused on its own.
    /// - Returns: one result per request, in order, once the transaction has committed.
    /// - Throws: `EngineError.environment` when the transaction itself fails (then nothing was committed).
    public func open(batch requests: [OpenRequest]) throws(EngineError) -> [Result<Outcome, EngineError>] {
        let prepared = requests.map { r in Result { try prepareOpen(r) } }
        do {
            return try committer.run { store in
                try Self.eachInBatch(prepared.count, in: store) { try self.openJob(store, try prepared[$0].get()) }
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Runs each item of a batch (by index) in the writer's transaction, each in a savepoint of its own: an item
    /// refused by the rules fails alone and leaves nothing behind, whatever it wrote before it was refused, while a
    /// database failure aborts the whole transaction, so none of the batch commits.
    private static func eachInBatch(_ count: Int, in store: CaseStore, _ body: (Int) throws -> Outcome) throws
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

    /// An open request checked and decided outside the writer.
    struct PreparedOpen {
        var request: OpenRequest
        var workflow: Workflow
        var prepared: PreparedCommit
        var fingerprint: String
        var now: Instant
        /// Cases that record a link to the new one in the same transaction: the case it was opened from, the signal
        /// whose agenda item it joins.
        var linkedOn: [(caseId: String, direction: CaseLink.Direction)]
    }

    private func prepareOpen(_ request: OpenRequest) throws -> PreparedOpen {
        let limits = config.textLimits
        try limits.check(request.contact, "contact", limits.short)
        try limits.check(request.actor?.person, "person", limits.short)
        try limits.check(request.relation, "relation", limits.short)
        for m in request.members { try limits.check(m.relation, "relation", limits.short) }
        for (name, value) in request.fields.sorted(by: { $0.key < $1.key }) {
            try limits.check(value, "fields.\(name)", limits.field)
        }
        let workflow = try catalog.workflow(request.workflow)
        try config.checkPartner(request.regie)
        let actor = request.actor ?? Actor(partner: request.regie, role: .regiehouder)
        try config.checkPartner(actor.partner)
        var clientKey = try request.bsn.map { bsn throws(EngineError) in try self.clientKey(bsn: bsn) }
        if let m = request.municipality { try checkMunicipality(m) }
        let machine = try machine(for: workflow.name, version: workflow.version)
        let now = clock.now()
        var link: CaseLink?
        var linkedOn: [(String, CaseLink.Direction)] = []
        var municipality = request.municipality
        var shield = try request.shield.map { motivation throws(EngineError) -> Shield in
            guard !motivation.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .refused(Refusal(.missingRequirement, "shielding a case needs a motivation"))
            }
            return Shield(by: actor.partner, at: now, motivation: motivation)
        }
        if shield == nil, config.partner(request.regie)?.shieldsByDefault == true {
            shield = Shield(
                by: request.regie, at: now,
                motivation: "\(request.regie) shields its cases by default (Config/partners.json)")
        }
        if let from = request.from {
            guard let source = try read({ try $0.loadCase(from) }) else {
                throw EngineError.notFound("no case \"\(from)\" to open from; see `regie case list`")
            }
            link = CaseLink(caseId: source.id, workflow: source.workflow, direction: .openedFrom)
            linkedOn.append((source.id, .opened))
            municipality = municipality ?? source.details.municipality
            if clientKey == nil { clientKey = source.clientKey }
            if shield == nil, let s = source.details.shield {
                shield = Shield(by: s.by, at: now, motivation: "opened from shielded case \(source.id)")
            }
        }
        var members: [CaseMember] = []
        if request.relation != nil || !request.members.isEmpty {
            let main = request.relation ?? "client"
            for relation in [main] + request.members.map(\.relation) where !CaseMember.relations.contains(relation) {
                throw Refusal(
                    .invalidArgument,
                    "relation \"\(relation)\" is unknown; use \(CaseMember.relations.joined(separator: ", "))")
            }
            members.append(CaseMember(id: "\(main)-1", relation: main, clientKey: clientKey))
            for m in request.members {
                let key = try m.bsn.map { bsn throws(EngineError) in try self.clientKey(bsn: bsn) }
                if let key, members.contains(where: { $0.clientKey == key }) {
                    throw Refusal(.invalidArgument, "the same BSN is given twice for the household")
                }
                members.append(
                    CaseMember(id: CaseMember.nextID(m.relation, among: members), relation: m.relation, clientKey: key))
            }
        }
        // A second signal about a person already on a meeting's agenda joins that item.
        var agenda: Instant?
        if let key = clientKey, let f = workflow.opening.fields.first(where: { $0.kind == .basisteam }),
            let team = request.fields[f.name]
        {
            var filter = CaseFilter()
            filter.clientKey = key
            filter.workflow = workflow.name
            let waiting = try read { try $0.cases(filter) }.filter {
                $0.details.fields[f.name] == team && $0.state == workflow.initialState.name && $0.details.agenda != nil
            }
            if let item = waiting.min(by: { ($0.details.agenda ?? now) < ($1.details.agenda ?? now) }) {
                agenda = item.details.agenda
                linkedOn.append((item.id, .sameItem))
                link = link ?? CaseLink(caseId: item.id, workflow: item.workflow, direction: .sameItem)
            }
        }
        let decision = try machine.open(
            id: try newCaseID(at: now), regie: RegieHolder(partner: request.regie, contact: request.contact),
            actor: actor, clientKey: clientKey, now: now, fields: request.fields, municipality: municipality,
            linkedFrom: link, shield: shield, members: members, agenda: agenda)
        let memberKeys = members.map { "\($0.id)=\($0.clientKey ?? "")" }.joined(separator: ",")
        let fingerprint =
            "open|\(workflow.name)|\(request.regie)|\(request.contact ?? "")|\(clientKey ?? "")|\(actor.partner)|\(actor.role.rawValue)|\(JSONValue.object(JSONObject(sortedStrings: request.fields)).compactText)|\(municipality ?? "")|\(request.from ?? "")|\(request.shield ?? "")|\(memberKeys)"
        return PreparedOpen(
            request: request, workflow: workflow, prepared: PreparedCommit(decision, previous: nil),
            fingerprint: fingerprint, now: now, linkedOn: linkedOn)
    }

    private func checkMunicipality(_ id: String) throws {
        try config.checkPartner(id)
        if let p = config.partner(id), p.kind != "gemeente" {
            throw Refusal(.invalidTarget, "\(id) is a \(p.kind), not a municipality (gemeente)")
        }
    }

    private func openJob(_ store: CaseStore, _ p: PreparedOpen) throws -> Outcome {
        if let key = p.request.idempotencyKey,
            let earlier = try Self.replay(store, key: key, fingerprint: p.fingerprint)
        {
            return earlier
        }
        try ensureDefinition(p.workflow, in: store, now: p.now)
        for (caseId, direction) in p.linkedOn {
            // The other case records the link in the same transaction, so a link is never one-sided.
            guard let other = try store.loadCase(caseId) else {
                throw EngineError.notFound("no case \"\(caseId)\" to link to; see `regie case list`")
            }
            let machine = try self.machine(for: other.workflow, version: other.version)
            let link = CaseLink(caseId: p.prepared.record.id, workflow: p.workflow.name, direction: direction)
            let actor = p.request.actor ?? Actor(partner: p.request.regie, role: .regiehouder)
            try store.commit(try machine.link(other, link, actor: actor, now: p.now), previous: other)
        }
        let record = try store.commit(p.prepared)
        if let key = p.request.idempotencyKey {
            try store.storeIdempotentResponse(
                key, request: p.fingerprint, caseId: record.id, response: json(of: record).compactText, now: p.now)
        }
        if !record.timers.isEmpty { wake.request() }
        return outcome(record)
    }

    /// Fires an event on a case.
    /// - Parameters:
    ///   - caseId: the case.
    ///   - command: the event, actor and details; `expectedSequence` for optimistic concurrency.
    ///   - idempotencyKey: the same key and command a second time has one effect and the same answer.
    ///   - audit: an access-log record written in the same transaction when the command succeeds.
    /// - Throws: `EngineError` (refused with the rule's reason, not found, environment).
    public func fire(
        _ caseId: String, _ command: CaseCommand, idempotencyKey: String? = nil, audit: AuditEntry? = nil
    ) throws(EngineError) -> Outcome {
        do {
            let now = clock.now()
            let pre = idempotencyKey == nil ? try predecide(caseId, command, now) : nil
            return try committer.run { store in
                let outcome = try self.fireJob(store, caseId, command, idempotencyKey, now, pre)
                if let audit { try Self.append(audit, to: store) }
                return outcome
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// A decision made on a read snapshot, outside the writer; valid while the case is still at its sequence.
    ///
    /// A class: a batch hands a thousand of these from the reader to the writer, and copying one is a single retain.
    final class Predecision: Sendable {
        let decision: Decision
        let prepared: PreparedCommit
        /// The state machine that decided it.
        let machine: StateMachine
        /// Cases the decision opens, linked to it, committed with it.
        let spawned: [(workflow: Workflow, prepared: PreparedCommit)]

        init(
            decision: Decision, prepared: PreparedCommit, machine: StateMachine,
            spawned: [(workflow: Workflow, prepared: PreparedCommit)]
        ) {
            (self.decision, self.prepared, self.machine, self.spawned) = (decision, prepared, machine, spawned)
        }
    }

    /// Decides a command on a case and opens the cases it opens (`openCase`), all on the same state.
    private func decide(_ command: CaseCommand, on record: CaseRecord, now: Instant) throws -> Predecision {
        try config.textLimits.check(command)
        // Never before the case's last event, whatever another process's clock said (see `GuardedClock`).
        let now = max(now, record.updatedAt)
        let machine = try self.machine(for: record.workflow, version: record.version)
        let decision = try machine.apply(command, to: record, now: now) {
            (try? self.newCaseID(at: now)) ?? "c-\(now.milliseconds)"
        }
        var spawned: [(Workflow, PreparedCommit)] = []
        if !decision.spawns.isEmpty, let t = machine.transition(command.event, in: record.state) {
            let opened = try Set(t.effects.compactMap(\.openedWorkflow)).map { try catalog.workflow($0) }
            let allowed = Set(t.fields.map(\.name) + opened.flatMap { $0.opening.fields.map(\.name) })
            if let unknown = command.fields.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw Refusal(
                    .invalidArgument,
                    "\"\(command.event)\" has no field \"\(unknown)\"; its fields and those of the cases it opens: \(allowed.sorted().joined(separator: ", "))"
                )
            }
        }
        for spawn in decision.spawns {
            let workflow = try catalog.workflow(spawn.workflow)
            let spawnMachine = try self.machine(for: workflow.name, version: workflow.version)
            let actor =
                spawn.actor.partner == spawn.regie
                ? Actor(partner: spawn.regie, person: spawn.actor.person, role: .regiehouder)
                : Actor(partner: spawn.actor.partner, person: spawn.actor.person, role: .melder)
            let fields = spawn.fields.filter { f in workflow.opening.fields.contains { $0.name == f.key } }
            // A case opened from a shielded one is about the same person: it is shielded too.
            let shield =
                record.details.shield.map {
                    Shield(by: $0.by, at: now, motivation: "opened from shielded case \(record.id)")
                }
                ?? (config.partner(spawn.regie)?.shieldsByDefault == true
                    ? Shield(by: spawn.regie, at: now, motivation: "\(spawn.regie) shields its cases by default") : nil)
            let opened = try spawnMachine.open(
                id: spawn.id, regie: RegieHolder(partner: spawn.regie, contact: nil), actor: actor,
                clientKey: record.clientKey, now: now, fields: fields, municipality: record.details.municipality,
                linkedFrom: CaseLink(caseId: record.id, workflow: record.workflow, direction: .openedFrom),
                shield: shield)
            spawned.append((workflow, PreparedCommit(opened, previous: nil)))
        }
        return Predecision(
            decision: decision, prepared: PreparedCommit(decision, previous: record), machine: machine, spawned: spawned
        )
    }

    /// Writes a decision and the cases it opens. Throws `StoreError.staleCase` before writing anything when the
    /// case moved on.
    private func commit(_ pre: Predecision, in store: CaseStore, now: Instant) throws -> CaseRecord {
        let after = try store.commit(pre.prepared)
        for (workflow, prepared) in pre.spawned {
            try ensureDefinition(workflow, in: store, now: now)
            try store.commit(prepared)
        }
        let started = ([pre.decision.record] + pre.spawned.map(\.prepared.record)).contains {
            $0.timers.contains { $0.id == nil }
        }
        if started { wake.request() }
        return after
    }

    /// Decides a command on the latest committed state, on a read connection, so that the writer only writes.
    /// A refusal here is final: it is the answer against the state as committed when it was read.
    private func predecide(_ caseId: String, _ command: CaseCommand, _ now: Instant, in snapshot: CaseStore? = nil)
        throws -> Predecision
    {
        if let target = command.target { try config.checkPartner(target) }
        let loaded = try snapshot.map { try $0.loadCase(caseId) } ?? read { try $0.loadCase(caseId) }
        guard let record = loaded else {
            throw EngineError.notFound("no case \"\(caseId)\"; see `regie case list`")
        }
        return try decide(command, on: record, now: now)
    }

    /// One command of a batch.
    public struct BatchItem: Sendable {
        public var caseId: String
        public var command: CaseCommand
        public var idempotencyKey: String?

        /// Creates an item.
        public init(caseId: String, command: CaseCommand, idempotencyKey: String? = nil) {
            self.caseId = caseId
            self.command = command
            self.idempotencyKey = idempotencyKey
        }
    }

    /// Fires many commands in one durable transaction (group commit); each succeeds or is refused on its own.
    /// Returns when the transaction has committed.
    /// - Returns: one result per item, in order.
    /// - Throws: `EngineError.environment` when the transaction itself fails (then nothing was committed).
    public func fire(batch items: [BatchItem]) throws(EngineError) -> [Result<Outcome, EngineError>] {
        do {
            let now = clock.now()
            // Decide outside the writer, on one snapshot; an item refused on the snapshot stays refused.
            let pre: [Result<Predecision, any Error>?] = try read { store in
                items.map { item in
                    item.idempotencyKey == nil
                        ? Result { try self.predecide(item.caseId, item.command, now, in: store) } : nil
                }
            }
            return try committer.run { store in
                try Self.eachInBatch(items.count, in: store) { i in
                    let item = items[i]
                    return try self.fireJob(
                        store, item.caseId, item.command, item.idempotencyKey, now, try pre[i]?.get())
                }
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// The work of one command inside a write transaction. Like every job, it throws before its first write
    /// unless the database itself fails (see `GroupCommitter`).
    private func fireJob(
        _ store: CaseStore, _ caseId: String, _ command: CaseCommand, _ idempotencyKey: String?, _ now: Instant,
        _ pre: Predecision?
    ) throws -> Outcome {
        if let pre {
            do {
                return outcome(try commit(pre, in: store, now: now), pre.machine)
            } catch StoreError.staleCase {
                // Another commit moved the case on since the snapshot; nothing was written. Decide again below.
            }
        }
        if let target = command.target { try config.checkPartner(target) }
        var fingerprint = ""
        if let key = idempotencyKey {
            fingerprint =
                "fire|\(caseId)|\(command.event)|\(command.actor.partner)|\(command.actor.role.rawValue)|\(command.note ?? "")|\(command.target ?? "")|\(command.motivation ?? "")|\(command.timer ?? "")|\(command.days ?? 0)|\(JSONValue.object(JSONObject(sortedStrings: command.fields)).compactText)|\(command.contact ?? "")|\(command.members.joined(separator: "+"))|\(command.clientKey ?? "")|\(command.relation ?? "")"
            if let earlier = try Self.replay(store, key: key, fingerprint: fingerprint) { return earlier }
        }
        guard let record = try store.loadCase(caseId) else {
            throw EngineError.notFound("no case \"\(caseId)\"; see `regie case list`")
        }
        let decided = try decide(command, on: record, now: now)
        let after = try commit(decided, in: store, now: now)
        if let key = idempotencyKey {
            try store.storeIdempotentResponse(
                key, request: fingerprint, caseId: caseId, response: decided.machine.json(of: after).compactText,
                now: now)
        }
        return outcome(after, decided.machine)
    }

    private static func replay(_ store: CaseStore, key: String, fingerprint: String) throws -> Outcome? {
        guard let (request, response) = try store.idempotentResponse(key) else { return nil }
        guard request == fingerprint else {
            throw Refusal(
                .invalidArgument,
                "idempotency key \"\(key)\" was already used for a different command; use a new key for a new command")
        }
        do { return Outcome(replayed: try JSONParser.parse(response)) } catch {
            throw StoreError.corrupt("the answer stored for idempotency key \"\(key)\" is not JSON")
        }
    }

    private func ensureDefinition(_ workflow: Workflow, in store: CaseStore, now: Instant) throws {
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
