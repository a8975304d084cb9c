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
        // Lead times, which are not counts: the first step out of the initial state, the time at a level that
        // ends, a completed handover.
        if before.state == workflow.initialState.name, record.state != before.state, !workflow.initialState.final {
            duration("eerste-stap", from: record.openedAt)
        }
        if record.level != before.level, before.level > 0 {
            duration("niveau-\(before.level)", from: before.details.levelSince ?? before.updatedAt)
        }
        let e = first.event
        if e == "overdracht-afronden", let h = before.details.handover { duration("overdracht", from: h.offeredAt) }
        let out = outflow(before, record, events)
        if out != nil { duration("open-tot-uitstroom", from: record.openedAt) }
        // Each decision is counted once, under its own event, in one figure (with its family's second breakdown):
        // no event is in two figures, so no figure can be worked out from another.
        if let category = countedAs(e, before, record, events, outflow: out) {
            count(category.figure, category.category)
            if let partner = category.partner { count(partner.figure, partner.category) }
        }
        return facts
    }

    /// The figure and category a decision is counted under, and its family's second breakdown; nil when it is not
    /// counted (a built-in event such as a reminder, a suspension, a contact person named).
    func countedAs(
        _ e: String, _ before: CaseRecord, _ record: CaseRecord, _ events: [CaseEvent],
        outflow out: (uitkomst: String, nazorg: String?)?
    ) -> (figure: MonitorFigure, category: String, partner: (figure: MonitorFigure, category: String)?)? {
        if let out {
            var outcome = out.uitkomst
            if let nazorg = out.nazorg { outcome += nazorg == "ja" ? ", met nazorg" : ", zonder nazorg" }
            if e == "teruggekoppeld" {
                outcome += before.timers.contains { $0.name == "terugkoppeling" } ? ", binnen termijn" : ", na termijn"
            }
            return (
                .uitstroomUitkomst, outcome,
                (.uitstroomHerkomst, record.details.origin ?? record.details.municipality ?? "onbekend")
            )
        }
        // A missed level deadline and an expired opdracht raise the case (where there is a level above), and are
        // counted as what they are.
        if e == Self.levelTimerEvent { return (.termijnGemist, "niveau-\(before.level)", nil) }
        if e == "opdracht-verstreken" { return (.opdracht, "verstreken", nil) }
        if record.level > before.level {
            return (.opschaling, "naar niveau-\(record.level): \(e == "opschalen" ? "door een partner" : e)", nil)
        }
        if record.level < before.level {
            let moved = record.regie.partner != before.regie.partner
            return (.niveauEinde, "niveau-\(before.level) afgeschaald\(moved ? ", regie verplaatst" : "")", nil)
        }
        let fields = events.first?.payload["fields"]
        switch e {
        case "doorzettingsbesluit":
            return (.doorzettingsbesluit, fields?["besluit"]?.stringValue ?? "onbekend", nil)
        case "opdracht-uitgevoerd": return (.opdracht, "uitgevoerd", nil)
        case "opdracht-intrekken": return (.opdracht, "ingetrokken", nil)
        case "overdracht-aanbieden": return (.overdracht, "aangeboden", nil)
        case "overdracht-accepteren": return (.overdracht, "geaccepteerd", nil)
        case "overdracht-weigeren": return (.overdracht, "geweigerd", nil)
        case "overdracht-intrekken": return (.overdracht, "ingetrokken", nil)
        case "kennismaking": return (.overdracht, "kennismaking", nil)
        case "overdracht-afronden":
            return (.overdracht, before.details.handover?.subject == .zorg ? "afgerond, zorg" : "afgerond, regie", nil)
        case "gemeente-wijzigen": return (.gemeentewissel, "van \(before.details.municipality ?? "onbekend")", nil)
        case "terugval": return (.nazorg, "terugval", nil)
        case "nazorg-afgerond": return (.nazorg, "afgerond zonder terugval", nil)
        default: break
        }
        // A signal discussed at its basisteam's meeting: what was decided, and whether at the first meeting.
        if before.state == workflow.initialState.name, record.state != before.state,
            workflow.opening.fields.contains(where: { $0.kind == .basisteam })
        {
            let timing = before.details.postponed == 0 ? "op het eerste overleg" : "na uitstel"
            return (.vsoBesluit, e, (.vsoBespreking, timing))
        }
        guard workflow.transitions.contains(where: { $0.event == e }) else { return nil }
        return (.verloop, e, nil)
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
    case gemeentewissel
    case opschaling
    case termijnGemist = "termijn-gemist"
    case niveauEinde = "niveau-einde"
    case doorzettingsbesluit
    case opdracht
    case vsoBesluit = "vso.besluit"
    case vsoBespreking = "vso.bespreking"
    case verloop

    /// Durations are stored under this prefix and their name (`duur:open-tot-uitstroom`).
    public static let durationPrefix = "duur:"

    /// The figure that breaks the same events down another way (one fact of each per event), if any.
    public var partner: MonitorFigure? {
        switch self {
        case .instroomBron: .instroomBasisteam
        case .instroomBasisteam: .instroomBron
        case .uitstroomUitkomst: .uitstroomHerkomst
        case .uitstroomHerkomst: .uitstroomUitkomst
        case .vsoBesluit: .vsoBespreking
        case .vsoBespreking: .vsoBesluit
        case .nazorg, .overdracht, .gemeentewissel, .opschaling, .termijnGemist, .niveauEinde, .doorzettingsbesluit,
            .opdracht, .verloop:
            nil
        }
    }

    /// Whether this is the second figure of a family, which joins the first one's block from the other side.
    public var joinsFromTheSide: Bool {
        self == .instroomBasisteam || self == .uitstroomHerkomst || self == .vsoBespreking
    }

    /// What the figure counts, in Dutch, as a table's caption.
    public var title: String {
        switch self {
        case .instroomBron: "Instroom: casussen geopend, naar bron"
        case .instroomBasisteam: "Instroom: signalen naar basisteam"
        case .uitstroomUitkomst: "Uitstroom: casussen afgesloten, naar uitkomst"
        case .uitstroomHerkomst: "Uitstroom: afgesloten casussen naar gemeente van herkomst"
        case .nazorg: "Nazorg: terugval en afgerond"
        case .overdracht: "Doorstroom: warme overdrachten"
        case .gemeentewissel: "Doorstroom: verhuisd naar deze gemeente, van"
        case .opschaling: "Escalatie: opgeschaald, naar niveau en aanleiding"
        case .termijnGemist: "Escalatie: termijn van een niveau gemist (en verder opgeschaald)"
        case .niveauEinde: "Escalatie: afgeschaald"
        case .doorzettingsbesluit: "Escalatie: doorzettingsbesluiten, naar soort"
        case .opdracht: "Escalatie: opdrachten uitgevoerd, verstreken of ingetrokken"
        case .vsoBesluit: "VSO: besproken signalen, naar besluit"
        case .vsoBespreking: "VSO: besproken op het eerste overleg, of na uitstel"
        case .verloop: "Verloop: de andere stappen in de werkstroom"
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
