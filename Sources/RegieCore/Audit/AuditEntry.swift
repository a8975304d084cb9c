/// One record of the access log, in the manner of NEN 7513: what happened, when, to which client's case, by which
/// user on behalf of which organisation, through which channel, and with what outcome. Refusals and reads of cases
/// the caller may not see are logged too. Never holds a BSN (only the client's pseudonym) or a secret.
public struct AuditEntry: Sendable, Equatable {
    /// How the access came in.
    public enum Channel: String, Sendable, CaseIterable {
        case api, cli
        /// The web workspace: a person logged in to Regie.
        case web
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
    /// How Regie knows who the person is.
    public enum Identity: String, Sendable, CaseIterable {
        /// Logged in to Regie with a password and a second factor.
        case login
        /// Logged in through the region's identity provider (OpenID Connect).
        case sso
        /// Named by a partner's system in `X-Regie-User`: the API key authenticates the system, not the person.
        case stated
        /// The operating-system account that ran a command on the server.
        case osUser = "os-user"
        /// Stated on the command line with `--as`/`--person` (administration and tests); `via` names the
        /// operating-system account that ran it.
        case statedAs = "as"
    }

    /// The organisation on whose behalf the access happened (`-` when unknown, e.g. a bad key).
    public var partner: String
    /// The person, when known: a logged-in person's login name, the name a partner's system states, the
    /// operating-system account of a command.
    public var person: String?
    /// How the person is known; nil in records written before Regie knew people.
    public var identity: Identity?
    /// The role the person acted in (`ketenregisseur`, `casusregisseur`, `functioneel-beheer`, ...).
    public var role: String?
    /// Through what: a logged-in person's session (its public reference, never the session id), or the
    /// operating-system account behind a command run `--as` someone.
    public var via: String?
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
        clientKey: String? = nil, partner: String, person: String? = nil, identity: Identity? = nil,
        role: String? = nil, via: String? = nil, outcome: Outcome, status: Int, detail: String? = nil,
        address: String? = nil
    ) {
        self.identity = identity
        self.role = role
        self.via = via
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

    /// The text the hash chain covers: the previous hash and every field, as a JSON array (unambiguous). A record
    /// that says how its person is known is chained as `v2`, with those fields; the older records stay `v1`.
    public func chainedText(id: Int64, previousHash: String) -> String {
        let v2 = identity != nil || role != nil || via != nil
        var fields: [JSONValue] = [
            .string(v2 ? "v2" : "v1"), .string(previousHash), .int(id), .int(at.milliseconds),
            .string(channel.rawValue), .string(action), .string(resource), .optional(caseId),
            .optional(clientKey), .string(partner), .optional(person),
            .string(outcome.rawValue), .int(Int64(status)), .optional(detail),
            .optional(address),
        ]
        if v2 { fields += [.optional(identity?.rawValue), .optional(role), .optional(via)] }
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
        o["identity"] = .optional(identity?.rawValue)
        o["role"] = .optional(role)
        o["via"] = .optional(via)
        o["outcome"] = .string(outcome.rawValue)
        o["status"] = .int(Int64(status))
        o["detail"] = .optional(detail)
        o["address"] = .optional(address)
        o["previousHash"] = .string(previousHash)
        o["hash"] = .string(hash)
        return .object(o)
    }
}
