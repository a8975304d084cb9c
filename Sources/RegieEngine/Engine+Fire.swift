public import RegieCore
internal import RegieStore
internal import RegieCrypto
internal import Foundation

/// Firing events on cases: decided on a read snapshot, written by the group committer only if the case is still
/// at the sequence it was decided on.
extension Engine {
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
            let outcome = try committer.run { store in
                let outcome = try self.fireJob(store, caseId, command, idempotencyKey, now, pre)
                if let audit { try Self.append(audit, to: store) }
                return outcome
            }
            // Durable now: the next decision on the case reads it from the cache.
            readers.keepCommitted(outcome.record.map { [$0] } ?? [])
            return outcome
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
    func decide(_ command: CaseCommand, on record: CaseRecord, now: Instant) throws -> Predecision {
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
            spawned.append((workflow, prepare(opened, on: nil, by: spawnMachine, spawned: true)))
        }
        return Predecision(
            decision: decision, prepared: prepare(decision, on: record, by: machine), machine: machine, spawned: spawned
        )
    }

    /// Writes a decision and the cases it opens. Throws `StoreError.staleCase` before writing anything when the
    /// case moved on.
    func commit(_ pre: Predecision, in store: CaseStore, now: Instant) throws -> CaseRecord {
        let after = try store.commit(pre.prepared)
        for (workflow, prepared) in pre.spawned {
            try ensureDefinition(workflow, in: store, now: now)
            try store.commit(prepared)
        }
        func startsTimers(_ r: CaseRecord) -> Bool { r.timers.contains { $0.id == nil } }
        if startsTimers(pre.decision.record) || pre.spawned.contains(where: { startsTimers($0.prepared.record) }) {
            wake.request()
        }
        return after
    }

    /// Decides a command on the latest committed state, on a read connection, so that the writer only writes.
    /// A refusal here is final: it is the answer against the state as committed when it was read.
    func predecide(_ caseId: String, _ command: CaseCommand, _ now: Instant) throws -> Predecision {
        let record = try read { try self.loadForDecision(caseId, command, in: $0) }
        return try decide(command, on: record, now: now)
    }

    /// The case a command is decided on, read on `snapshot`.
    func loadForDecision(_ caseId: String, _ command: CaseCommand, in snapshot: CaseStore) throws -> CaseRecord {
        if let target = command.target { try config.checkPartner(target) }
        guard let record = try snapshot.loadCase(caseId) else {
            throw EngineError.notFound("no case \"\(caseId)\"; see `regie case list`")
        }
        return record
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
            // Decided outside the writer: the cases are read on one snapshot, released before deciding (a snapshot
            // held keeps the checkpointer from copying the log behind it); an item refused on it stays refused.
            let loaded: [Result<CaseRecord, any Error>?] = try read { store in
                items.map { item in
                    item.idempotencyKey == nil
                        ? Result { try self.loadForDecision(item.caseId, item.command, in: store) } : nil
                }
            }
            // By index, not by element: an item is a command of a dozen texts, and each copy retains every one.
            let decided: [Result<Predecision, any Error>?] = loaded.indices.map { i in
                loaded[i].map {
                    $0.flatMap { record in Result { try self.decide(items[i].command, on: record, now: now) } }
                }
            }
            let results = try committer.run { store in
                try Self.eachInBatch(items.count, in: store) { i in
                    try self.fireJob(
                        store, items[i].caseId, items[i].command, items[i].idempotencyKey, now, try decided[i]?.get())
                }
            }
            readers.keepCommitted(results.lazy.compactMap { try? $0.get().record })
            return results
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// The work of one command inside a write transaction. Like every job, it throws before its first write
    /// unless the database itself fails (see `GroupCommitter`).
    func fireJob(
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

    static func replay(_ store: CaseStore, key: String, fingerprint: String) throws -> Outcome? {
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
}
