/// What one partner may see of one case, and in which roles it may act (DOMAIN.md, "Information sharing and
/// privacy"). A partner sees a case only while it takes part in it or owns its current escalation level; what it
/// sees then depends on its domain and its roles.
public struct CaseAccess: Sendable, Equatable {
    /// How much of a case a partner sees.
    public enum View: String, Sendable, CaseIterable {
        /// Everything, care content included (notes, motivations, fields, handover and opdracht details).
        case full
        /// State, level, who holds regie and the deadlines; no care content and no list of who else takes part.
        case status
        /// For a melder: that the case exists and is running or done, and the outcomes the workflow tells it.
        case outcome
    }

    /// The roles the partner holds in the case, most responsible first.
    public var roles: [Role]
    public var view: View

    /// The partner's access to the case, or nil when it may not see it at all.
    /// - Parameters:
    ///   - partner: the partner, from the region's configuration (nil for an unknown partner: no access).
    ///   - machine: the state machine of the case's workflow, which knows the mandate holders of the region.
    public static func evaluate(_ record: CaseRecord, partner: Partner?, machine: StateMachine) -> CaseAccess? {
        guard let partner else { return nil }
        var roles = record.partners.filter { $0.partner == partner.id }.map(\.role)
        if record.level > 0, let level = machine.region.level(record.level),
            machine.levelOwners(of: record).contains(partner.id), !roles.contains(level.owner)
        {
            roles.append(level.owner)
        }
        guard !roles.isEmpty else { return nil }
        roles.sort()
        let owns = roles.contains(.regiehouder) || roles.contains { Role.mandateRoles.contains($0) }
        let view: View
        if roles == [.melder] {
            view = .outcome
        } else if partner.domain == .veiligheid {
            view = .status
        } else if partner.domain == .wonen && !owns {
            view = .status
        } else {
            view = .full
        }
        return CaseAccess(roles: roles, view: view)
    }
}
