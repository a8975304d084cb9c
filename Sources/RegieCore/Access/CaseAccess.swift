/// What one partner may see of one case, and in which roles it may act (DOMAIN.md, "Information sharing and
/// privacy"). The rules apply in order, and a partner gets the widest view any of them gives it:
///
/// 1. its role in the case: the regiehouder sees everything; a partner taking part sees what its domain allows (care
///    and municipal partners everything, safety and housing partners the status, a melder only the outcome), and a
///    partner serving some members of a household sees the content of their part only;
/// 2. owning the case's escalation level: the oversight of the case (its question, motivations, decisions,
///    opdrachten, partners and deadlines; no care notes);
/// 3. being the responsible municipality (woonplaatsbeginsel): the same oversight, at every level;
/// 4. carrying an opdracht: the status, and its own opdrachten in full.
///
/// Nobody else sees the case at all.
public struct CaseAccess: Sendable, Equatable {
    /// How much of a case a partner sees, widest first.
    public enum View: String, Sendable, CaseIterable, Comparable {
        /// Everything, care content included (notes, fields, every event's details).
        case full
        /// Everything that concerns steering the case: state, level, regie, partners, deadlines, the handover, the
        /// opdrachten and the escalation's events in full (question, motivations, decisions); other events only as
        /// state changes, and no fields or care notes.
        case oversight
        /// State, level, who holds regie; no care content and no list of who else takes part.
        case status
        /// For a melder: that the case exists and is running or done, its meeting date, and the outcomes the
        /// workflow tells it.
        case outcome

        private var rank: Int {
            switch self {
            case .full: return 3
            case .oversight: return 2
            case .status: return 1
            case .outcome: return 0
            }
        }

        public static func < (a: View, b: View) -> Bool { a.rank < b.rank }
    }

    /// Why a partner sees a case.
    public enum Ground: String, Sendable, Equatable {
        case regiehouder, participant, levelOwner, municipality, opdracht
    }

    /// The roles the partner holds in the case, most responsible first.
    public var roles: [Role]
    public var view: View
    /// Why it sees the case, in the order of the rules.
    public var grounds: [Ground]
    /// In a household case, the members whose part it sees in full (with the shared plan); nil: all of them.
    public var members: Set<String>?
    /// Whether it carries an opdracht in the case (it sees its own opdrachten in full).
    public var carriesOpdracht: Bool

    /// Whether the partner takes part in the case (rather than seeing it by its position).
    public var takesPart: Bool { grounds.contains(.regiehouder) || grounds.contains(.participant) }

    /// The partner's access to the case, or nil when it may not see it at all.
    /// - Parameters:
    ///   - partner: the partner, from the region's configuration (nil for an unknown partner: no access).
    ///   - machine: the state machine of the case's workflow, which knows the mandate holders of the region.
    public static func evaluate(_ record: CaseRecord, partner: Partner?, machine: StateMachine) -> CaseAccess? {
        guard let partner else { return nil }
        var view: View?
        var grounds: [Ground] = []
        func grant(_ v: View, _ ground: Ground) {
            view = max(view ?? v, v)
            if !grounds.contains(ground) { grounds.append(ground) }
        }
        let mine = record.partners.filter { $0.partner == partner.id }
        var roles = mine.map(\.role)
        var members: Set<String>?
        // 1. Its role in the case decides first; its domain limits only what a mere participant sees.
        if roles.contains(.regiehouder) {
            grant(.full, .regiehouder)
        } else if !mine.isEmpty {
            let care = partner.domain == .zorg || partner.domain == .gemeente
            if Set(roles) == [.melder] {
                grant(.outcome, .participant)
            } else {
                grant(care ? .full : .status, .participant)
                if !Set(roles).isDisjoint(with: Role.mandateRoles) { grant(.oversight, .participant) }
            }
            if !mine.contains(where: { $0.members == nil }) {
                members = mine.reduce(into: Set<String>()) { $0.formUnion($1.members ?? []) }
            }
        }
        // 2. The owner of the case's level sees what it must decide.
        if record.level > 0, let level = machine.region.level(record.level),
            machine.levelOwners(of: record).contains(partner.id)
        {
            if !roles.contains(level.owner) { roles.append(level.owner) }
            grant(.oversight, .levelOwner)
        }
        // 3. The responsible municipality keeps sight of its resident at every level.
        if let m = record.details.municipality,
            m == partner.id || machine.region.procesregisseurs[m] == partner.id
        {
            if machine.region.procesregisseurs[m] == partner.id && !roles.contains(.procesregisseur) {
                roles.append(.procesregisseur)
            }
            grant(.oversight, .municipality)
        }
        // 4. A partner carrying an opdracht sees it.
        let carries = record.details.opdracht(for: partner.id) != nil
        if carries { grant(.status, .opdracht) }
        guard let view else { return nil }
        roles.sort()
        return CaseAccess(roles: roles, view: view, grounds: grounds, members: members, carriesOpdracht: carries)
    }
}
