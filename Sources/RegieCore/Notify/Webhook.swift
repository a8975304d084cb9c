internal import Foundation

/// A partner's webhook endpoint: where to send, which notification types, in which shape.
public struct WebhookEndpoint: Sendable, Equatable {
    /// The payload shape.
    public enum Format: String, Sendable, CaseIterable {
        /// The thin JSON event: `type`, `timestamp`, `data` (case, event, level, where to fetch the case).
        case thin
        /// The ZGW Notificaties API shape, for municipal systems.
        case zgw
    }

    public var id: String
    public var partner: String
    public var url: String
    /// Notification types with wildcards: `escalation.*`, `case.changed`, `*`.
    public var events: [String]
    public var format: Format
    public var createdAt: Instant
    public var disabledAt: Instant?
    public var disabledReason: String?
    /// Since when every attempt has failed (nil after a success).
    public var failingSince: Instant?
    /// While a rotated secret's grace period runs: until when the previous secret also signs.
    public var previousSecretUntil: Instant?

    /// Creates an endpoint.
    public init(
        id: String, partner: String, url: String, events: [String], format: Format, createdAt: Instant,
        disabledAt: Instant? = nil, disabledReason: String? = nil, failingSince: Instant? = nil,
        previousSecretUntil: Instant? = nil
    ) {
        self.id = id
        self.partner = partner
        self.url = url
        self.events = events
        self.format = format
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.failingSince = failingSince
        self.previousSecretUntil = previousSecretUntil
    }

    /// How an endpoint stands, as `regie webhook status` and the API say it.
    public enum State: String, Sendable { case active, failing, disabled }

    public var state: State { disabledAt != nil ? .disabled : failingSince != nil ? .failing : .active }

    /// The host (lowercased, without IPv6 brackets) and port a URL points to; nil when it has no host.
    public static func hostAndPort(of url: String) -> (host: String, port: Int)? {
        guard let c = URLComponents(string: url), var host = c.host?.lowercased(), !host.isEmpty else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80))
    }

    /// Whether the endpoint wants notifications of `topic`.
    public func wants(_ topic: String) -> Bool { events.contains { Self.pattern($0, matches: topic) } }

    /// `*` matches everything; `escalation.*` matches `escalation.raised` and deeper; otherwise the exact type.
    public static func pattern(_ pattern: String, matches topic: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return topic.hasPrefix(pattern.dropLast()) }
        return pattern == topic
    }

    /// Why a list of event patterns is not acceptable, or nil.
    public static func problem(inPatterns patterns: [String]) -> String? {
        if patterns.isEmpty { return "give at least one event type, such as escalation.* or *" }
        for p in patterns {
            let body = p.hasSuffix(".*") ? String(p.dropLast(2)) : p
            let ok =
                p == "*"
                || (!body.isEmpty
                    && body.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                        !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                    })
            if !ok { return "\"\(p)\" is not an event type or pattern; use forms like case.changed, escalation.* or *" }
        }
        return nil
    }
}

/// The body a partner receives. Neither shape carries care content: the receiver fetches the case from the API,
/// which shows it only what its part in the case allows.
public enum WebhookPayload {
    /// The ZGW channel name for Regie's cases.
    public static let zgwChannel = "regie-casussen"

    /// The body of one notification for an endpoint's format and the partner's view of the case.
    /// - Parameters:
    ///   - caseURL: where the case is fetched (`BASE/v1/cases/ID`).
    ///   - workflow: the case's workflow (a `kenmerk` for ZGW receivers).
    public static func body(
        _ n: Notification, format: WebhookEndpoint.Format, view: CaseAccess.View, at: Instant, caseURL: String,
        workflow: String
    ) -> JSONValue {
        // A melder learns outcomes, not how far a case has escalated.
        let showLevel = view != .outcome
        switch format {
        case .thin:
            var data = JSONObject(pairs: [
                "caseId": .string(n.caseId), "event": .string(n.event), "sequence": .int(Int64(n.sequence)),
            ])
            if showLevel { data["level"] = .int(Int64(n.level)) }
            data["url"] = .string(caseURL)
            if !n.details.members.isEmpty { data["details"] = .object(n.details) }
            return .object(
                JSONObject(pairs: ["type": .string(n.topic), "timestamp": .string(at.iso8601), "data": .object(data)]))
        case .zgw:
            var kenmerken = JSONObject(pairs: [
                "type": .string(n.topic), "gebeurtenis": .string(n.event), "workflow": .string(workflow),
            ])
            if showLevel { kenmerken["niveau"] = .string(String(n.level)) }
            for m in n.details.members { kenmerken[m.key] = .string(m.value.stringValue ?? m.value.compactText) }
            return .object(
                JSONObject(pairs: [
                    "kanaal": .string(zgwChannel), "hoofdObject": .string(caseURL), "resource": .string("casus"),
                    "resourceUrl": .string(caseURL), "actie": .string(n.topic == "case.opened" ? "create" : "update"),
                    "aanmaakdatum": .string(at.iso8601), "kenmerken": .object(kenmerken),
                ]))
        }
    }
}

