internal import RegieCore
internal import RegieEngine

/// Mijn werk and Escalaties: who must act, most urgent first.
extension WebApp {
    static let workRoutes: [WebRoute] = [
        WebRoute("GET", "/") { web, call throws(EngineError) in try web.signedIn(&call, web.myWork) },
        WebRoute("GET", "/escalaties") { web, call throws(EngineError) in try web.signedIn(&call, web.escalations) },
    ]

    /// Rows per page of a list.
    static let pageSize = 25

    /// Mijn werk: what the person's organisation must do, in the roles the person holds, with filters, sorting and
    /// pages.
    func myWork(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let person = session.person
        let now = engine.clock.now()
        let q = call.query
        var items = try engine.work(for: person)
        let all = items
        // Filters.
        if let w = q["werkwijze"], !w.isEmpty { items.removeAll { $0.record.workflow != w } }
        if let g = q["gemeente"], !g.isEmpty { items.removeAll { $0.record.details.municipality != g } }
        if let l = q["niveau"], let n = Int(l) { items.removeAll { $0.record.level != n } }
        if let st = q["status"], !st.isEmpty { items.removeAll { $0.record.state != st } }
        if let k = q["soort"], !k.isEmpty { items.removeAll { $0.kind.rawValue != k } }
        let overdueOnly = q["verlopen"] == "1"
        if overdueOnly { items.removeAll { ($0.due.map { $0 >= now }) ?? true } }
        // Sorting: by urgency (the engine's order), by case, or by last change.
        switch q["sorteer"] {
        case "casus": items.sort { ($0.record.id, $0.kind.rawValue) < ($1.record.id, $1.kind.rawValue) }
        case "bijgewerkt": items.sort { $0.record.updatedAt > $1.record.updatedAt }
        default: break
        }
        let pages = max(1, (items.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(max(1, Int(q["pagina"] ?? "") ?? 1), pages)
        let shown = Array(items.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize))
        call.touched = shown.map { ($0.record.id, $0.record.clientKey) }
        call.detail = "\(shown.count) of \(items.count) items"

        let rows: [[Markup]] = shown.map { item in
            let r = item.record
            return [
                caseLink(r),
                WebPage.badge(Self.kindLabel(item.kind), "info") + Markup(" ") + .text(item.task),
                deadlineCell(item.due, label: item.dueLabel, now: now),
                .text(municipalityName(r)),
                .text(levelText(r.level)),
                .text(stateLabel(r)),
            ]
        }
        let overdue = all.filter { ($0.due.map { $0 < now }) ?? false }.count
        let summary =
            "\(all.count) \(all.count == 1 ? "taak" : "taken") voor \(organisationName(person.partner))"
            + (overdue > 0 ? ", waarvan \(overdue) met een verlopen termijn" : "")
        var body = WebPage.paragraph("Welkom, \(person.name). \(summary).")
        if person.roles == [.functioneelBeheer] {
            body = body + WebPage.paragraph("U beheert Regie; uw werk staat onder Beheer.")
        }
        body = body + workFilters(q, items: all, overdueOnly: overdueOnly)
        body =
            body
            + WebPage.table(
                caption: "Werk, meest dringend eerst" + (pages > 1 ? " (pagina \(page) van \(pages))" : ""),
                headers: ["Casus", "Wat moet er gebeuren", "Termijn", "Gemeente", "Niveau", "Status"], rows: rows,
                empty: overdueOnly || q.keys.contains(where: { $0 != "pagina" && $0 != "sorteer" })
                    ? "Geen werk dat aan deze filters voldoet." : "Er is nu niets dat uw organisatie moet doen.")
            + WebPage.pagination(page: page, pages: pages) { n in self.link("/", q, page: n) }
        return self.page(200, "Mijn werk", body, session: session, current: "/")
    }

    /// The filter form of Mijn werk: its choices are taken from the person's own work.
    private func workFilters(_ q: [String: String], items: [Engine.WorkItem], overdueOnly: Bool) -> Markup {
        func options(_ values: [(String, String)], all: String) -> [(value: String, label: String)] {
            [("", all)] + values.map { (value: $0.0, label: $0.1) }
        }
        let workflows = Set(items.map(\.record.workflow)).sorted().map { ($0, workflowTitle($0)) }
        let municipalities = Set(items.compactMap(\.record.details.municipality)).sorted().map {
            ($0, organisationName($0))
        }
        let states = Set(items.map(\.record.state)).sorted().map { ($0, $0) }
        let fields =
            WebPage.select(
                name: "soort", label: "Soort werk",
                options: options(Engine.WorkItem.Kind.allCases.map { ($0.rawValue, Self.kindLabel($0)) }, all: "Alles"),
                selected: q["soort"])
            + WebPage.select(
                name: "werkwijze", label: "Werkwijze", options: options(workflows, all: "Alle werkwijzen"),
                selected: q["werkwijze"])
            + WebPage.select(
                name: "gemeente", label: "Gemeente", options: options(municipalities, all: "Alle gemeenten"),
                selected: q["gemeente"])
            + WebPage.select(
                name: "niveau", label: "Niveau",
                options: options((0...3).map { (String($0), levelText($0)) }, all: "Alle niveaus"),
                selected: q["niveau"])
            + WebPage.select(
                name: "status", label: "Status", options: options(states, all: "Alle statussen"), selected: q["status"])
            + WebPage.select(
                name: "sorteer", label: "Sorteren op",
                options: [("", "Urgentie"), ("casus", "Casus"), ("bijgewerkt", "Laatst bijgewerkt")],
                selected: q["sorteer"])
        return Markup(
            """
            <form class="regie-filters" method="get" action="/">
            <fieldset><legend>Filteren en sorteren</legend>
            \(fields.html)
            <div class="utrecht-form-field utrecht-form-field--checkbox">
            <input type="checkbox" id="verlopen" name="verlopen" value="1"\(overdueOnly ? " checked" : "")>
            <label class="utrecht-form-label" for="verlopen">Alleen verlopen termijnen</label></div>
            <button class="utrecht-button utrecht-button--secondary" type="submit">Toon</button>
            </fieldset></form>
            """)
    }

    /// Escalaties: the ladder as sections, the counts per level and municipality, and the level-1 queue that is
    /// coming. For the owners of levels (procesregisseur, ketenregisseur, bestuurlijk).
    func escalations(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let person = session.person
        let mandates = person.roles.intersection([.procesregisseur, .ketenregisseur, .bestuurlijk])
        guard !mandates.isEmpty else { return notFound(session: session) }
        call.role = mandates.sorted().last
        let now = engine.clock.now()
        let board = try engine.escalationBoard(for: person.partner)
        let coming = person.roles.contains(.procesregisseur) ? try engine.comingEscalations(for: person.partner) : []
        let q = call.query
        // One level in full, paged (`?niveau=2&pagina=3`), or every level's most urgent cases.
        let onlyLevel = q["niveau"].flatMap(Int.init)
        let page = max(1, Int(q["pagina"] ?? "") ?? 1)
        var shown: [Engine.BoardItem] = []

        // Counts per level and municipality.
        let municipalities = Set(board.map { $0.record.details.municipality ?? "" }).sorted()
        let levels = (1...3).filter { engine.config.level($0) != nil }
        let countRows: [[Markup]] = municipalities.map { m in
            [.text(m.isEmpty ? "Onbekend" : organisationName(m))]
                + levels.map { l in
                    .text(
                        String(
                            board.filter { $0.record.level == l && ($0.record.details.municipality ?? "") == m }.count))
                }
        }
        var body = WebPage.paragraph(
            "Casussen die op een niveau staan dat \(organisationName(person.partner)) bezit, vroegste termijn eerst.")
        body =
            body
            + WebPage.table(
                caption: "Aantal per niveau en gemeente", headers: ["Gemeente"] + levels.map { levelText($0) },
                rows: countRows, empty: "Er staan geen casussen op uw niveaus.")
        for level in levels where onlyLevel == nil || onlyLevel == level {
            let here = board.filter { $0.record.level == level }
            let pages = max(1, (here.count + Self.pageSize - 1) / Self.pageSize)
            let current = onlyLevel == nil ? 1 : min(page, pages)
            let slice = Array(here.dropFirst((current - 1) * Self.pageSize).prefix(Self.pageSize))
            shown += slice
            var section =
                Markup(
                    "<section aria-labelledby=\"niveau-\(level)\"><h2 id=\"niveau-\(level)\">\(levelText(level).htmlEscaped) (\(here.count))</h2>"
                )
                + boardTable(
                    slice,
                    caption: "Op \(levelText(level))" + (pages > 1 ? ", \(slice.count) van \(here.count)" : ""),
                    now: now)
            if onlyLevel == nil && here.count > slice.count {
                section =
                    section
                    + Markup(
                        "<p><a href=\"/escalaties?niveau=\(level)\">Alle \(here.count) casussen op \(levelText(level).htmlEscaped)</a></p>"
                    )
            } else if onlyLevel != nil {
                section =
                    section
                    + WebPage.pagination(page: current, pages: pages) { n in
                        "/escalaties?niveau=\(level)&pagina=\(n)"
                    }
            }
            body = body + section + Markup("</section>")
        }
        if person.roles.contains(.procesregisseur) && onlyLevel == nil {
            let slice = Array(coming.prefix(Self.pageSize))
            shown += slice
            body =
                body
                + Markup(
                    "<section aria-labelledby=\"komend\"><h2 id=\"komend\">Komt eraan: vastgelopen op niveau 0 (\(coming.count))</h2>"
                )
                + WebPage.paragraph(
                    "Deze casussen lopen vast bij de regiehouder; schaalt die op, dan komen ze bij u op niveau 1.")
                + boardTable(slice, caption: "Vastgelopen casussen in uw gemeente(n), vroegste termijn eerst", now: now)
                + Markup("</section>")
        }
        call.touched = shown.map { ($0.record.id, $0.record.clientKey) }
        call.detail = "\(shown.count) of \(board.count + coming.count) cases"
        return self.page(200, "Escalaties", body, session: session, current: "/escalaties")
    }

    private func boardTable(_ items: [Engine.BoardItem], caption: String, now: Instant) -> Markup {
        WebPage.table(
            caption: caption, headers: ["Casus", "Vraag", "Sinds", "Termijn", "Wie moet handelen"],
            rows: items.map { item in
                let r = item.record
                let question =
                    r.details.escalation.map { e in e.asked["vraag"] ?? e.reason }
                    ?? (r.level == 0 ? "Vastgelopen" : "")
                let since = r.level > 0 ? r.details.levelSince : r.lastActivityAt
                return [
                    caseLink(r), .text(question),
                    .text(since.map { engine.config.calendar.dutchDeadlineText($0, now: now) } ?? "onbekend"),
                    deadlineCell(item.due, label: nil, now: now),
                    .text(item.owners.map(organisationName).joined(separator: ", ")),
                ]
            }, empty: "Geen casussen.")
    }

    // MARK: Shared pieces of the pages

    func caseLink(_ r: CaseRecord) -> Markup {
        Markup(
            "<a href=\"/casus/\(r.id.percentEncoded)\">\(r.id.htmlEscaped)</a><br><span class=\"regie-muted\">\(workflowTitle(r.workflow).htmlEscaped)</span>"
        )
    }

    func deadlineCell(_ due: Instant?, label: String?, now: Instant) -> Markup {
        guard let due else { return .text("geen") }
        let reading = engine.config.calendar.reading(of: due, now: now)
        return WebPage.deadline(reading)
            + (label.map { Markup("<br><span class=\"regie-muted\">\($0.htmlEscaped)</span>") } ?? Markup(""))
    }

    func organisationName(_ id: String) -> String { engine.config.partner(id)?.name ?? id }

    func municipalityName(_ r: CaseRecord) -> String {
        r.details.municipality.map(organisationName) ?? "–"
    }

    func workflowTitle(_ name: String) -> String {
        guard let w = engine.catalog.workflows[name] else { return name }
        return w.title.split(separator: ":").first.map(String.init) ?? w.title
    }

    func levelText(_ level: Int) -> String {
        "Niveau \(level)" + (engine.config.level(level).map { " · \($0.name)" } ?? "")
    }

    func stateLabel(_ r: CaseRecord) -> String {
        r.state + (r.suspended ? " (opgeschort)" : "") + (r.closedAt != nil ? " (gesloten)" : "")
    }

    static func kindLabel(_ kind: Engine.WorkItem.Kind) -> String {
        switch kind {
        case .escalation: "Escalatie"
        case .handover: "Overdracht"
        case .opdracht: "Opdracht"
        case .regie: "Regie"
        }
    }

    /// The address of a list page with the same query and another page number.
    func link(_ path: String, _ query: [String: String], page: Int) -> String {
        let others = query.filter { $0.key != "pagina" }.sorted { $0.key < $1.key }
            .map { "\($0.key.percentEncoded)=\($0.value.percentEncoded)" }
        return path + "?" + (others + ["pagina=\(page)"]).joined(separator: "&")
    }
}
