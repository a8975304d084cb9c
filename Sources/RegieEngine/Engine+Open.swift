public import RegieCore
internal import RegieStore
internal import RegieCrypto
internal import Foundation

/// Opening cases: one, or many in one durable transaction, each decided outside the writer.
extension Engine {
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

    func prepareOpen(_ request: OpenRequest) throws -> PreparedOpen {
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
            request: request, workflow: workflow, prepared: prepare(decision, on: nil, by: machine),
            fingerprint: fingerprint, now: now, linkedOn: linkedOn)
    }

    func checkMunicipality(_ id: String) throws {
        try config.checkPartner(id)
        if let p = config.partner(id), p.kind != "gemeente" {
            throw Refusal(.invalidTarget, "\(id) is a \(p.kind), not a municipality (gemeente)")
        }
    }

    func openJob(_ store: CaseStore, _ p: PreparedOpen) throws -> Outcome {
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
            try store.commit(prepare(try machine.link(other, link, actor: actor, now: p.now), on: other, by: machine))
        }
        let record = try store.commit(p.prepared)
        if let key = p.request.idempotencyKey {
            try store.storeIdempotentResponse(
                key, request: p.fingerprint, caseId: record.id, response: json(of: record).compactText, now: p.now)
        }
        if !record.timers.isEmpty { wake.request() }
        return outcome(record)
    }
}