extension WebhookPayload {
    /// The body of a notification about the region rather than a case (`Notification.regionCase`).
    public static func regionBody(_ n: Notification, format: WebhookEndpoint.Format, at: Instant) -> JSONValue {
        switch format {
        case .thin:
            return .object(
                JSONObject(pairs: [
                    "type": .string(n.topic), "timestamp": .string(at.iso8601), "data": .object(n.details),
                ]))
        case .zgw:
            var kenmerken = JSONObject(pairs: ["type": .string(n.topic)])
            for m in n.details.members { kenmerken[m.key] = .string(m.value.stringValue ?? m.value.compactText) }
            return .object(
                JSONObject(pairs: [
                    "kanaal": .string(zgwChannel), "hoofdObject": .string(""), "resource": .string("regio"),
                    "resourceUrl": .string(""), "actie": .string("update"), "aanmaakdatum": .string(at.iso8601),
                    "kenmerken": .object(kenmerken),
                ]))
        }
    }
}

/// When to try a delivery again: a schedule of delays after each failed attempt, with jitter.
public struct RetrySchedule: Sendable, Equatable {
    /// Delays in seconds before attempt 1, 2, ...: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
    /// 24 h (about three days in all).
    public var delays: [Int64]
    /// The share of a delay that is randomised (0.2: up to 20% later), so that a recovering receiver is not hit
    /// by every retry at once.
    public var jitter: Double

    public static let standard = RetrySchedule(
        delays: [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400], jitter: 0.2)

    /// Creates a schedule.
    public init(delays: [Int64], jitter: Double) {
        self.delays = delays
        self.jitter = jitter
    }

    /// The number of attempts in all.
    public var attempts: Int { delays.count }

    /// Milliseconds to wait after the `failed`-th failed attempt (1-based), or nil when that was the last.
    /// - Parameter unit: a number in 0..<1 (random in production, fixed in tests).
    public func delayMilliseconds(afterFailure failed: Int, unit: Double) -> Int64? {
        guard failed >= 1, failed < delays.count else { return nil }
        let base = Double(delays[failed]) * 1000
        return Int64(base * (1 + jitter * min(max(unit, 0), 1)))
    }
}

/// What follows from one attempt at a delivery.
public enum DeliveryVerdict: Sendable, Equatable {
    /// A 2xx answer: delivered.
    case delivered
    /// Try again after this many milliseconds.
    case retry(afterMilliseconds: Int64)
    /// The last attempt failed: the delivery has failed for good (it can still be replayed).
    case failed
    /// The receiver answered 410 Gone: the endpoint is disabled.
    case gone

    /// The longest wait a `Retry-After` can ask for; longer answers are cut to this.
    public static let longestRetryAfterSeconds: Int64 = 24 * 3600

    /// Decides what follows an attempt.
    /// - Parameters:
    ///   - status: the HTTP status, nil when no answer came (refused address, connection failed, timed out).
    ///   - retryAfterSeconds: the answer's `Retry-After`, honoured on 429 and 503.
    ///   - attempt: which attempt this was, from 1.
    ///   - unit: a number in 0..<1 for the jitter (random in production, fixed in tests).
    public static func after(
        status: Int?, retryAfterSeconds: Int64?, attempt: Int, schedule: RetrySchedule, unit: Double
    ) -> DeliveryVerdict {
        if let status, (200..<300).contains(status) { return .delivered }
        if status == 410 { return .gone }
        guard let delay = schedule.delayMilliseconds(afterFailure: attempt, unit: unit) else { return .failed }
        if status == 429 || status == 503, let wait = retryAfterSeconds, wait >= 0 {
            return .retry(afterMilliseconds: min(wait, longestRetryAfterSeconds) * 1000)
        }
        return .retry(afterMilliseconds: delay)
    }
}
