public import RegieCore

/// One webhook delivery to write with a notification: the endpoint, the message id it keeps on every retry, and
/// the body (already in the endpoint's shape and cut to what the partner may see).
public struct PlannedDelivery: Sendable, Equatable {
    public var endpointId: String
    public var webhookId: String
    public var body: String

    /// Creates a planned delivery.
    public init(endpointId: String, webhookId: String, body: String) {
        self.endpointId = endpointId
        self.webhookId = webhookId
        self.body = body
    }
}

/// Decides the deliveries of a notification about a case (as it is after the event), reading what it needs
/// through the store's own connection, inside the transaction.
/// Plans the deliveries of a notification: about a case (as it is now, and as it was before the event that caused
/// the notification, so that a partner the event shut out still hears of it), or about the region (no case).
public typealias DeliveryPlanner = (Notification, CaseRecord?, CaseRecord?, CaseStore) throws -> [PlannedDelivery]

/// A delivery as stored.
public struct DeliveryRow: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, delivered, failed }
    public var id: Int64
    public var webhookId: String
    public var endpointId: String
    public var caseId: String
    public var topic: String
    public var body: String
    public var status: Status
    public var attempts: Int
    public var nextAt: Instant
    public var createdAt: Instant
    public var lastStatus: Int?
    public var lastError: String?
}

/// One attempt at a delivery, for the delivery log.
public struct DeliveryAttempt: Sendable, Equatable {
    public var deliveryId: Int64
    public var at: Instant
    /// The HTTP status, nil when no response came.
    public var status: Int?
    public var durationMs: Int64
    public var error: String?
    /// At most 1 KiB of the response body.
    public var response: String?

    /// Creates an attempt.
    public init(
        deliveryId: Int64, at: Instant, status: Int?, durationMs: Int64, error: String?, response: String?
    ) {
        self.deliveryId = deliveryId
        self.at = at
        self.status = status
        self.durationMs = durationMs
        self.error = error
        self.response = response
    }
}

/// One line of the delivery log: an attempt and what it was an attempt at.
public struct DeliveryLogEntry: Sendable, Equatable {
    public var attempt: DeliveryAttempt
    public var webhookId: String
    public var endpointId: String
    public var caseId: String
    public var topic: String
}

/// How an endpoint's deliveries stand.
public struct DeliveryStatistics: Sendable {
    public var pending = 0
    public var delivered = 0
    public var failed = 0
    /// The latest attempt: when, its status, its error.
    public var last: (at: Instant, status: Int?, error: String?)?

    /// No deliveries yet.
    public init() {}
}

