/// What the monitor counts of a decision: derived here, in the pure core, from the case before and after and the
/// events, and written by the store in the same transaction as the events (so the monitor is exact by construction).
extension StateMachine {
    /// The facts of one decision on a case (`previous` is nil when the decision opens it).
    public func monitorFacts(previous: CaseRecord?, record: CaseRecord, events: [CaseEvent]) -> [MonitorFact] {
        guard let first = events.first else { return [] }
        let at = events.last?.at ?? record.updatedAt
        let day = calendar.localDate(of: at)
        let month = day.year * 100 + day.month
        var facts: [MonitorFact] = []
        func count(_ figure: MonitorFigure, _ category: String) {
            facts.append(
                MonitorFact(
                    month: month, workflow: record.workflow, municipality: record.details.municipality ?? "",
                    figure: figure.rawValue, category: category))
        }
        func duration(_ name: String, from start: Instant) {
            facts.append(
                MonitorFact(
                    month: month, workflow: record.workflow, municipality: record.details.municipality ?? "",
                    figure: MonitorFigure.durationPrefix + name, category: "",
                    days: max(0, calendar.workingDaysBetween(start, at))))
        }
        guard let before = previous else {
            let source =
                record.details.links.first { $0.direction == .openedFrom }.map { "vanuit-\($0.workflow)" }
                ?? region.partner(first.actor.partner)?.kind ?? "onbekend"
            count(.instroomBron, source)
            if let team = workflow.opening.fields.first(where: { $0.kind == .basisteam }) {
                count(.instroomBasisteam, record.details.fields[team.name] ?? "onbekend")
            }
            return facts
        }
        for e in events
        where !Self.moduleEvents.contains(e.event) && workflow.transitions.contains(where: { $0.event == e.event }) {
            count(.verloop, e.event)
        }
        let names = Set(events.map(\.event))
        // Handovers: offered when one appears, accepted when it is, ended as its ending event says.
        if let h = record.details.handover, before.details.handover?.offeredAt != h.offeredAt {
            count(.overdracht, "aangeboden")
        }
        if let h = record.details.handover, h.acceptedAt != nil, before.details.handover?.acceptedAt == nil {
            count(.overdracht, "geaccepteerd")
        }
        for (expiry, category) in [
            ("overdracht-acceptatie-verlopen", "acceptatie-verlopen"),
            ("kennismaking-verlopen", "kennismaking-verlopen"),
        ] where names.contains(expiry) {
            count(.overdracht, category)
        }
        if let h = before.details.handover, record.details.handover?.offeredAt != h.offeredAt {
            if names.contains("overdracht-afronden") {
                count(.overdracht, "afgerond")
                duration("overdracht", from: h.offeredAt)
            } else if names.contains("overdracht-weigeren") {
                count(.overdracht, "geweigerd")
            } else if names.contains("overdracht-intrekken") {
                count(.overdracht, "ingetrokken")
            } else {
                count(.overdracht, "beeindigd")
            }
        }
        if before.regie.partner != record.regie.partner {
            count(.regiewissel, Self.regieCause(names))
        }
        // The first step out of the initial state: from signal to plan (netwerkcasus), triage, discussion.
        if before.state == workflow.initialState.name, record.state != before.state,
            !workflow.initialState.final
        {
            duration("eerste-stap", from: record.openedAt)
            // A signal for a basisteam's meeting: discussed at the first meeting it was put on, or only later.
            if workflow.opening.fields.contains(where: { $0.kind == .basisteam }) {
                count(.bespreking, before.details.postponed == 0 ? "op-het-eerste-overleg" : "na-uitstel")
            }
        }
        // Escalation: each level reached, how a level ended and how long it lasted, deadlines missed, decisions.
        if record.level != before.level {
            if before.level > 0 {
                let end =
                    record.level > before.level
                    ? "opgeschaald"
                    : record.closedAt != nil || outflow(before, record, events) != nil
                        ? "gesloten" : "afgeschaald"
                count(.niveauEinde, "niveau-\(before.level) \(end)")
                duration("niveau-\(before.level)", from: before.details.levelSince ?? before.updatedAt)
            }
            if record.level > before.level {
                for level in (before.level + 1)...record.level { count(.opschaling, "niveau-\(level)") }
            }
        }
        if names.contains(Self.levelTimerEvent) { count(.termijnGemist, "niveau-\(before.level)") }
        for e in events where e.event == "doorzettingsbesluit" {
            count(.doorzettingsbesluit, e.payload["fields"]?["besluit"]?.stringValue ?? "onbekend")
        }
        let running = Set(before.details.opdrachten.map(\.partner))
        for o in record.details.opdrachten where !running.contains(o.partner) { count(.opdracht, "gegeven") }
        let still = Set(record.details.opdrachten.map(\.partner))
        for o in before.details.opdrachten where !still.contains(o.partner) {
            count(
                .opdracht,
                names.contains("opdracht-uitgevoerd")
                    ? "uitgevoerd" : names.contains("opdracht-verstreken") ? "verstreken" : "ingetrokken")
        }
        // Outflow, with its municipality of origin, lead time and nazorg; relapses within nazorg.
        if let outcome = outflow(before, record, events) {
            count(.uitstroomUitkomst, outcome.uitkomst)
            count(.uitstroomHerkomst, record.details.origin ?? record.details.municipality ?? "onbekend")
            duration("open-tot-uitstroom", from: record.openedAt)
            if let nazorg = outcome.nazorg { count(.nazorg, nazorg == "ja" ? "met-nazorg" : "zonder-nazorg") }
        }
        if names.contains("terugval") { count(.nazorg, "terugval") }
        if names.contains("nazorg-afgerond") { count(.nazorg, "afgerond-zonder-terugval") }
        if names.contains("teruggekoppeld") {
            let inTime = before.timers.contains { $0.name == "terugkoppeling" }
            count(.terugkoppeling, inTime ? "binnen-termijn" : "na-termijn")
        }
        return facts
    }

