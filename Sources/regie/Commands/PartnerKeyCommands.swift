import RegieStore
import RegieCore
import RegieEngine

/// `regie partner key create`.
struct PartnerKeyCreateCommand: RegieCommand {
    static let path = "partner key create"
    static let summary = "create an API key for a partner (shown once)"
    static let synopsis = "PARTNER [--label TEXT] [--json]"
    static let positionals = 1...1
    @Option("label", "TEXT", "what the key is for, e.g. the partner's system") var label: String?
    @Flag("json", "print as JSON") var json: Bool
    static let discussion = """
        The key is printed once and never stored: Regie keeps only its SHA-256. Give it to the partner over a secure
        channel; it sends it as `Authorization: Bearer KEY`. Revoke it with `regie partner key revoke ID`.
        """
    static let auditAction: String? = "key"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let key = try engine.createKey(partner: arguments[0], label: label)
        context.auditDetail = "created key \(key.id) for \(key.partner)"
        if json {
            Output.json(["id": .string(key.id), "partner": .string(key.partner), "key": .string(key.secret)])
            return
        }
        Output.print(
            """
            Created key \(key.id) for \(key.partner). It is shown only now; Regie stores only its hash:

                \(key.secret)

            The partner sends it as: Authorization: Bearer \(key.secret.prefix(12))...
            """)
    }
}

/// `regie partner key list`.
struct PartnerKeyListCommand: RegieCommand {
    static let path = "partner key list"
    static let summary = "list API keys (never the keys themselves)"
    static let synopsis = "[PARTNER] [--json]"
    static let positionals = 0...1
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        let keys = try engine.keys(partner: arguments.first)
        let cal = engine.config.calendar
        if json {
            Output.json([
                "keys": .array(
                    keys.map {
                        [
                            "id": .string($0.id), "partner": .string($0.partner), "label": .optional($0.label),
                            "createdAt": .string($0.createdAt.iso8601), "revokedAt": .optional($0.revokedAt?.iso8601),
                        ]
                    })
            ])
            return
        }
        Output.print(
            Output.table(
                ["ID", "PARTNER", "LABEL", "CREATED", "STATUS"],
                keys.map {
                    [
                        $0.id, $0.partner, $0.label ?? "-", cal.localText($0.createdAt),
                        $0.revokedAt.map { "revoked \(cal.localText($0))" } ?? "active",
                    ]
                }))
    }
}

/// `regie partner key revoke`.
struct PartnerKeyRevokeCommand: RegieCommand {
    static let path = "partner key revoke"
    static let summary = "revoke an API key; requests with it get 401 from now on"
    static let synopsis = "ID"
    static let positionals = 1...1

    static let auditAction: String? = "key"

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        context.auditDetail = "revoked key \(arguments[0])"
        try engine.revokeKey(arguments[0])
        Output.print("Revoked key \(arguments[0]).")
    }
}