extension CaseStore {
    func planDeliveries(
        _ n: Notification, _ record: CaseRecord?, before: CaseRecord?, outboxId: Int64, at: Instant
    ) throws {
        guard let planner = deliveryPlanner else { return }
        for d in try planner(n, record, before, self) {
            try db.run(
                """
                INSERT INTO deliveries(webhook_id, endpoint_id, outbox_id, case_id, topic, body, next_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(d.webhookId), .text(d.endpointId), .int(outboxId), .text(n.caseId), .text(n.topic),
                    .text(d.body), .int(at.milliseconds), .int(at.milliseconds),
                ])
        }
    }

    // MARK: Endpoints

    private static let endpointColumns =
        "id, partner, url, events, format, created_at, disabled_at, disabled_reason, failing_since, previous_until"

    /// An endpoint from the `endpointColumns` of a row, read by name.
    private func endpoint(_ s: Statement) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try s.text("id"), partner: try s.text("partner"), url: try s.text("url"),
            events: try s.text("events").split(separator: ",").map(String.init),
            format: try s.value("format", as: WebhookEndpoint.Format.self, table: "webhook_endpoints"),
            createdAt: try s.instant("created_at"), disabledAt: try s.optionalInstant("disabled_at"),
            disabledReason: try s.optionalText("disabled_reason"), failingSince: try s.optionalInstant("failing_since"),
            previousSecretUntil: try s.optionalInstant("previous_until"))
    }

    /// Adds an endpoint with its sealed signing secret. Call inside a write transaction.
    public func insertEndpoint(_ e: WebhookEndpoint, sealedSecret: String) throws {
        try db.run(
            "INSERT INTO webhook_endpoints(id, partner, url, events, format, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(e.id), .text(e.partner), .text(e.url), .text(e.events.joined(separator: ",")),
                .text(e.format.rawValue), .text(sealedSecret), .int(e.createdAt.milliseconds),
            ])
        try bumpWebhooksVersion()
    }

    /// Endpoints, of one partner or of all, oldest first.
    public func endpoints(partner: String? = nil, includeDisabled: Bool = true) throws -> [WebhookEndpoint] {
        var sql = "SELECT \(Self.endpointColumns) FROM webhook_endpoints WHERE 1=1"
        var values: [SQLValue] = []
        if let partner {
            sql += " AND partner=?"
            values.append(.text(partner))
        }
        if !includeDisabled { sql += " AND disabled_at IS NULL" }
        var out: [WebhookEndpoint] = []
        try db.query(sql + " ORDER BY created_at, id", values) { out.append(try endpoint($0)) }
        return out
    }

    /// One endpoint.
    public func endpoint(_ id: String) throws -> WebhookEndpoint? {
        var out: WebhookEndpoint?
        try db.query("SELECT \(Self.endpointColumns) FROM webhook_endpoints WHERE id=?", [.text(id)]) {
            out = try endpoint($0)
        }
        return out
    }

    /// The sealed secrets of an endpoint: the current one, and the previous one while its grace period runs.
    public func endpointSecrets(_ id: String) throws -> (current: String, previous: String?, previousUntil: Instant?)? {
        var out: (String, String?, Instant?)?
        try db.query("SELECT secret, previous_secret, previous_until FROM webhook_endpoints WHERE id=?", [.text(id)]) {
            out = ($0.text(0), $0.optionalText(1), $0.optionalInt(2).map(Instant.init(milliseconds:)))
        }
        return out
    }

    /// Makes `sealedSecret` the current secret; the old one keeps signing until `graceUntil`.
    public func rotateSecret(_ id: String, sealedSecret: String, graceUntil: Instant) throws {
        try db.run(
            "UPDATE webhook_endpoints SET previous_secret=secret, previous_until=?, secret=? WHERE id=?",
            [.int(graceUntil.milliseconds), .text(sealedSecret), .text(id)])
    }

    /// Disables an endpoint (410, failing too long, or removed by its partner); its pending deliveries stop.
    public func disableEndpoint(_ id: String, at: Instant, reason: String) throws {
        try db.run(
            "UPDATE webhook_endpoints SET disabled_at=?, disabled_reason=? WHERE id=? AND disabled_at IS NULL",
            [.int(at.milliseconds), .text(reason), .text(id)])
        try db.run(
            "UPDATE deliveries SET status='failed', finished_at=?, last_error=? WHERE endpoint_id=? AND status='pending'",
            [.int(at.milliseconds), .text("endpoint disabled: \(reason)"), .text(id)])
        try bumpWebhooksVersion()
    }

    /// Enables a disabled endpoint again.
    public func enableEndpoint(_ id: String) throws {
        try db.run(
            "UPDATE webhook_endpoints SET disabled_at=NULL, disabled_reason=NULL, failing_since=NULL WHERE id=?",
            [.text(id)])
        try bumpWebhooksVersion()
    }

    /// A number that changes whenever the set of endpoints changes, so that planners can cache it.
    public func webhooksVersion() throws -> Int64 {
        if let read = webhooksVersionRead, read.transaction == db.transactionSerial, let version = read.version {
            return version
        }
        let version = try db.scalarInt("SELECT CAST(value AS INTEGER) FROM meta WHERE key='webhooks'") ?? 0
        if webhooksVersionRead?.transaction != db.transactionSerial {
            webhooksVersionRead = (db.transactionSerial, version)
        }
        return version
    }

    private func bumpWebhooksVersion() throws {
        // Not cached for the rest of this transaction: a savepoint rolled back could undo the change.
        webhooksVersionRead = (db.transactionSerial, nil)
        try db.run(
            "INSERT INTO meta(key, value) VALUES ('webhooks', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )
    }

    // MARK: Deliveries

    private static let deliveryColumns =
        "id, webhook_id, endpoint_id, case_id, topic, body, status, attempts, next_at, created_at, last_status, last_error"

    /// A delivery from the `deliveryColumns` of a row, read by name.
    private func delivery(_ s: Statement) throws -> DeliveryRow {
        DeliveryRow(
            id: try s.int("id"), webhookId: try s.text("webhook_id"), endpointId: try s.text("endpoint_id"),
            caseId: try s.text("case_id"), topic: try s.text("topic"), body: try s.text("body"),
            status: try s.value("status", as: DeliveryRow.Status.self, table: "deliveries"),
            attempts: Int(try s.int("attempts")), nextAt: try s.instant("next_at"),
            createdAt: try s.instant("created_at"), lastStatus: try s.optionalInt("last_status").map(Int.init),
            lastError: try s.optionalText("last_error"))
    }

    /// Pending deliveries that are due, at most one per endpoint and case: the earliest, so that a later
    /// notification about a case never overtakes an earlier one on the same endpoint.
    public func dueDeliveries(at now: Instant, limit: Int) throws -> [DeliveryRow] {
        var out: [DeliveryRow] = []
        try db.query(
            """
            SELECT \(Self.deliveryColumns) FROM deliveries d WHERE status='pending' AND next_at <= ?
            AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.status='pending' AND e.endpoint_id=d.endpoint_id
                AND e.case_id=d.case_id AND e.id < d.id)
            ORDER BY next_at, id LIMIT ?
            """, [.int(now.milliseconds), .int(Int64(limit))]
        ) { out.append(try delivery($0)) }
        return out
    }

    /// When the next pending delivery falls due (after `after`, when given), if any.
    public func nextDeliveryDue(after: Instant? = nil) throws -> Instant? {
        try db.scalarInt(
            "SELECT min(next_at) FROM deliveries WHERE status='pending' AND next_at > ?",
            [.int(after?.milliseconds ?? Int64.min)]
        ).map(Instant.init(milliseconds:))
    }

    /// Deliveries, newest first.
    public func deliveries(endpoint: String? = nil, status: DeliveryRow.Status? = nil, limit: Int = 100) throws
        -> [DeliveryRow]
    {
        var sql = "SELECT \(Self.deliveryColumns) FROM deliveries WHERE 1=1"
        var values: [SQLValue] = []
        if let endpoint {
            sql += " AND endpoint_id=?"
            values.append(.text(endpoint))
        }
        if let status {
            sql += " AND status=?"
            values.append(.text(status.rawValue))
        }
        var out: [DeliveryRow] = []
        try db.query(sql + " ORDER BY id DESC LIMIT ?", values + [.int(Int64(limit))]) { out.append(try delivery($0)) }
        return out
    }

    /// One delivery.
    public func delivery(_ id: Int64) throws -> DeliveryRow? {
        var out: DeliveryRow?
        try db.query("SELECT \(Self.deliveryColumns) FROM deliveries WHERE id=?", [.int(id)]) { out = try delivery($0) }
        return out
    }

    /// What became of an attempt.
    public enum AttemptOutcome: Sendable, Equatable {
        case delivered
        case retry(at: Instant)
        case failed
    }

    /// Records an attempt and what follows from it. A delivery that is no longer pending (its endpoint was disabled
    /// meanwhile) keeps its state; the attempt is logged all the same. Call inside a write transaction.
    public func recordAttempt(_ a: DeliveryAttempt, outcome: AttemptOutcome) throws {
        try db.run(
            "INSERT INTO delivery_attempts(delivery_id, at, status, duration_ms, error, response) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .int(a.deliveryId), .int(a.at.milliseconds), .int(a.status.map(Int64.init)), .int(a.durationMs),
                .text(a.error), .text(a.response),
            ])
        let status: String
        var next: Int64?
        switch outcome {
        case .delivered: status = "delivered"
        case .failed: status = "failed"
        case .retry(let at):
            status = "pending"
            next = at.milliseconds
        }
        try db.run(
            """
            UPDATE deliveries SET attempts = attempts + 1, status = ?, next_at = coalesce(?, next_at),
                finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END, last_status = ?, last_error = ?
            WHERE id = ? AND status = 'pending'
            """,
            [
                .text(status), .int(next), .text(status), .int(a.at.milliseconds), .int(a.status.map(Int64.init)),
                .text(a.error), .int(a.deliveryId),
            ])
    }

    /// Marks an endpoint as failing since `at` (kept if already failing) and returns since when it fails; with nil,
    /// marks it as working again and returns nil.
    @discardableResult
    public func setFailing(_ endpointId: String, since at: Instant?) throws -> Instant? {
        guard let at else {
            try db.run(
                "UPDATE webhook_endpoints SET failing_since = NULL WHERE id=? AND failing_since IS NOT NULL",
                [.text(endpointId)])
            return nil
        }
        try db.run(
            "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ?) WHERE id=?",
            [.int(at.milliseconds), .text(endpointId)])
        return try db.scalarInt("SELECT failing_since FROM webhook_endpoints WHERE id=?", [.text(endpointId)])
            .map(Instant.init(milliseconds:))
    }

    /// The delivery log, newest first: attempts at one delivery, or at an endpoint's deliveries.
    public func attempts(delivery: Int64? = nil, endpoint: String? = nil, limit: Int = 100) throws
        -> [DeliveryLogEntry]
    {
        var sql = """
            SELECT a.delivery_id, a.at, a.status, a.duration_ms, a.error, a.response, d.webhook_id, d.endpoint_id,
                d.case_id, d.topic
            FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE 1=1
            """
        var values: [SQLValue] = []
        if let delivery {
            sql += " AND a.delivery_id=?"
            values.append(.int(delivery))
        }
        if let endpoint {
            sql += " AND d.endpoint_id=?"
            values.append(.text(endpoint))
        }
        var out: [DeliveryLogEntry] = []
        try db.query(sql + " ORDER BY a.id DESC LIMIT ?", values + [.int(Int64(limit))]) {
            out.append(
                DeliveryLogEntry(
                    attempt: DeliveryAttempt(
                        deliveryId: $0.int(0), at: Instant(milliseconds: $0.int(1)),
                        status: $0.optionalInt(2).map(Int.init), durationMs: $0.int(3), error: $0.optionalText(4),
                        response: $0.optionalText(5)),
                    webhookId: $0.text(6), endpointId: $0.text(7), caseId: $0.text(8), topic: $0.text(9)))
        }
        return out
    }

    /// One delivery by its message id (`msg_...`).
    public func delivery(webhookId: String) throws -> DeliveryRow? {
        var out: DeliveryRow?
        try db.query("SELECT \(Self.deliveryColumns) FROM deliveries WHERE webhook_id=?", [.text(webhookId)]) {
            out = try delivery($0)
        }
        return out
    }

    /// How each endpoint's deliveries stand.
    public func deliveryStatistics() throws -> [String: DeliveryStatistics] {
        var out: [String: DeliveryStatistics] = [:]
        try db.query(
            """
            SELECT endpoint_id, sum(status='pending'), sum(status='delivered'), sum(status='failed')
            FROM deliveries GROUP BY endpoint_id
            """
        ) {
            var s = DeliveryStatistics()
            s.pending = Int($0.int(1))
            s.delivered = Int($0.int(2))
            s.failed = Int($0.int(3))
            out[$0.text(0)] = s
        }
        try db.query(
            """
            SELECT d.endpoint_id, a.at, a.status, a.error FROM delivery_attempts a JOIN deliveries d
            ON d.id = a.delivery_id WHERE a.id IN (SELECT max(a2.id) FROM delivery_attempts a2
                JOIN deliveries d2 ON d2.id = a2.delivery_id GROUP BY d2.endpoint_id)
            """
        ) {
            out[$0.text(0), default: DeliveryStatistics()].last = (
                Instant(milliseconds: $0.int(1)), $0.optionalInt(2).map(Int.init), $0.optionalText(3)
            )
        }
        return out
    }

    /// Sends a delivery again from the start of its schedule (same message id). Returns false when there is no
    /// such delivery or its endpoint is disabled.
    public func replay(_ id: Int64, at now: Instant) throws -> Bool {
        try db.run(
            """
            UPDATE deliveries SET status='pending', attempts=0, next_at=?, finished_at=NULL
            WHERE id=? AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL)
            """, [.int(now.milliseconds), .int(id)])
        return db.changes > 0
    }

    /// Sends every failed delivery created since `since` again; returns how many.
    public func recover(since: Instant, at now: Instant) throws -> Int {
        try db.run(
            """
            UPDATE deliveries SET status='pending', attempts=0, next_at=?, finished_at=NULL
            WHERE status='failed' AND created_at >= ?
            AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL)
            """, [.int(now.milliseconds), .int(since.milliseconds)])
        return db.changes
    }
}