    /// The events of the shared modules (handover, escalation), counted in their own figures, not in `verloop`.
    static let moduleEvents: Set<String> = [
        "overdracht-aanbieden", "overdracht-accepteren", "overdracht-weigeren", "kennismaking", "overdracht-afronden",
        "overdracht-intrekken", "overdracht-acceptatie-verlopen", "kennismaking-verlopen", "opschalen", "afschalen",
        "doorzettingsbesluit", "opdracht-uitgevoerd", "opdracht-intrekken", "opdracht-verstreken",
    ]

    /// Why regie moved: the event that moved it.
    static func regieCause(_ names: Set<String>) -> String {
        for (event, cause) in [
            ("overdracht-afronden", "warme-overdracht"), ("doorzettingsbesluit", "doorzettingsbesluit"),
            ("afschalen", "afschalen"),
        ] where names.contains(event) {
            return cause
        }
        return names.sorted().first ?? "onbekend"
    }

    /// The outflow a decision records, if it records one: a transition with an `uitkomst` field (and its `nazorg`), or,
    /// in a workflow without one, the case reaching its final state (its outcome is the event that closed it).
    func outflow(_ before: CaseRecord, _ record: CaseRecord, _ events: [CaseEvent]) -> (
        uitkomst: String, nazorg: String?
    )? {
        for e in events {
            if let uitkomst = e.payload["fields"]?["uitkomst"]?.stringValue {
                return (uitkomst, e.payload["fields"]?["nazorg"]?.stringValue)
            }
        }
        let recordsOutcome = workflow.transitions.contains { t in t.fields.contains { $0.name == "uitkomst" } }
        if !recordsOutcome, record.closedAt != nil, before.closedAt == nil, let e = events.first {
            return (e.event, nil)
        }
        return nil
    }
}

/// The figures of the monitor: what each counts, and which two share their total (a family).
public enum MonitorFigure: String, Sendable, CaseIterable {
    case instroomBron = "instroom.bron"
    case instroomBasisteam = "instroom.basisteam"
    case uitstroomUitkomst = "uitstroom.uitkomst"
    case uitstroomHerkomst = "uitstroom.herkomst"
    case nazorg
    case overdracht
    case regiewissel
    case opschaling
    case niveauEinde = "niveau-einde"
    case termijnGemist = "termijn-gemist"
    case doorzettingsbesluit
    case opdracht
    case terugkoppeling
    case bespreking
    case verloop

    /// Durations are stored under this prefix and their name (`duur:open-tot-uitstroom`).
    public static let durationPrefix = "duur:"

    /// The figure whose rows have the same total as this one's (one fact of each per event), if any.
    public var partner: MonitorFigure? {
        switch self {
        case .instroomBron: .instroomBasisteam
        case .instroomBasisteam: .instroomBron
        case .uitstroomUitkomst: .uitstroomHerkomst
        case .uitstroomHerkomst: .uitstroomUitkomst
        case .nazorg, .overdracht, .regiewissel, .opschaling, .niveauEinde, .termijnGemist, .doorzettingsbesluit,
            .opdracht, .terugkoppeling, .bespreking, .verloop:
            nil
        }
    }

    /// Whether this is the second figure of a family, which joins the first one's block from the other side.
    public var joinsFromTheSide: Bool { self == .instroomBasisteam || self == .uitstroomHerkomst }

    /// What the figure counts, in Dutch, as a table's caption.
    public var title: String {
        switch self {
        case .instroomBron: "Instroom: casussen geopend, naar bron"
        case .instroomBasisteam: "Instroom: signalen naar basisteam"
        case .uitstroomUitkomst: "Uitstroom: casussen afgesloten, naar uitkomst"
        case .uitstroomHerkomst: "Uitstroom: afgesloten casussen naar gemeente van herkomst"
        case .nazorg: "Nazorg: gestart, terugval en afgerond"
        case .overdracht: "Doorstroom: warme overdrachten"
        case .regiewissel: "Doorstroom: regie verplaatst, naar aanleiding"
        case .opschaling: "Escalatie: niveau bereikt"
        case .niveauEinde: "Escalatie: hoe een niveau eindigde"
        case .termijnGemist: "Escalatie: termijnen gemist, per niveau"
        case .doorzettingsbesluit: "Escalatie: doorzettingsbesluiten, naar soort"
        case .opdracht: "Escalatie: opdrachten"
        case .terugkoppeling: "Terugkoppeling aan de politie"
        case .bespreking: "VSO: besproken op het eerste overleg, of pas na uitstel"
        case .verloop: "Verloop: stappen in de werkstroom"
        }
    }
}

/// The durations the monitor measures, in working days, with their Dutch names.
public enum MonitorDuration: String, Sendable, CaseIterable {
    case eersteStap = "eerste-stap"
    case openTotUitstroom = "open-tot-uitstroom"
    case overdracht
    case niveau1 = "niveau-1"
    case niveau2 = "niveau-2"
    case niveau3 = "niveau-3"

    /// What it measures, in Dutch.
    public var title: String {
        switch self {
        case .eersteStap: "Van signaal tot eerste stap (plan, triage, bespreking)"
        case .openTotUitstroom: "Van opening tot uitstroom"
        case .overdracht: "Van aanbod tot afgeronde overdracht"
        case .niveau1: "Tijd op niveau 1 (procesregie)"
        case .niveau2: "Tijd op niveau 2 (ketenregie)"
        case .niveau3: "Tijd op niveau 3 (bestuurlijk)"
        }
    }
}
