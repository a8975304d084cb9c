public import RegieCore
internal import RegieStore

/// The agenda of a Vroegsignaleringsoverleg: the signals on one meeting of a basisteam, one item per person.
extension Engine {
    /// One meeting's agenda.
    public struct Agenda: Sendable {
        public var basisteam: String
        public var meeting: Instant
        public var items: [AgendaItem]
    }

    /// The signals about one person on an agenda, and the partners already involved with that person.
    public struct AgendaItem: Sendable {
        /// The signals, oldest first.
        public var signals: [CaseRecord]
        /// Partners involved with the person in other open cases (for a shielded case the caller does not take part
        /// in: the region's safe point), never why.
        public var involved: [String]
    }

    /// The agenda of a basisteam's meeting on `date` (the next meeting when nil), as `partner` may see it: the
    /// meeting's standing participants, the basisteam and the chairs of its signals see it; anybody else gets
    /// `notFound`. Without a partner (the command line), everything.
    /// - Throws: `EngineError.notFound` for an unknown basisteam, a date without a meeting, or a partner that may not
    ///   see the agenda.
    public func vsoAgenda(team: String, on date: LocalDate?, for partner: String?) throws(EngineError) -> Agenda {
        guard let schedule = config.vsoSchedule(team) else {
            throw .notFound(
                "no Vroegsignaleringsoverleg for basisteam \"\(team)\"; basisteams: \(config.vso.map(\.basisteam).joined(separator: ", "))"
            )
        }
        let cal = config.calendar
        let meeting: Instant
        if let date {
            guard date.isoWeekday == schedule.weekday, cal.isWorkingDay(date) else {
                throw .notFound("basisteam \(team) does not meet on \(cal.dayText(date))")
            }
            meeting = cal.instant(of: date, secondOfDay: schedule.time)
        } else {
            // The next meeting that has not ended (a meeting is taken to last four hours).
            var day = cal.localDate(of: clock.now())
            while !(day.isoWeekday == schedule.weekday && cal.isWorkingDay(day)
                && cal.instant(of: day, secondOfDay: schedule.time + 4 * 3600) > clock.now())
            {
                day = day.adding(days: 1)
            }
            meeting = cal.instant(of: day, secondOfDay: schedule.time)
        }
        var signals: [CaseRecord] = []
        for workflow in catalog.workflows.values {
            guard let field = workflow.opening.fields.first(where: { $0.kind == .basisteam }) else { continue }
            signals += try list(workflow: workflow.name, limit: 100_000).filter {
                $0.details.fields[field.name] == team && $0.details.agenda == meeting
            }
        }
        if let partner {
            let standing = Set(schedule.participants + [team])
            guard standing.contains(partner) || signals.contains(where: { $0.regie.partner == partner }) else {
                throw .notFound("no agenda of basisteam \(team) that \(partner) takes part in")
            }
        }
        var items: [AgendaItem] = []
        var byClient: [String: Int] = [:]
        for signal in signals.sorted(by: { ($0.openedAt, $0.id) < ($1.openedAt, $1.id) }) {
            if let key = signal.clientKey, let i = byClient[key] {
                items[i].signals.append(signal)
                continue
            }
            if let key = signal.clientKey { byClient[key] = items.count }
            items.append(AgendaItem(signals: [signal], involved: try involved(with: signal, for: partner)))
        }
        return Agenda(basisteam: team, meeting: meeting, items: items)
    }

    /// The partners involved with a signal's person in the person's other open cases.
    private func involved(with signal: CaseRecord, for partner: String?) throws(EngineError) -> [String] {
        guard let key = signal.clientKey else { return [] }
        var filter = CaseFilter()
        filter.clientKey = key
        let others = try read { try $0.cases(filter) }.filter { $0.id != signal.id && $0.workflow != signal.workflow }
        var out: [String] = []
        for c in others {
            let names: [String]
            if c.details.shield != nil && !(partner.map { p in c.partners.contains { $0.partner == p } } ?? true) {
                names = config.shieldedContact.map { [$0] } ?? []
            } else {
                names = c.partners.filter { $0.role != .melder }.map(\.partner)
            }
            for n in names where !out.contains(n) { out.append(n) }
        }
        return out
    }
}
