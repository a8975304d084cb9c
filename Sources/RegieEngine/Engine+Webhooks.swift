public import RegieCore
public import RegieStore
internal import RegieCrypto
internal import Foundation
import Synchronization

/// A reference that does not keep the engine alive (the engine owns the store that holds the planner).
struct Unowned<T: AnyObject & Sendable>: Sendable {
    unowned let value: T
    init(_ value: T) { self.value = value }
}

/// Decides, inside the transaction of each notification, which endpoints get a delivery and with what body: only
/// endpoints of recipients that may see the case, which want the notification's type, in their own shape and cut
/// to the recipient's view.
final class DeliveryPlanning: Sendable {
    private let engine: Unowned<Engine>
    /// The enabled endpoints by partner, as of the endpoints' version.
    private let endpoints = Mutex<(version: Int64, byPartner: [String: [WebhookEndpoint]])>((-1, [:]))

    init(engine: Unowned<Engine>) { self.engine = engine }

    /// Runs on the writer's thread only. A recipient gets a delivery when it may see the case now or could see it
    /// before the event (a partner the event removed hears of its removal); a notification about the region goes
    /// to its recipients as it is.
    func plan(_ n: RegieCore.Notification, _ record: CaseRecord?, _ before: CaseRecord?, _ store: CaseStore) throws
        -> [PlannedDelivery]
    {
        let current = try store.webhooksVersion()
        var byPartner = endpoints.withLock { $0.version == current ? $0.byPartner : nil }
        if byPartner == nil {
            let fresh = Dictionary(grouping: try store.endpoints(includeDisabled: false), by: \.partner)
            endpoints.withLock { $0 = (current, fresh) }
            byPartner = fresh
        }
        guard let byPartner else { return [] }
        if byPartner.isEmpty { return [] }
        let engine = self.engine.value
        var out: [PlannedDelivery] = []
        for partner in n.recipients {
            let endpoints = (byPartner[partner] ?? []).filter { $0.wants(n.topic) }
            if endpoints.isEmpty { continue }
            guard let record else {
                for e in endpoints {
                    let body = WebhookPayload.regionBody(n, format: e.format, at: engine.clock.now())
                    out.append(
                        PlannedDelivery(
                            endpointId: e.id, webhookId: "msg_" + Base64URL.encode(try Crypto.randomBytes(18)),
                            body: body.compactText))
                }
                continue
            }
            guard
                let access = engine.access(to: record, for: partner)
                    ?? before.flatMap({ engine.access(to: $0, for: partner) })
            else { continue }
            for e in endpoints {
                let body = WebhookPayload.body(
                    n, format: e.format, view: access.view, at: record.updatedAt,
                    caseURL: "\(engine.webhooks.publicBaseURL)/v1/cases/\(n.caseId)", workflow: record.workflow)
                out.append(
                    PlannedDelivery(
                        endpointId: e.id, webhookId: "msg_" + Base64URL.encode(try Crypto.randomBytes(18)),
                        body: body.compactText))
            }
        }
        if !out.isEmpty { engine.deliveryWake.request() }
        return out
    }
}

extension Engine {
    /// A new endpoint and its signing secret, which is shown once.
    public struct NewWebhook: Sendable {
        public var endpoint: WebhookEndpoint
        public var secret: String
    }

    private func sealingKey() throws(EngineError) -> [UInt8] {
        guard let pseudonymizer else {
            throw .environment(
                "webhook secrets are sealed with the regional secret, and there is none; run `regie init` or set \(Pseudonymizer.environmentVariable)"
            )
        }
        return pseudonymizer.derivedKey("webhook-secrets")
    }

