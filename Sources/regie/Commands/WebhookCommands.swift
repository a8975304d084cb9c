import RegieCore
import RegieEngine
import Foundation

/// `regie webhook add`.
struct WebhookAddCommand: RegieCommand {
    static let path = "webhook add"
    static let summary = "register a partner's webhook endpoint (its signing secret is shown once)"
    static let synopsis = "PARTNER URL --events TYPE[,TYPE...] [--format thin|zgw] [--json]"
    static let positionals = 2...2
    @Required(
        "events", "TYPES", "notification types, comma-separated, with wildcards: escalation.*,case.changed or *",
        missing: "TYPES: the notification types, such as --events 'escalation.*,handover.*'")
    var events: String
    @Option("format", "FORMAT", "thin (default: type, timestamp, case, event, level, URL) or zgw (ZGW Notificaties)")
    var format: WebhookEndpoint.Format?
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        Regie signs every delivery per the Standard Webhooks specification (webhook-id, webhook-timestamp,
        webhook-signature) with a secret it generates: whsec_ + 32 random bytes. The secret is printed once and
        stored only sealed (AES-256-GCM under a key derived from the regional secret). A partner receives only
        notifications about cases it may see, without care content: it fetches the case from the API.
        """
    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let format = format ?? .thin
        let engine = try context.engine()
        let added = try engine.addWebhook(
            partner: arguments[0], url: arguments[1],
            events: events.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, format: format)
        context.auditDetail = "added webhook \(added.endpoint.id) for \(added.endpoint.partner)"
        if json {
            Output.json([
                "id": .string(added.endpoint.id), "partner": .string(added.endpoint.partner),
                "url": .string(added.endpoint.url), "secret": .string(added.secret),
            ])
            return
        }
        Output.print(
            """
            Added webhook \(added.endpoint.id) for \(added.endpoint.partner): \(added.endpoint.url)
            Events: \(added.endpoint.events.joined(separator: ", ")); format: \(added.endpoint.format.rawValue).
            Its signing secret is shown only now:

                \(added.secret)

            The partner verifies each delivery with it (any Standard Webhooks library does).
            """)
    }
}

/// `regie webhook list`.
struct WebhookListCommand: RegieCommand {
    static let path = "webhook list"
    static let summary = "list webhook endpoints and their state (never their secrets)"
    static let synopsis = "[PARTNER] [--json]"
    static let positionals = 0...1
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let endpoints = try engine.webhookEndpoints(partner: arguments.first)
        let cal = engine.config.calendar
        func state(_ e: WebhookEndpoint) -> String {
            if let at = e.disabledAt { return "disabled \(cal.localText(at)): \(e.disabledReason ?? "")" }
            if let since = e.failingSince { return "failing since \(cal.localText(since))" }
            return "active"
        }
        if json {
            Output.json([
                "endpoints": .array(
                    endpoints.map {
                        [
                            "id": .string($0.id), "partner": .string($0.partner), "url": .string($0.url),
                            "events": .array($0.events.map { .string($0) }), "format": .string($0.format.rawValue),
                            "state": .string(state($0)), "createdAt": .string($0.createdAt.iso8601),
                        ]
                    })
            ])
            return
        }
        guard !endpoints.isEmpty else {
            Output.print("No webhook endpoints. Add one with `regie webhook add PARTNER URL --events '*'`.")
            return
        }
        Output.print(
            Output.table(
                ["ID", "PARTNER", "URL", "EVENTS", "FORMAT", "STATE"],
                endpoints.map {
                    [$0.id, $0.partner, $0.url, $0.events.joined(separator: ","), $0.format.rawValue, state($0)]
                }))
    }
}

/// `regie webhook rotate`.
struct WebhookRotateCommand: RegieCommand {
    static let path = "webhook rotate"
    static let summary = "issue a new signing secret; the old one keeps signing during the grace period"
    static let synopsis = "ENDPOINT [--json]"
    static let positionals = 1...1
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        During the grace period (rotationGraceHours in Config/webhooks.json, default 24) every delivery carries
        both signatures, space-separated, so that the partner can switch to the new secret at its own moment.
        """
    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let id = arguments[0]
        let secret = try engine.rotateWebhookSecret(id)
        context.auditDetail = "rotated the secret of webhook \(id)"
        if json {
            Output.json(["id": .string(id), "secret": .string(secret)])
            return
        }
        let hours = engine.webhooks.rotationGraceSeconds / 3600
        Output.print(
            """
            New signing secret for \(id), shown only now:

                \(secret)

            For \(hours) hours deliveries are signed with both the old and the new secret.
            """)
    }
}

/// `regie webhook disable`.
struct WebhookDisableCommand: RegieCommand {
    static let path = "webhook disable"
    static let summary = "stop delivering to an endpoint (its pending deliveries are marked failed)"
    static let synopsis = "ENDPOINT [--reason TEXT]"
    static let positionals = 1...1
    @Option("reason", "TEXT", "why, for the endpoint's state and the log") var reason: String?
    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let id = arguments[0]
        let reason = reason ?? "disabled by an administrator"
        try engine.disableWebhook(id, reason: reason)
        context.auditDetail = "disabled webhook \(id): \(reason)"
        Output.print("Disabled \(id). Enable it again with `regie webhook enable \(id)`.")
    }
}

/// `regie webhook enable`.
struct WebhookEnableCommand: RegieCommand {
    static let path = "webhook enable"
    static let summary = "deliver to a disabled endpoint again"
    static let synopsis = "ENDPOINT"
    static let positionals = 1...1

    static let auditAction: String? = "webhook"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let id = arguments[0]
        try engine.enableWebhook(id)
        context.auditDetail = "enabled webhook \(id)"
        Output.print(
            "Enabled \(id). Deliveries that failed meanwhile are sent again with `regie webhook recover --since TIME`.")
    }
}
