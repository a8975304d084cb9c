internal import Foundation
internal import RegieCore
internal import RegieEngine

/// Nieuwe casus and Is deze persoon bekend?: opening a case, and the lookup with its purpose.
extension WebApp {
    func newCasePage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        try newCaseForm(&call, session, errors: [], values: [:], status: 200)
    }

    private func newCaseForm(
        _ call: inout WebCall, _ session: Engine.WebSession, errors: [(field: String, message: String)],
        values: [String: String], status: Int
    ) throws(EngineError) -> HTTPResponse {
        guard session.person.roles.contains(.casusregisseur) else { return notFound(session: session) }
        let workflows = engine.catalog.workflows.values.sorted { $0.name < $1.name }
        func err(_ f: String) -> String? { errors.first { $0.field == f }?.message }
        var fields = WebPage.select(
            name: "werkwijze", label: "Werkwijze",
            options: [("", "Kies een werkwijze")] + workflows.map { ($0.name, workflowTitle($0.name)) },
            selected: values["werkwijze"], hint: "Wat voor casus het is; de werkwijze bepaalt de stappen en termijnen.",
            error: err("werkwijze"), required: true)
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
        for w in workflows {
            for f in w.opening.fields {
                let name = "veld-\(w.name)-\(f.name)"
                // Required only for its own workflow: the engine says so when that one is chosen.
                var other = f
                other.required = false
                let label = f.description.isEmpty ? f.name : f.description
                fields =
                    fields
                    + fieldInput(
                        other, name: name,
                        label: "\(label) (\(f.required ? "verplicht " : "")bij \(workflowTitle(w.name)))",
                        value: values[name], error: err(name), markOptional: false)
            }
        }
        let body =
            WebPage.errorSummary(errors)
            + WebPage.paragraph("Open een casus. U legt vast wie regie heeft; de werkwijze zet de eerste termijnen.")
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
            let field = r.field.map { $0.hasPrefix("fields.") ? prefix + $0.dropFirst(7) : $0 } ?? "werkwijze"
            return try newCaseForm(
                &call, session, errors: [(field, "Regie weigert dit: \(r.message)")], values: values, status: 422)
        } catch .invalid(let m) {
            let field = m.contains("BSN") ? "bsn" : "werkwijze"
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
