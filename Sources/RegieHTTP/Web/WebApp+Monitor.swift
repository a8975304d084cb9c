internal import RegieCore
internal import RegieEngine

/// The Monitor: in-, through- and outflow for the region and its councils, as charts with their tables, and as CSV.
extension WebApp {
    static let monitorRoutes: [WebRoute] = [
        WebRoute("GET", "/monitor") { web, call throws(EngineError) in try web.signedIn(&call, web.monitorPage) },
        WebRoute("GET", "/monitor.csv") { web, call throws(EngineError) in try web.signedIn(&call, web.monitorCSV) },
    ]

    /// The report the query asks for, or the problems with it; nil when the person may not run reports.
    private func monitorReport(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> Result<
        MonitorReport, MonitorRequest.ParameterError
    >? {
        guard engine.mayReport(session.person.partner) else { return nil }
        call.action = "report"
        call.role = session.person.roles.sorted().last
        let query = call.query.filter { MonitorRequest.parameters.contains($0.key) }
        let request: MonitorRequest
        do {
            request = try engine.monitorRequest(query: query)
        } catch {
            call.detail = "refused: \(error.parameter)"
            return .failure(error)
        }
        call.detail = request.summary
        return .success(try engine.monitorReport(request))
    }

    /// The CSV download of what the page shows.
    func monitorCSV(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard case .success(let report)? = try monitorReport(&call, session) else { return notFound(session: session) }
        var response = HTTPResponse(
            status: 200,
            headers: HTTPHeaders([
                ("Content-Type", "text/csv; charset=utf-8"),
                (
                    "Content-Disposition",
                    "attachment; filename=\"regie-monitor-\(MonitorMonth.text(report.request.from))-\(MonitorMonth.text(report.request.to)).csv\""
                ),
            ]),
            body: Array(report.csv.utf8))
        Self.secure(&response.headers)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// The Monitor page: the filters, then per workflow a line of in- and outflow, bars of the levels reached and
    /// of the outcomes, each with its table, then every figure and lead time as a table.
    func monitorPage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard let result = try monitorReport(&call, session) else { return notFound(session: session) }
        let q = call.query
        let report: MonitorReport
        switch result {
        case .success(let r): report = r
        case .failure(let error):
            let body =
                WebPage.alert("error", "\(Self.parameterLabels[error.parameter] ?? error.parameter): \(error.reason)")
                + monitorFilters(q, municipalities: municipalities, workflows: Array(engine.catalog.workflows.keys))
            return page(400, "Monitor", body, session: session, current: "/monitor")
        }
        let t = report.request.threshold
        var body = WebPage.paragraph(
            "Wat er in de regio gebeurt, per \(report.request.by == .month ? "maand" : "kwartaal"): instroom, doorstroom en uitstroom, escalaties en doorlooptijden. Alleen aantallen, nooit een casus of een persoon."
        )
        body =
            body
            + Markup(
                "<p class=\"regie-legend\"><strong>&lt; \(t)</strong>: minder dan \(t) (maar niet 0). <strong>x</strong>: afgeschermd, zodat een klein aantal niet uit de andere getallen terug te rekenen is. Een regiototaal is x als het deel van een gemeente afgeschermd is.</p>"
            )
        if let since = try engine.monitorSince() {
            body = body + WebPage.alert("info", "De monitor telt vanaf \(engine.config.calendar.localText(since)).")
        }
        body = body + monitorFilters(q, municipalities: municipalities, workflows: Array(engine.catalog.workflows.keys))
        let download =
            "/monitor.csv?"
            + q.filter { MonitorRequest.parameters.contains($0.key) }.sorted { $0.key < $1.key }
            .map { "\($0.key.percentEncoded)=\($0.value.percentEncoded)" }.joined(separator: "&")
        body =
            body
            + Markup(
                "<p><a class=\"utrecht-button utrecht-button--secondary regie-button-link\" href=\"\(download.htmlEscaped)\" download>Download als CSV</a></p>"
            )
        if report.sections.isEmpty { body = body + WebPage.paragraph("Geen gegevens in deze periode.") }
        for (n, section) in report.sections.enumerated() {
            body = body + monitorSection(section, report: report, index: n)
        }
        return page(200, "Monitor", body, session: session, current: "/monitor")
    }

    private var municipalities: [String] {
        engine.config.partners.filter { $0.kind == "gemeente" }.map(\.id).sorted()
    }

    static let parameterLabels = [
        "from": "Van", "to": "Tot en met", "by": "Per", "gemeente": "Gemeente", "workflow": "Werkwijze",
    ]

    private func monitorSection(_ s: MonitorReport.Section, report: MonitorReport, index: Int) -> Markup {
        let t = report.request.threshold
        let id = "w\(index)"
        var out = Markup(
            "<section aria-labelledby=\"\(id)\"><h2 id=\"\(id)\">\(workflowTitle(s.workflow).htmlEscaped)</h2>")
        func table(_ figure: MonitorFigure) -> MonitorReport.Table? { s.tables.first { $0.figure == figure } }
        // The flows over time.
        let flows = [(MonitorFigure.instroomBron, "Instroom"), (.uitstroomUitkomst, "Uitstroom")].compactMap {
            figure, name -> (name: String, cells: [MonitorReport.Cell])? in
            table(figure).map { (name, $0.rows.map(\.total)) }
        }
        if !flows.isEmpty {
            out =
                out
                + MonitorChart.line(
                    id: "\(id)-flow", title: "Instroom en uitstroom van \(workflowTitle(s.workflow))",
                    periods: report.periods, series: flows.map { ($0.name, $0.cells.map(\.value)) })
                + WebPage.table(
                    caption: "Instroom en uitstroom (de getallen van de grafiek)",
                    headers: ["Periode"] + flows.map(\.name),
                    rows: report.periods.enumerated().map { i, p in
                        [.text(p)] + flows.map { .text($0.cells[i].text(threshold: t)) }
                    }, empty: "")
        }
        // Bars: the levels reached and the outcomes, over the whole range.
        for (figure, title, chart) in [
            (MonitorFigure.opschaling, "Escalaties: niveau bereikt", "niveaus"),
            (.uitstroomUitkomst, "Uitstroom naar uitkomst", "uitkomsten"),
        ] {
            guard let tb = table(figure) else { continue }
            let items = zip(tb.categories, tb.total.cells).map { (label: $0.0, value: $0.1.value) }
            out =
                out
                + MonitorChart.bars(
                    id: "\(id)-\(chart)",
                    title:
                        "\(title), \(MonitorMonth.text(report.request.from)) t/m \(MonitorMonth.text(report.request.to))",
                    items: items, hidden: "x")
                + WebPage.table(
                    caption: "\(title) (de getallen van de grafiek)", headers: ["Categorie", "Aantal"],
                    rows: zip(tb.categories, tb.total.cells).map { [.text($0.0), .text($0.1.text(threshold: t))] },
                    empty: "")
        }
        out = out + Markup("<h3>Alle cijfers</h3>")
        for tb in s.tables {
            out =
                out
                + WebPage.table(
                    caption: tb.figure.title, headers: ["Periode"] + tb.categories + ["Totaal"],
                    rows: (tb.rows + [tb.total]).map { r in
                        [.text(r.label)] + (r.cells + [r.total]).map { .text($0.text(threshold: t)) }
                    }, empty: "")
        }
        for d in s.durations {
            out =
                out
                + WebPage.table(
                    caption: "\(d.duration.title), in werkdagen", headers: ["Periode", "Mediaan", "90e percentiel"],
                    rows: (d.rows + [d.total]).map { r in
                        [
                            .text(r.label), .text(r.median.map(String.init) ?? "< \(t) casussen"),
                            .text(r.p90.map(String.init) ?? "< \(t) casussen"),
                        ]
                    }, empty: "")
        }
        return out + Markup("</section>")
    }

    private func monitorFilters(_ q: [String: String], municipalities: [String], workflows: [String]) -> Markup {
        func month(_ name: String, _ label: String, _ hint: String) -> String {
            """
            <div class="utrecht-form-field"><label class="utrecht-form-label" for="\(name)">\(label)</label>\
            <div class="utrecht-form-field-description" id="\(name)-hint">\(hint)</div>\
            <input class="utrecht-textbox" type="month" id="\(name)" name="\(name)" value="\((q[name] ?? "").htmlEscaped)" aria-describedby="\(name)-hint" pattern="[0-9]{4}-[0-9]{2}" placeholder="2026-01"></div>
            """
        }
        let fields =
            Markup(month("from", "Van", "maand, JJJJ-MM") + month("to", "Tot en met", "maand, JJJJ-MM"))
            + WebPage.select(
                name: "by", label: "Per", options: [("month", "Maand"), ("quarter", "Kwartaal")], selected: q["by"])
            + WebPage.select(
                name: "gemeente", label: "Gemeente",
                options: [("", "De hele regio")] + municipalities.map { (value: $0, label: organisationName($0)) },
                selected: q["gemeente"])
            + WebPage.select(
                name: "workflow", label: "Werkwijze",
                options: [("", "Alle werkwijzen")] + workflows.sorted().map { (value: $0, label: workflowTitle($0)) },
                selected: q["workflow"])
        return Markup(
            """
            <form class="regie-filters" method="get" action="/monitor">
            <fieldset><legend>Periode en selectie</legend>
            \(fields.html)
            <button class="utrecht-button utrecht-button--secondary" type="submit">Toon</button>
            </fieldset></form>
            """)
    }
}
