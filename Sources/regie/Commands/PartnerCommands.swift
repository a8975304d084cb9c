import Foundation
import RegieCore
import RegieEngine

/// `regie partner list`.
struct PartnerListCommand: RegieCommand {
    static let path = "partner list"
    static let summary = "list the region's partners"
    static let synopsis = "[--json]"
    static let positionals = 0...0
    @Flag("json", "print as JSON") var json: Bool

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let config = try context.config()
        if json {
            Output.json([
                "partners": .array(
                    config.partners.map {
                        [
                            "id": .string($0.id), "name": .string($0.name), "domain": .string($0.domain.rawValue),
                            "kind": .string($0.kind), "example": .bool($0.example),
                        ]
                    })
            ])
            return
        }
        Output.print(
            Output.table(
                ["ID", "NAME", "DOMAIN", "KIND"],
                config.partners.map {
                    [$0.id, $0.name + ($0.example ? " (example)" : ""), $0.domain.rawValue, $0.kind]
                }))
    }
}

/// `regie config validate`.
struct ConfigValidateCommand: RegieCommand {
    static let path = "config validate"
    static let summary = "check the configuration folder (region.json, partners.json, identity.json, theme.json)"
    static let synopsis = ""
    static let positionals = 0...0

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let config = try context.config()
        // A misspelt workflow in the retention periods would silently keep its cases for the default period.
        let catalog = try WorkflowCatalog(folder: context.workflowsFolder)
        let known = Set(catalog.workflows.keys).union(
            catalog.failures.keys.map { ($0 as NSString).deletingPathExtension })
        if let unknown = config.retention.workflowYears.keys.sorted().first(where: { !known.contains($0) }) {
            let hint = closest(unknown, in: known.sorted()).map { "did you mean \"\($0)\"? " } ?? ""
            throw .environment(
                "region.json: retention.workflows names \"\(unknown)\", which is not a workflow in \(context.workflowsFolder); \(hint)its cases would keep the default period"
            )
        }
        let identity = try context.identitySettings()
        let themes = try context.themes()
        Output.print(
            "\(context.configFolder): ok (\(config.region): \(config.partners.count) partners, \(config.mandates.count) mandate roles, \(config.ladder.count) escalation levels, \(config.vso.count) VSO schedules, \(config.calendar.extraDays.count) extra non-working days; logins: sessions \(identity.sessionIdleSeconds / 60) min idle and \(identity.sessionAbsoluteSeconds / 3600) h at most, second factor \(identity.secondFactor ? "required" : "OFF"), single sign-on \(identity.sso.map { "via \($0.issuer)" } ?? "off"); workspace themes for \(themes.partners.count) partners)"
        )
    }
}
