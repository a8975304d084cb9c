internal import Foundation
internal import RegieCore
internal import RegieEngine

/// The case page: what the person's organisation may see of a case (the same representation the partner API gives
/// it), and the actions the person may take now, as forms generated from the workflow.
extension WebApp {
    static let caseRoutes: [WebRoute] = [
        // Before `/casus/{caseId}`, which would match it too.
        WebRoute("GET", "/casus/nieuw") { web, call throws(EngineError) in try web.signedIn(&call, web.newCasePage) },
        WebRoute("POST", "/casus/nieuw") { web, call throws(EngineError) in
            try web.signedInForm(&call, web.openCase)
        },
        WebRoute("GET", "/opzoeken") { web, call throws(EngineError) in try web.signedIn(&call, web.lookupPage) },
        WebRoute("POST", "/opzoeken") { web, call throws(EngineError) in try web.signedInForm(&call, web.lookUp) },
        WebRoute("GET", "/casus/{caseId}") { web, call throws(EngineError) in
            try web.signedIn(&call) { call, session throws(EngineError) in try web.casePage(&call, session) }
        },
        WebRoute("POST", "/casus/{caseId}/actie") { web, call throws(EngineError) in
            try web.signedInForm(&call, web.act)
        },
    ]

    /// The case in the path and what the person's organisation may see of it; nil when it may not (then the page is
    /// the 404 an unknown case gets).
    func visibleCase(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> (
        CaseRecord, CaseAccess
    )? {
        let id = call.params["caseId"] ?? ""
        let record: CaseRecord
        do { record = try engine.show(id) } catch .notFound { return nil }
        call.touched = [(record.id, record.clientKey)]
        guard let access = engine.access(to: record, for: session.person.partner) else {
            call.detail = "not visible to \(session.person.partner)"
            return nil
        }
        return (record, access)
    }

    /// A refused action, shown beside its form.
    struct ActionError {
        let event: String
        let message: String
        let field: String?
        let values: [String: String]
    }

    func casePage(_ call: inout WebCall, _ session: Engine.WebSession, error: ActionError? = nil)
        throws(EngineError) -> HTTPResponse
    {
        guard let (record, access) = try visibleCase(&call, session) else { return notFound(session: session) }
        let r = record
        // The person's role the case is read in: the first of the organisation's roles in it the person holds.
        call.role =
            call.role
            ?? access.roles.lazy.compactMap { role in
                PersonRole.allCases.first { $0.allows(role) && session.person.roles.contains($0) }
            }.first
        let partner = session.person.partner
        let now = engine.clock.now()
        let calendar = engine.config.calendar
        let machine = try engine.stateMachine(for: r)
        let workflow = machine.workflow
        let events = try engine.timeline(r.id)
        let outbox = access.view == .outcome ? try engine.notified(of: r.id) : []
        let json = CaseRepresentation.caseJSON(
            r, access: access, engine: engine, outbox: outbox, events: events, partner: partner)

        let trail = WebPage.breadcrumb([("/", "Mijn werk"), ("/casus/\(r.id.percentEncoded)", "Casus \(r.id)")])
        var body = Markup("")
        // Only an event of this case's workflow is confirmed: a link cannot make the page say anything else.
        if let done = call.query["gedaan"],
            workflow.eventNames.contains(done) || StateMachine.builtInEvents[done] != nil || done == "geopend"
        {
            body = body + WebPage.alert("ok", "‘\(done)’ is vastgelegd.")
        }
        if let error {
            body =
                body
                + WebPage.errorSummary([
                    (
                        field: error.field.map { "\(error.event)-\(Self.formName(ofField: $0))" }
                            ?? "actie-\(error.event)",
                        message: "Regie weigert ‘\(error.event)’: \(error.message)"
                    )
                ])
        }
        // The header.
        var facts: [(String, Markup)] = [
            ("Werkwijze", .text("\(workflowTitle(r.workflow)) (versie \(r.version))")),
            ("Uw rollen", .text(access.roles.map(\.rawValue).joined(separator: ", "))),
        ]
        if access.view == .outcome {
            facts.append(("Status", .text(json["status"]?.stringValue ?? "")))
            facts.append(("Geopend", .text(calendar.dutchDeadlineText(r.openedAt, now: now))))
            body = body + WebPage.facts(facts)
            let told = json["outcomes"]?.arrayValue ?? []
            body =
                body + Markup("<h2>Wat u is verteld</h2>")
                + WebPage.table(
                    caption: "Uitkomsten", headers: ["Wanneer", "Gebeurtenis", "Uitkomst"],
                    rows: told.map { o in
                        [
                            .text(timeText(o["at"]?.stringValue, now: now)), .text(o["event"]?.stringValue ?? ""),
                            .text(o["uitkomst"]?.stringValue ?? "–"),
                        ]
                    }, empty: "Nog niets.")
            return page(200, "Casus \(r.id)", body, session: session, breadcrumb: trail)
        }
        facts.insert(("Status", WebPage.badge(stateLabel(r), r.closedAt == nil ? "info" : "ok")), at: 1)
        facts.insert(("Niveau", .text(levelText(r.level))), at: 2)
        if r.details.shield == nil || access.takesPart {
            let holder = json["regie"]
            facts.insert(
                (
                    "Regiehouder",
                    .text(
                        (holder?["name"]?.stringValue ?? r.regie.partner)
                            + (holder?["contact"]?.stringValue.map { " · contactpersoon: \($0)" } ?? ""))
                ), at: 3)
        }
        if json["municipality"] != nil {
            facts.append(("Verantwoordelijke gemeente", .text(municipalityName(r))))
        }
        facts.append(("Afgeschermd", .text(r.details.shield == nil ? "nee" : "ja")))
        facts.append(("Geopend", .text(calendar.dutchDeadlineText(r.openedAt, now: now))))
        body = body + WebPage.facts(facts)
        body =
            body
            + WebPage.steps(
                workflow.states.map { ($0.name, $0.name) }, current: r.state, closed: r.closedAt != nil)

        if json["deadlines"] != nil {
            let deadlines = r.timers.filter { $0.kind == .deadline }.sorted { $0.dueAt < $1.dueAt }
            body =
                body + Markup("<h2>Lopende termijnen</h2>")
                + WebPage.table(
                    caption: "Termijnen, eerstvolgende eerst", headers: ["Termijn", "Loopt af", "Wettelijk", "Van"],
                    rows: deadlines.map { t in
                        let info = machine.info(t)
                        return [
                            .text(info.label),
                            t.paused
                                ? WebPage.badge("gepauzeerd", "info") : deadlineCell(t.dueAt, label: nil, now: now),
                            .text(info.statutory ? "ja" + (info.legalBasis.map { " (\($0))" } ?? "") : "nee"),
                            .text(info.ownerLevel == 0 ? "regiehouder" : levelText(info.ownerLevel)),
                        ]
                    }, empty: "Er lopen geen termijnen.")
        }
        if let partners = json["partners"]?.arrayValue {
            body =
                body + Markup("<h2>Partners</h2>")
                + WebPage.table(
                    caption: "Partners in deze casus", headers: ["Organisatie", "Rol"],
                    rows: partners.map { p in
                        [.text(organisationName(p["partner"]?.stringValue ?? "")), .text(p["role"]?.stringValue ?? "")]
                    }, empty: "Geen.")
        }
        if let e = r.details.escalation, json["escalation"] != nil, r.level > 0 {
            var lines: [(String, Markup)] = [("Reden", .text(e.reason))]
            for (k, v) in e.asked.sorted(by: { $0.key < $1.key }) { lines.append((k, .text(v))) }
            if r.details.shield == nil || access.takesPart { lines.append(("Door", .text(organisationName(e.by)))) }
            lines.append(("Sinds", .text(calendar.dutchDeadlineText(e.at, now: now))))
            body = body + Markup("<h2>Escalatie</h2>") + WebPage.facts(lines)
        }
        if let h = r.details.handover, json["handover"] != nil {
            body =
                body + Markup("<h2>Overdracht</h2>")
                + WebPage.facts([
                    ("Van", .text(organisationName(h.from))), ("Naar", .text(organisationName(h.to))),
                    ("Stand", .text(h.stage)), ("Aangeboden", .text(calendar.dutchDeadlineText(h.offeredAt, now: now))),
                ])
        }
        let shownOpdrachten = Set((json["opdrachten"]?.arrayValue ?? []).compactMap { $0["partner"]?.stringValue })
        let opdrachten = r.details.opdrachten.filter { shownOpdrachten.contains($0.partner) }
        if json["opdrachten"] != nil {
            body =
                body + Markup("<h2>Opdrachten</h2>")
                + WebPage.table(
                    caption: "Opdrachten in deze casus", headers: ["Aan", "Opdracht", "Gegeven", "Termijn"],
                    rows: opdrachten.map { o in
                        [
                            .text(organisationName(o.partner)), .text(o.text ?? "–"),
                            .text("door \(organisationName(o.givenBy)) op \(levelText(o.level))"),
                            deadlineCell(r.timers.first { $0.name == o.timer }?.dueAt, label: nil, now: now),
                        ]
                    }, empty: "Geen open opdrachten.")
        }
        body = body + actions(r, access: access, machine: machine, session: session, error: error)
        let shown = CaseRepresentation.eventsJSON(
            events, record: r, access: access, engine: engine, outbox: outbox, partner: partner)
        body =
            body + Markup("<h2>Tijdlijn</h2>")
            + WebPage.table(
                caption: "Wat er gebeurde, nieuwste eerst", headers: ["Wanneer", "Wat", "Wie", "Toelichting"],
                rows: shown.reversed().map { e in timelineRow(e, now: now) }, empty: "Nog niets.")
        return page(error == nil ? 200 : 422, "Casus \(r.id)", body, session: session, breadcrumb: trail)
    }

    /// The name of a form's input for a field the engine names (`fields.uitkomst` is the input `veld-uitkomst`).
    static func formName(ofField field: String) -> String {
        field.hasPrefix("fields.") ? "veld-" + field.dropFirst(7) : field
    }

    private func timeText(_ iso: String?, now: Instant) -> String {
        guard let iso, let at = Instant(iso8601: iso) else { return "" }
        return engine.config.calendar.dutchDeadlineText(at, now: now)
    }

    private func timelineRow(_ e: JSONValue, now: Instant) -> [Markup] {
        var what = e["event"]?.stringValue ?? ""
        let payload = e["payload"] ?? e
        if let from = payload["from"]?.stringValue, let to = payload["to"]?.stringValue, from != to {
            what += " (\(from) → \(to))"
        }
        if let level = payload["level"]?.intValue { what += " · niveau \(level)" }
        var who = "–"
        if e["actor"]?["role"]?.stringValue == Role.systeem.rawValue {
            who = "Regie (vanzelf)"
        } else if let actor = e["actor"] {
            who = organisationName(actor["partner"]?.stringValue ?? "")
            if let person = actor["person"]?.stringValue { who += " (\(person))" }
            if let role = actor["role"]?.stringValue { who += ", \(role)" }
        }
        var notes: [String] = []
        if let m = payload["motivation"]?.stringValue { notes.append("Motivering: \(m)") }
        if let n = payload["note"]?.stringValue { notes.append(n) }
        if let t = payload["target"]?.stringValue { notes.append("Aan: \(organisationName(t))") }
        if case .object(let fields)? = payload["fields"] {
            for m in fields.members { notes.append("\(m.key): \(m.value.stringValue ?? m.value.compactText)") }
        }
        return [
            .text(timeText(e["at"]?.stringValue, now: now)), .text(what), .text(who),
            .text(notes.joined(separator: " · ")),
        ]
    }

    // MARK: Actions

    /// The case roles `person` may act in for `event`: those its organisation holds in the case and the workflow
    /// allows for the event, narrowed to what the person's own roles allow.
    func actingRoles(_ event: String, _ r: CaseRecord, _ access: CaseAccess, _ person: Person) -> [Role] {
        let allowed = engine.roles(allowedFor: event, on: r)
        return access.roles.filter { allowed.contains($0) && person.mayAct(as: $0) }
    }

    private func actions(
        _ r: CaseRecord, access: CaseAccess, machine: StateMachine, session: Engine.WebSession, error: ActionError?
    ) -> Markup {
        let person = session.person
        let events = engine.events(for: access, on: r).filter { !actingRoles($0, r, access, person).isEmpty }
        guard !events.isEmpty else {
            return Markup("<h2>Acties</h2>")
                + WebPage.paragraph(
                    r.closedAt == nil
                        ? "U kunt in deze casus nu niets doen." : "Deze casus is gesloten.")
        }
        var out = Markup("<h2>Acties</h2>")
        out = out + WebPage.paragraph("Wat u nu kunt doen, in de rol die u in deze casus heeft.")
        for event in events {
            out = out + actionForm(event, r, access: access, machine: machine, session: session, error: error)
        }
        return out
    }

    private func actionForm(
        _ event: String, _ r: CaseRecord, access: CaseAccess, machine: StateMachine, session: Engine.WebSession,
        error: ActionError?
    ) -> Markup {
        let t = machine.transition(event, in: r.state)
        let failed = error?.event == event ? error : nil
        let values = failed?.values ?? [:]
        func id(_ name: String) -> String { "\(event)-\(name)" }
        func err(_ name: String) -> String? { failed?.field == name ? failed?.message : nil }
        let roles = actingRoles(event, r, access, session.person)
        // The case as the person saw it: an action decided on an older page is refused, not applied to a case that
        // changed meanwhile.
        var fields = Markup(
            "<input type=\"hidden\" name=\"event\" value=\"\(event.htmlEscaped)\"><input type=\"hidden\" name=\"volgnummer\" value=\"\(r.sequence)\">"
        )
        if roles.count > 1 {
            fields =
                fields
                + WebPage.select(
                    name: id("role"), label: "In de rol van", options: roles.map { ($0.rawValue, $0.rawValue) },
                    selected: values["role"])
        } else {
            fields = fields + Markup("<input type=\"hidden\" name=\"role\" value=\"\(roles[0].rawValue)\">")
        }
        let requires = t?.requires ?? []
        let builtInMotivation: Set<String> = [
            "opschorten", "verlengen", "gemeente-wijzigen", "afschermen", "afscherming-opheffen",
        ]
        let needsTarget = requires.contains(.target) || event == "gemeente-wijzigen"
        if needsTarget {
            let candidates = engine.config.partners.filter {
                event == "gemeente-wijzigen" ? $0.kind == "gemeente" : $0.id != session.person.partner
            }
            fields =
                fields
                + WebPage.select(
                    name: id("target"),
                    label: event == "gemeente-wijzigen" ? "Nieuwe gemeente" : "Aan welke organisatie",
                    options: [("", "Kies een organisatie")] + candidates.map { ($0.id, $0.name) },
                    selected: values["target"], error: err("target"), required: true)
        }
        for f in t?.fields ?? [] {
            fields =
                fields
                + fieldInput(
                    f, name: id("veld-\(f.name)"), label: f.description.isEmpty ? f.name : f.description,
                    value: values["veld-\(f.name)"], error: err("fields.\(f.name)"))
        }
        if event == "verlengen" {
            let own = r.timers.filter { $0.kind == .deadline }
            fields =
                fields
                + WebPage.select(
                    name: id("timer"), label: "Welke termijn",
                    options: [("", "Kies een termijn")] + own.map { ($0.name, machine.info($0).label) },
                    selected: values["timer"], error: err("timer"), required: true)
                + WebPage.field(
                    name: id("days"), label: "Met hoeveel werkdagen", value: values["days"] ?? "", error: err("days"),
                    extra: " inputmode=\"numeric\" required")
        }
        if event == "lid-toevoegen" {
            fields =
                fields
                + WebPage.select(
                    name: id("relation"), label: "Relatie tot de cliënt",
                    options: [("", "Kies")] + ["ouder", "kind", "partner", "huisgenoot"].map { ($0, $0) },
                    selected: values["relation"], error: err("relation"), required: true)
                + WebPage.field(
                    name: id("bsn"), label: "BSN van het gezinslid (niet verplicht)",
                    hint: "Regie bewaart het BSN niet, alleen een pseudoniem.", error: err("bsn"), autocomplete: "off",
                    extra: " inputmode=\"numeric\"")
        }
        if event == "contactpersoon" {
            fields =
                fields
                + WebPage.field(
                    name: id("contact"), label: "Contactpersoon (naam en telefoon)", value: values["contact"] ?? "",
                    error: err("contact"), extra: " required")
        }
        if requires.contains(.motivation) || builtInMotivation.contains(event) || t?.doorzettingsmacht == true {
            fields =
                fields
                + WebPage.textarea(
                    name: id("motivation"), label: "Motivering", value: values["motivation"] ?? "",
                    hint: "Waarom, zodat het later na te lezen is.", error: err("motivation"), required: true)
        }
        fields =
            fields
            + WebPage.textarea(
                name: id("note"), label: requires.contains(.note) ? "Notitie" : "Notitie (niet verplicht)",
                value: values["note"] ?? "", error: err("note"), required: requires.contains(.note))
        let title =
            t.flatMap { $0.description.isEmpty ? nil : $0.description } ?? StateMachine.builtInEvents[event] ?? ""
        let heading = "<span class=\"regie-action-name\">\(event.htmlEscaped)</span>"
        return Markup(
            """
            <details class="regie-action" id="actie-\(event.htmlEscaped)"\(failed == nil ? "" : " open")>
            <summary>\(heading)\(title.isEmpty ? "" : " · " + title.htmlEscaped)</summary>
            """)
            + (failed.map { WebPage.alert("error", "Regie weigert dit: \($0.message)") } ?? Markup(""))
            + WebPage.form(
                action: "/casus/\(r.id.percentEncoded)/actie", csrf: session.csrf, fields,
                submit: "Vastleggen: \(event)")
            + Markup("</details>")
    }

    /// The input for a field a workflow declares: a choice, a basisteam of the region, working days or text, with
    /// "(niet verplicht)" when it may stay empty.
    func fieldInput(
        _ f: FieldDefinition, name: String, label: String, value: String?, error: String?, markOptional: Bool = true
    ) -> Markup {
        let optional = f.required || !markOptional ? "" : " (niet verplicht)"
        switch f.kind {
        case .choice(let choices):
            return WebPage.select(
                name: name, label: label + optional, options: [("", "Kies")] + choices.map { ($0, $0) },
                selected: value, error: error, required: f.required)
        case .basisteam:
            return WebPage.select(
                name: name, label: label + optional,
                options: [("", "Kies")] + engine.config.vso.map { ($0.basisteam, organisationName($0.basisteam)) },
                selected: value, error: error, required: f.required)
        case .workingDays:
            return WebPage.field(
                name: name, label: label + " (werkdagen)" + optional, value: value ?? "", error: error,
                extra: " inputmode=\"numeric\"\(f.required ? " required" : "")")
        case .text:
            return WebPage.textarea(
                name: name, label: label + optional, value: value ?? "", error: error, required: f.required)
        }
    }

    /// What the built-in events do, in Dutch (the engine's own descriptions are for the command line).
    static let builtInDescriptions: [String: String] = [
        "opschorten":
            "De casus opschorten: de termijnen van uw niveau staan stil; wettelijke termijnen en die van hogere niveaus lopen door.",
        "hervatten": "De opschorting opheffen; stilgezette termijnen schuiven op met de werkdagen die ze stillagen.",
        "verlengen":
            "Een termijn verlengen met een aantal werkdagen, als uw niveau hem bezit en hij niet wettelijk is.",
        "contactpersoon": "De regiehouder noemt zijn contactpersoon voor de casus.",
        "gemeente-wijzigen":
            "De verantwoordelijke gemeente wijzigt (bijvoorbeeld na een verhuizing); beide gemeenten horen het.",
        "afschermen":
            "De casus afschermen (huiselijk geweld, opvang, dreiging): buitenstaanders leren niets wat hem noemt.",
        "afscherming-opheffen": "De afscherming opheffen.",
        "lid-toevoegen": "Een gezinslid aan de casus toevoegen.",
    ]

    /// A workflow's description with its command-line words (`--target`) as the form calls those fields.
    static func forPeople(_ text: String) -> String {
        text.replacingOccurrences(of: "--target", with: "‘Aan welke organisatie’")
            .replacingOccurrences(of: "--note", with: "‘Notitie’")
            .replacingOccurrences(of: "--motivation", with: "‘Motivering’")
            .replacingOccurrences(of: "--contact", with: "‘Contactpersoon’")
    }

    /// Fires the action a form posted, as the person, for their organisation, in the role they chose.
    func act(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard let (record, access) = try visibleCase(&call, session) else { return notFound(session: session) }
        let form = call.form
        let event = form["event"] ?? ""
        // The form's fields are named after the event (so that the page's ids stay unique); read them back by name.
        var values: [String: String] = [:]
        for (k, v) in form where k.hasPrefix(event + "-") { values[String(k.dropFirst(event.count + 1))] = v }
        if let role = form["role"] { values["role"] = values["role"] ?? role }
        func given(_ k: String) -> String? {
            guard let v = values[k]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        let roles = actingRoles(event, record, access, session.person)
        guard let role = Role(rawValue: values["role"] ?? ""), roles.contains(role),
            let actor = session.actor(for: role)
        else {
            call.detail = "event \(event): no role of the person allows it"
            return try casePage(
                &call, session,
                error: ActionError(
                    event: event, message: "u heeft in deze casus geen rol die dit mag.", field: nil, values: values))
        }
        call.role = PersonRole.allCases.first { $0.caseRoles.contains(role) && session.person.roles.contains($0) }
        var fields: [String: String] = [:]
        for (k, _) in values where k.hasPrefix("veld-") { fields[String(k.dropFirst(5))] = given(k) }
        fields = fields.filter { !$0.value.isEmpty }
        var days: Int?
        if let d = given("days") {
            guard let n = Int(d), n > 0, n <= 366 else {
                return try casePage(
                    &call, session,
                    error: ActionError(
                        event: event, message: "vul een aantal werkdagen van 1 tot 366 in.", field: "days",
                        values: values))
            }
            days = n
        }
        var command = CaseCommand(
            event: event, actor: actor, note: given("note"), target: given("target"), motivation: given("motivation"),
            timer: given("timer"), days: days, expectedSequence: form["volgnummer"].flatMap { Int($0) }, fields: fields,
            contact: given("contact"))
        command.relation = given("relation")
        if let bsn = given("bsn") {
            do { command.clientKey = try engine.clientKey(bsn: bsn) } catch .refused(let r) {
                return try casePage(
                    &call, session,
                    error: ActionError(event: event, message: r.message, field: "bsn", values: values))
            }
        }
        let audit = session.auditEntry(
            at: engine.clock.now(), action: "write", resource: "POST /casus/{caseId}/actie", role: call.role,
            caseId: record.id, clientKey: record.clientKey, detail: "event \(event)", address: call.context.address)
        do {
            _ = try engine.fire(record.id, command, audit: audit)
        } catch .refused(let refusal) {
            call.detail = "event \(event): \(refusal.reason.rawValue)"
            let message =
                refusal.reason == .staleSequence
                ? "de casus is veranderd sinds u de pagina opende. Hieronder staat de nieuwe stand; kijk of uw actie nog nodig is."
                : refusal.message
            return try casePage(
                &call, session,
                error: ActionError(event: event, message: message, field: refusal.field, values: values))
        } catch .invalid(let message) {
            call.detail = "event \(event): invalid"
            return try casePage(
                &call, session, error: ActionError(event: event, message: message, field: nil, values: values))
        }
        call.audited = true
        return redirect("/casus/\(record.id.percentEncoded)?gedaan=\(event.percentEncoded)")
    }
}
