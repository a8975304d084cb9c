internal import Foundation
internal import RegieCore
internal import RegieEngine

/// Nieuwe casus and Is deze persoon bekend?: opening a case, and the lookup with its purpose.
extension WebApp {
    /// Step 1 chooses the workflow (a form that asks the page again, so that it works without script); step 2
    /// (`?werkwijze=…`) asks what that workflow needs to open a case.
    func newCasePage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        if let chosen = call.query["werkwijze"], engine.catalog.workflows[chosen] != nil {
            return try newCaseForm(&call, session, errors: [], values: ["werkwijze": chosen], status: 200)
        }
        let workflows = engine.catalog.workflows.values.sorted { $0.name < $1.name }
        let list = workflows.map { w in
            "<li><strong>\(workflowTitle(w.name).htmlEscaped)</strong>: \(w.description.htmlEscaped)</li>"
        }
        let body =
            WebPage.paragraph(
                "Kies eerst de werkwijze: die bepaalt de stappen, de termijnen en wat er bij het openen nodig is.")
            + Markup(
                """
                <form method="get" action="/casus/nieuw">
                \(WebPage.select(
                    name: "werkwijze", label: "Werkwijze",
                    options: workflows.map { ($0.name, workflowTitle($0.name)) }, required: true).html)
                <button class="utrecht-button utrecht-button--primary" type="submit">Verder</button>
                </form>
                <h2>De werkwijzen</h2><ul class="regie-workflows">\(list.joined())</ul>
                """)
        return page(200, "Nieuwe casus", body, session: session, current: "/casus/nieuw")
    }

    private func newCaseForm(
        _ call: inout WebCall, _ session: Engine.WebSession, errors: [(field: String, message: String)],
        values: [String: String], status: Int
    ) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        func err(_ f: String) -> String? { errors.first { $0.field == f }?.message }
        guard let chosen = values["werkwijze"].flatMap({ engine.catalog.workflows[$0] }) else {
            return redirect("/casus/nieuw")
        }
        var fields = Markup(
            """
            <input type="hidden" name="werkwijze" value="\(chosen.name.htmlEscaped)">
            <p>Werkwijze: <strong>\(workflowTitle(chosen.name).htmlEscaped)</strong> \
            (<a href="/casus/nieuw">een andere kiezen</a>)</p>
            """)
        fields =
            fields
            + WebPage.select(
                name: "regie", label: "Wie heeft regie",
                options: [(session.person.partner, organisationName(session.person.partner) + " (uw organisatie)")]
                    + engine.config.partners.filter { $0.id != session.person.partner }.map { ($0.id, $0.name) },
                selected: values["regie"], hint: "Kiest u een andere organisatie, dan meldt u de casus daar aan.",
                error: err("regie"))
            + WebPage.select(
                name: "gemeente", label: "Verantwoordelijke gemeente",
                options: [("", "Nog onbekend")]
                    + engine.config.partners.filter { $0.kind == "gemeente" }.map { ($0.id, $0.name) },
                selected: values["gemeente"], error: err("gemeente"))
            + WebPage.field(
                name: "bsn", label: "BSN van de cliënt (niet verplicht)", value: "",
                hint: "Regie bewaart het BSN niet: alleen een pseudoniem, om dezelfde persoon te herkennen.",
                error: err("bsn"), autocomplete: "off", extra: " inputmode=\"numeric\"")
            + WebPage.field(
                name: "contact", label: "Contactpersoon (niet verplicht)", value: values["contact"] ?? "",
                error: err("contact"))
        for f in chosen.opening.fields {
            let name = "veld-\(chosen.name)-\(f.name)"
            fields =
                fields
                + fieldInput(
                    f, name: name, label: f.description.isEmpty ? f.name : f.description, value: values[name],
                    error: err(name))
        }
        let body =
            WebPage.errorSummary(errors)
            + WebPage.paragraph("U legt vast wie regie heeft; de werkwijze zet de eerste termijnen.")
            + WebPage.form(action: "/casus/nieuw", csrf: session.csrf, fields, submit: "Casus openen")
        return page(status, "Nieuwe casus", body, session: session, current: "/casus/nieuw")
    }

    func openCase(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        let form = call.form
        func given(_ k: String) -> String? {
            guard let v = form[k]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        var values = form
        values["bsn"] = nil
        guard let workflow = given("werkwijze"), engine.catalog.workflows[workflow] != nil else {
            return try newCaseForm(
                &call, session, errors: [("werkwijze", "Kies een werkwijze.")], values: values, status: 400)
        }
        let regie = given("regie") ?? session.person.partner
        let role: Role = regie == session.person.partner ? .regiehouder : .melder
        guard let actor = session.actor(for: role) else { return notFound(session: session) }
        call.role = .casusregisseur
        var fields: [String: String] = [:]
        let prefix = "veld-\(workflow)-"
        for (k, _) in form where k.hasPrefix(prefix) { fields[String(k.dropFirst(prefix.count))] = given(k) }
        let request = Engine.OpenRequest(
            workflow: workflow, regie: regie, contact: given("contact"), bsn: given("bsn"), actor: actor,
            fields: fields.compactMapValues { $0 }, municipality: given("gemeente"))
        let audit = session.auditEntry(
            at: engine.clock.now(), action: "write", resource: "POST /casus/nieuw", role: .casusregisseur,
            detail: "open \(workflow)", address: call.context.address)
        let outcome: Engine.Outcome
        do {
            outcome = try engine.open(request, audit: audit)
        } catch .refused(let r) {
            let field = r.field.map { $0.hasPrefix("fields.") ? prefix + $0.dropFirst(7) : $0 } ?? "regie"
            return try newCaseForm(
                &call, session, errors: [(field, "Regie weigert dit: \(r.message)")], values: values, status: 422)
        } catch .invalid(let m) {
            let field = m.contains("BSN") ? "bsn" : "regie"
            return try newCaseForm(&call, session, errors: [(field, m)], values: values, status: 400)
        }
        call.audited = true
        guard let id = outcome.record?.id else { return redirect("/") }
        // A case opened at another organisation may not be visible to the melder beyond its outcome: its page says so.
        return redirect("/casus/\(id.percentEncoded)?gedaan=geopend")
    }

    func lookupPage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        try lookupForm(session, answer: nil, error: nil, purpose: nil, status: 200)
    }

    private func lookupForm(
        _ session: Engine.WebSession, answer: Markup?, error: (field: String, message: String)?, purpose: String?,
        status: Int
    ) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        let purposes = engine.config.lookupPurposes
        let purposeField =
            purposes.isEmpty
            ? WebPage.field(
                name: "doel", label: "Doel", value: purpose ?? "",
                hint: "Waarom u dit wilt weten; het wordt vastgelegd.",
                error: error?.field == "doel" ? error?.message : nil)
            : WebPage.select(
                name: "doel", label: "Doel", options: [("", "Kies het doel")] + purposes.map { ($0, $0) },
                selected: purpose,
                hint: "Waarom u dit wilt weten. Het doel wordt vastgelegd en de regiehouder ziet wie vroeg en waarom.",
                error: error?.field == "doel" ? error?.message : nil, required: true)
        let body =
            WebPage.errorSummary(error.map { [$0] } ?? []) + (answer ?? Markup(""))
            + WebPage.paragraph(
                "Vraag of een persoon bekend is in het netwerk. U hoort alleen óf de persoon bekend is en met wie u contact opneemt, nooit waarom."
            )
            + WebPage.form(
                action: "/opzoeken", csrf: session.csrf,
                WebPage.field(
                    name: "bsn", label: "BSN", hint: "Negen cijfers. Regie bewaart het BSN niet.",
                    error: error?.field == "bsn" ? error?.message : nil, autocomplete: "off",
                    extra: " inputmode=\"numeric\" required") + purposeField,
                submit: "Opzoeken")
        return page(status, "Is deze persoon bekend?", body, session: session, current: "/opzoeken")
    }

    func lookUp(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        let form = call.form
        let bsn = (form["bsn"] ?? "").trimmingCharacters(in: .whitespaces)
        let purpose = (form["doel"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !purpose.isEmpty else {
            return try lookupForm(
                session, answer: nil, error: ("doel", "Kies het doel van uw vraag."), purpose: nil, status: 400)
        }
        call.role = .casusregisseur
        let audit = session.auditEntry(
            at: engine.clock.now(), action: "lookup", resource: "POST /opzoeken", role: .casusregisseur,
            address: call.context.address)
        let answer: Engine.LookupAnswer
        do {
            answer = try engine.lookup(
                bsn: bsn, purpose: purpose, by: session.person.partner, person: session.person.login, audit: audit)
        } catch .refused(let r) {
            let field = r.message.contains("purpose") ? "doel" : "bsn"
            return try lookupForm(
                session, answer: nil, error: (field, "Regie weigert dit: \(r.message)"), purpose: purpose, status: 422)
        } catch .invalid(let m) {
            return try lookupForm(session, answer: nil, error: ("bsn", m), purpose: purpose, status: 400)
        }
        call.audited = true
        let result: Markup
        if answer.known {
            let contacts = answer.contacts.map { c in
                "<li>\(organisationName(c.partner).htmlEscaped)\(c.contact.map { " · " + $0.htmlEscaped } ?? "")</li>"
            }
            result =
                WebPage.alert("info", "Deze persoon is bekend in het netwerk. Neem contact op met:")
                + Markup("<ul class=\"regie-contacts\">\(contacts.joined())</ul>")
        } else {
            result = WebPage.alert("info", "Deze persoon is niet bekend in een lopende casus in het netwerk.")
        }
        return try lookupForm(session, answer: result, error: nil, purpose: nil, status: 200)
    }
}
