/// One record of the access log, in the manner of NEN 7513: what happened, when, to which client's case, by which
/// user on behalf of which organisation, through which channel, and with what outcome. Refusals and reads of cases
/// the caller may not see are logged too. Never holds a BSN (only the client's pseudonym) or a secret.
public struct AuditEntry: Sendable, Equatable {
    /// How the access came in.
    public enum Channel: String, Sendable, CaseIterable {
        case api, cli
        /// Done by Regie itself, such as the deliverer disabling an endpoint that keeps failing.
        case system
    }

    /// Whether the action succeeded, and if not, why not.
    public enum Outcome: String, Sendable, CaseIterable {
        case ok
        /// Refused by the rules (a forbidden transition, a stale sequence, invalid input).
        case refused
        /// Unknown, or not visible to the caller (the two are deliberately the same to the caller).
        case notFound = "not-found"
        /// No valid credentials.
        case unauthorized
        case error
    }

    /// The log's sequence number; nil until stored.
    public var id: Int64?
    public var at: Instant
    public var channel: Channel
    /// `read`, `write`, `lookup`, `key`, ... (what kind of access).
    public var action: String
    /// What was accessed: an API route such as `GET /v1/cases/{caseId}`, or a CLI command such as `case show`.
    public var resource: String
    public var caseId: String?
    /// The client's pseudonym, so that `regie audit client` can answer a client's request.
    public var clientKey: String?
    /// The organisation on whose behalf the access happened (`-` when unknown, e.g. a bad key).
    public var partner: String
    /// The person, when known (an API client may send `X-Regie-User`; the CLI uses the login name).
    public var person: String?
    public var outcome: Outcome
    /// The HTTP status, or the CLI's exit code.
    public var status: Int
    /// A short, non-sensitive detail: the event fired, the key used, the refusal reason.
    public var detail: String?
    /// The client's network address (API), or the host (CLI).
    public var address: String?
    /// The hash of the previous record, and of this one; filled in when stored.
    public var previousHash: String
    public var hash: String

    /// Creates an entry to append.
    public init(
        at: Instant, channel: Channel, action: String, resource: String, caseId: String? = nil,
        clientKey: String? = nil, partner: String, person: String? = nil, outcome: Outcome, status: Int,
        detail: String? = nil, address: String? = nil
    ) {
        self.at = at
        self.channel = channel
        self.action = action
        self.resource = resource
        self.caseId = caseId
        self.clientKey = clientKey
        self.partner = partner
        self.person = person
        self.outcome = outcome
        self.status = status
        self.detail = detail
        self.address = address
        previousHash = ""
        hash = ""
    }

    /// The text the hash chain covers: the previous hash and every field, as a JSON array (unambiguous).
    public func chainedText(id: Int64, previousHash: String) -> String {
        let fields: [JSONValue] = [
            .string("v1"), .string(previousHash), .int(id), .int(at.milliseconds), .string(channel.rawValue),
            .string(action), .string(resource), .optional(caseId),
            .optional(clientKey), .string(partner), .optional(person),
            .string(outcome.rawValue), .int(Int64(status)), .optional(detail),
            .optional(address),
        ]
        return JSONValue.array(fields).compactText
    }

    /// The record as JSON (for `regie audit export`).
    public var json: JSONValue {
        var o = JSONObject()
        o["id"] = id.map { .int($0) } ?? .null
        o["at"] = .string(at.iso8601)
        o["channel"] = .string(channel.rawValue)
        o["action"] = .string(action)
        o["resource"] = .string(resource)
        o["caseId"] = .optional(caseId)
        o["clientKey"] = .optional(clientKey)
        o["partner"] = .string(partner)
        o["person"] = .optional(person)
        o["outcome"] = .string(outcome.rawValue)
        o["status"] = .int(Int64(status))
        o["detail"] = .optional(detail)
        o["address"] = .optional(address)
        o["previousHash"] = .string(previousHash)
        o["hash"] = .string(hash)
        return .object(o)
    }
}
