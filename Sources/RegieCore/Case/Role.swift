/// The role a partner holds in a case (DOMAIN.md), plus `systeem` for what timers do.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    case regiehouder, betrokken, procesregisseur, ketenregisseur, bestuurlijk, melder, systeem

    /// Roles that hold a mandate over cases rather than taking part in one.
    public static let mandateRoles: Set<Role> = [.procesregisseur, .ketenregisseur, .bestuurlijk]

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// The role names, for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
