/// What a person may do in Regie: the region's mandates, working on cases for their organisation, and functional
/// administration. A mandate role is held only by a person of an organisation that holds the mandate in the
/// region's configuration.
public enum PersonRole: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Works on the organisation's cases: holds regie, takes part, reports, carries opdrachten.
    case casusregisseur
    /// Owns level 1 for the municipality whose procesregie the organisation holds.
    case procesregisseur
    /// Owns level 2 for the region.
    case ketenregisseur
    /// Owns level 3 (the administrative level).
    case bestuurlijk
    /// Manages people, partner keys and webhook endpoints; acts on no case.
    case functioneelBeheer = "functioneel-beheer"

    /// How the workspace names the role.
    public var label: String {
        switch self {
        case .casusregisseur: "casusregisseur"
        case .procesregisseur: "procesregisseur"
        case .ketenregisseur: "ketenregisseur"
        case .bestuurlijk: "bestuurlijk"
        case .functioneelBeheer: "functioneel beheer"
        }
    }

    /// The case role whose actions this role lets a person take for their organisation.
    public var caseRoles: Set<Role> { Set(Role.allCases.filter(allows)) }

    /// Whether this role lets a person act in the case role `role` (`caseRoles`, without building a set: the
    /// workspace asks it for every case on a page).
    public func allows(_ role: Role) -> Bool {
        switch self {
        case .casusregisseur: role == .regiehouder || role == .betrokken || role == .melder
        case .procesregisseur: role == .procesregisseur
        case .ketenregisseur: role == .ketenregisseur
        case .bestuurlijk: role == .bestuurlijk
        case .functioneelBeheer: false
        }
    }

    public static func < (a: PersonRole, b: PersonRole) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// The role names, for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension RegionConfig {
    /// Why a person of `partner` may not hold `role`, or nil when they may: a mandate role needs an organisation
    /// that holds the mandate.
    public func problem(withRole role: PersonRole, for partner: String) -> String? {
        let holds: Bool
        switch role {
        case .casusregisseur, .functioneelBeheer: return nil
        case .procesregisseur: holds = procesregisseurs.values.contains(partner)
        case .ketenregisseur: holds = mandates[.ketenregisseur]?.contains(partner) == true
        case .bestuurlijk: holds = mandates[.bestuurlijk]?.contains(partner) == true
        }
        if holds || partners.isEmpty { return nil }
        return
            "\(partner) does not hold the \(role.rawValue) mandate in the region's configuration (Config/region.json, \"mandates\"); give the role to a person of an organisation that does, or add the mandate there first"
    }
}