    /// Registers an endpoint for a partner.
    /// - Throws: `EngineError.refused` for an unknown partner, an unusable URL or bad event patterns.
    public func addWebhook(partner: String, url: String, events: [String], format: WebhookEndpoint.Format)
        throws(EngineError) -> NewWebhook
    {
        do {
            try config.checkPartner(partner)
            if let problem = Self.problem(inWebhookURL: url) ?? problem(inWebhookAddress: url) {
                throw Refusal(.invalidArgument, problem)
            }
            if let problem = WebhookEndpoint.problem(inPatterns: events) { throw Refusal(.invalidArgument, problem) }
            let secret = try WebhookSignature.newSecret()
            let sealed = try SecretBox.seal(Array(secret.utf8), key: try sealingKey())
            let endpoint = WebhookEndpoint(
                id: "wh_" + Base64URL.encode(try Crypto.randomBytes(9)), partner: partner, url: url, events: events,
                format: format, createdAt: clock.now())
            try committer.run { store in try store.insertEndpoint(endpoint, sealedSecret: sealed) }
            return NewWebhook(endpoint: endpoint, secret: secret)
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Why a URL cannot receive webhooks, or nil. Where it resolves to is checked at every delivery.
    public static func problem(inWebhookURL url: String) -> String? {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased() else {
            return "\"\(url)\" is not a URL; give one such as https://partner.example.nl/regie/webhooks"
        }
        guard scheme == "https" || scheme == "http" else {
            return "only http and https URLs can receive webhooks, not \(scheme)"
        }
        guard let host = c.host, !host.isEmpty else { return "\"\(url)\" has no host" }
        if c.user != nil || c.password != nil { return "a webhook URL must not carry a user name or password" }
        if url.utf8.count > 2000 { return "the URL is longer than 2,000 characters" }
        return nil
    }

    /// Why a URL whose host is an address cannot receive webhooks here (see `WebhookSettings.addressPolicy`), or
    /// nil. A name is checked at every delivery instead, because what it resolves to can change.
    func problem(inWebhookAddress url: String) -> String? {
        guard let host = WebhookEndpoint.hostAndPort(of: url)?.host, let address = IPAddress(host),
            let refusal = webhooks.addressPolicy.refusal(for: address)
        else {
            return nil
        }
        return
            "\(address) is a \(refusal.rawValue) address, which may not receive webhooks; use a public address, or add its network to allowedNetworks in Config/webhooks.json"
    }

    /// Whom to tell when an endpoint is disabled: its partner (with the contact the region lists) and the region's
    /// functional administrator.
    public func whomToTell(about endpoint: WebhookEndpoint) -> String {
        let contact = config.partner(endpoint.partner)?.contact.map { " (\($0))" } ?? ""
        return "\(endpoint.partner)\(contact) and \(webhooks.administrator)"
    }

    /// Endpoints, of one partner or of all.
    public func webhookEndpoints(partner: String? = nil) throws(EngineError) -> [WebhookEndpoint] {
        try read { try $0.endpoints(partner: partner) }
    }

    /// One endpoint.
    /// - Throws: `EngineError.notFound` when there is none (or it belongs to another partner than `partner`).
    public func webhookEndpoint(_ id: String, of partner: String? = nil) throws(EngineError) -> WebhookEndpoint {
        guard let e = try read({ try $0.endpoint(id) }), partner == nil || e.partner == partner else {
            throw .notFound("no webhook endpoint \"\(id)\"; see `regie webhook list`")
        }
        return e
    }

    /// Issues a new secret; the old one keeps signing beside it for the grace period.
    public func rotateWebhookSecret(_ id: String, of partner: String? = nil) throws(EngineError) -> String {
        _ = try webhookEndpoint(id, of: partner)
        do {
            let secret = try WebhookSignature.newSecret()
            let sealed = try SecretBox.seal(Array(secret.utf8), key: try sealingKey())
            let until = clock.now().adding(seconds: webhooks.rotationGraceSeconds)
            try committer.run { store in try store.rotateSecret(id, sealedSecret: sealed, graceUntil: until) }
            return secret
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Disables an endpoint; its pending deliveries are marked failed.
    public func disableWebhook(_ id: String, of partner: String? = nil, reason: String) throws(EngineError) {
        _ = try webhookEndpoint(id, of: partner)
        let now = clock.now()
        do { try committer.run { store in try store.disableEndpoint(id, at: now, reason: reason) } } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Enables a disabled endpoint again.
    public func enableWebhook(_ id: String) throws(EngineError) {
        _ = try webhookEndpoint(id)
        do { try committer.run { store in try store.enableEndpoint(id) } } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// The keys that sign for an endpoint now: the current secret's, and the previous one's during its grace period.
    public func signingKeys(for id: String) throws(EngineError) -> [[UInt8]] {
        let now = clock.now()
        do {
            guard let s = try read({ try $0.endpointSecrets(id) }) else {
                throw EngineError.notFound("no endpoint \(id)")
            }
            let key = try sealingKey()
            var sealed = [s.current]
            if let p = s.previous, let until = s.previousUntil, now < until { sealed.append(p) }
            return try sealed.map { text in
                let secret = String(decoding: try SecretBox.open(text, key: key), as: UTF8.self)
                guard let bytes = WebhookSignature.key(of: secret) else {
                    throw EngineError.environment("the stored secret of \(id) is damaged")
                }
                return bytes
            }
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    /// Deliveries due now, at most one per endpoint and case (see `CaseStore.dueDeliveries`).
    public func dueDeliveries(limit: Int) throws(EngineError) -> [DeliveryRow] {
        let now = clock.now()
        return try read { try $0.dueDeliveries(at: now, limit: limit) }
    }

    /// When the next pending delivery falls due after `after` (or at all), if any.
    public func nextDeliveryDue(after: Instant? = nil) throws(EngineError) -> Instant? {
        try read { try $0.nextDeliveryDue(after: after) }
    }

    /// Deliveries, newest first.
    public func deliveries(endpoint: String? = nil, status: DeliveryRow.Status? = nil, limit: Int = 100)
        throws(EngineError) -> [DeliveryRow]
    {
        try read { try $0.deliveries(endpoint: endpoint, status: status, limit: limit) }
    }

    /// The delivery log, newest first: attempts at one delivery, or at an endpoint's deliveries.
    public func deliveryLog(delivery: Int64? = nil, endpoint: String? = nil, limit: Int = 100)
        throws(EngineError) -> [DeliveryLogEntry]
    {
        try read { try $0.attempts(delivery: delivery, endpoint: endpoint, limit: limit) }
    }

    /// How each endpoint's deliveries stand, by endpoint id.
    public func deliveryStatistics() throws(EngineError) -> [String: DeliveryStatistics] {
        try read { try $0.deliveryStatistics() }
    }

    /// How an endpoint's deliveries stand, for the Beheer page.
    public struct DeliveryCounts: Sendable {
        public var pending = 0
        public var delivered = 0
        public var failed = 0
        public init() {}
    }

    /// The deliveries of each endpoint by how they stand.
    public func deliveryCounts() throws(EngineError) -> [String: DeliveryCounts] {
        try deliveryStatistics().mapValues { s in
            var c = DeliveryCounts()
            (c.pending, c.delivered, c.failed) = (s.pending, s.delivered, s.failed)
            return c
        }
    }

    /// One delivery, by its number or its message id (`msg_...`).
    public func delivery(_ reference: String) throws(EngineError) -> DeliveryRow {
        let row = try read { store in
            try Int64(reference).flatMap { try store.delivery($0) } ?? store.delivery(webhookId: reference)
        }
        guard let row else { throw .notFound("no delivery \(reference); see `regie webhook log`") }
        return row
    }

    /// Sends every failed delivery of an endpoint again (each with its own message id, as `replayDelivery`).
    /// - Returns: how many.
    public func replayFailedDeliveries(endpoint: String) throws(EngineError) -> Int {
        _ = try webhookEndpoint(endpoint)
        let failed = try deliveries(endpoint: endpoint, status: .failed, limit: 10_000)
        for d in failed { try replayDelivery(d.id) }
        return failed.count
    }

    /// Sends one delivery again, with the same message id.
    public func replayDelivery(_ id: Int64) throws(EngineError) {
        let now = clock.now()
        let done: Bool
        deliveryWake.request()
        do { done = try committer.run { store in try store.replay(id, at: now) } } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
        if !done { throw .notFound("no delivery \(id) to an enabled endpoint; see `regie webhook log`") }
    }

    /// Sends every failed delivery created since `since` again; returns how many.
    public func recoverDeliveries(since: Instant) throws(EngineError) -> Int {
        let now = clock.now()
        deliveryWake.request()
        do { return try committer.run { store in try store.recover(since: since, at: now) } } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }
}

extension Engine {
    /// One finished attempt at a delivery, and what follows from it.
    public struct DeliveryReport: Sendable {
        public var delivery: DeliveryRow
        public var attempt: DeliveryAttempt
        public var verdict: DeliveryVerdict

        /// Creates a report.
        public init(delivery: DeliveryRow, attempt: DeliveryAttempt, verdict: DeliveryVerdict) {
            self.delivery = delivery
            self.attempt = attempt
            self.verdict = verdict
        }
    }

    /// Records finished attempts in the next group commit without waiting; `done` runs once they are durable (nil)
    /// or could not be written (the error; the deliveries then stay pending and are sent again).
    ///
    /// An endpoint that answered 410, or whose every attempt has failed for `webhooks.disableAfterSeconds`, is
    /// disabled in the same transaction, with a record on the access log that names whom to tell: the partner's
    /// contact and the region's functional administrator.
    public func record(deliveries reports: [DeliveryReport], then done: @escaping @Sendable (EngineError?) -> Void) {
        guard !reports.isEmpty else { return done(nil) }
        committer.submit({ [self] store in for r in reports { try record(r, in: store) } }) { error in
            done(error.map { EngineError.wrap($0) })
        }
    }

    private func record(_ r: DeliveryReport, in store: CaseStore) throws {
        let at = r.attempt.at
        let outcome: CaseStore.AttemptOutcome =
            switch r.verdict {
            case .delivered: .delivered
            case .retry(let ms): .retry(at: Instant(milliseconds: at.milliseconds + ms))
            case .failed, .gone: .failed
            }
        try store.recordAttempt(r.attempt, outcome: outcome)
        let id = r.delivery.endpointId
        if r.verdict == .delivered {
            try store.setFailing(id, since: nil)
            return
        }
        let since = try store.setFailing(id, since: at)
        var reason: String?
        if r.verdict == .gone {
            reason = "the receiver answered 410 Gone"
        } else if let since, at.milliseconds - since.milliseconds >= webhooks.disableAfterSeconds * 1000 {
            reason =
                "every attempt failed for \(webhooks.disableAfterSeconds / 86400) days, since \(config.calendar.localText(since))"
        }
        guard let reason, let endpoint = try store.endpoint(id), endpoint.disabledAt == nil else { return }
        try store.disableEndpoint(id, at: at, reason: reason)
        try Self.append(
            AuditEntry(
                at: at, channel: .system, action: "webhook", resource: "webhook \(id)", partner: endpoint.partner,
                outcome: .ok, status: r.attempt.status ?? 0,
                detail:
                    "endpoint disabled: \(reason); tell \(whomToTell(about: endpoint))"),
            to: store)
    }
}
