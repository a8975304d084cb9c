internal import Foundation
internal import RegieCore
internal import RegieEngine

/// Beheer (people, partner keys, webhook endpoints and their deliveries) and Inzage voor een cliënt, for functional
/// administrators; and the accessibility statement, for everyone.
extension WebApp {
    static let adminRoutes: [WebRoute] = [
        WebRoute("GET", "/beheer") { web, call throws(EngineError) in try web.administrator(&call, web.adminPage) },
        WebRoute("POST", "/beheer/personen") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.addPerson)
        },
        WebRoute("POST", "/beheer/personen/{login}") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.changePerson)
        },
        WebRoute("POST", "/beheer/sleutels") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.createKey)
        },
        WebRoute("POST", "/beheer/sleutels/{key}") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.revokeKey)
        },
        WebRoute("POST", "/beheer/webhooks/{endpoint}") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.changeWebhook)
        },
        WebRoute("GET", "/inzage") { web, call throws(EngineError) in try web.administrator(&call, web.inzagePage) },
        WebRoute("POST", "/inzage") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.inzage)
        },
    ]

    /// Runs `page` for a functional administrator; for anyone else the page does not exist.
    func administrator(
        _ call: inout WebCall, _ page: (inout WebCall, Engine.WebSession) throws(EngineError) -> HTTPResponse
    ) throws(EngineError) -> HTTPResponse {
        try signedIn(&call) { call, session throws(EngineError) in
            guard session.person.roles.contains(.functioneelBeheer) else { return notFound(session: session) }
            call.role = .functioneelBeheer
            return try page(&call, session)
        }
    }

    func administratorForm(
        _ call: inout WebCall, _ page: (inout WebCall, Engine.WebSession) throws(EngineError) -> HTTPResponse
    ) throws(EngineError) -> HTTPResponse {
        try signedInForm(&call) { call, session throws(EngineError) in
            guard session.person.roles.contains(.functioneelBeheer) else { return notFound(session: session) }
            call.role = .functioneelBeheer
            return try page(&call, session)
        }
    }

    func adminPage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        try adminPage(session, notice: nil)
    }

    private func adminPage(_ session: Engine.WebSession, notice: Markup?, status: Int = 200) throws(EngineError)
        -> HTTPResponse
    {
        let now = engine.clock.now()
        let calendar = engine.config.calendar
        let csrf = session.csrf
        func button(_ action: String, _ value: String, _ label: String) -> String {
            """
            <form class="regie-inline" method="post" action="\(action.htmlEscaped)"><input type="hidden" name="csrf" value="\(csrf.htmlEscaped)">\
            <input type="hidden" name="actie" value="\(value)"><button class="utrecht-button utrecht-button--secondary" type="submit">\(label.htmlEscaped)</button></form>
            """
        }
        // People.
        let people = try engine.people()
        let peopleRows: [[Markup]] = people.map { p in
            let status =
                p.status == .disabled
                ? WebPage.badge("uitgeschakeld", "overdue")
                : p.lockedAt != nil ? WebPage.badge("geblokkeerd", "soon") : WebPage.badge("actief", "ok")
            var actions =
                p.status == .disabled
                ? button("/beheer/personen/\(p.login)", "inschakelen", "Inschakelen \(p.login)")
                : button("/beheer/personen/\(p.login)", "uitschakelen", "Uitschakelen \(p.login)")
            if p.lockedAt != nil {
                actions += button("/beheer/personen/\(p.login)", "deblokkeren", "Deblokkeren \(p.login)")
            }
            actions += button("/beheer/personen/\(p.login)", "herstellen", "Nieuw wachtwoord en app voor \(p.login)")
            return [
                .text(p.login), .text(p.name), .text(organisationName(p.partner)),
                .text(p.roles.sorted().map(\.label).joined(separator: ", ")), status,
                .text(p.lastLoginAt.map { calendar.dutchDeadlineText($0, now: now) } ?? "nog nooit"), Markup(actions),
            ]
        }
        let roleBoxes = PersonRole.allCases.map { r in
            "<div class=\"utrecht-form-field--checkbox\"><input type=\"checkbox\" id=\"rol-\(r.rawValue)\" name=\"rol-\(r.rawValue)\" value=\"1\"><label for=\"rol-\(r.rawValue)\">\(r.label.htmlEscaped)</label></div>"
        }.joined()
        let addPerson = WebPage.form(
            action: "/beheer/personen", csrf: csrf,
            WebPage.field(
                name: "login", label: "Gebruikersnaam",
                hint: "Kleine letters, cijfers, punt, - of _; bijvoorbeeld j.devries.", autocomplete: "off")
                + WebPage.field(name: "naam", label: "Naam")
                + WebPage.select(
                    name: "organisatie", label: "Organisatie",
                    options: engine.config.partners.map { ($0.id, $0.name) })
                + Markup("<fieldset><legend>Rollen</legend>\(roleBoxes)</fieldset>"),
            submit: "Persoon toevoegen")
        // Keys.
        let keys = try engine.keys(partner: nil)
        let keyRows: [[Markup]] = keys.map { k in
            [
                .text(k.id), .text(organisationName(k.partner)), .text(k.label ?? "–"),
                .text(calendar.dutchDeadlineText(k.createdAt, now: now)),
                k.revokedAt == nil
                    ? Markup(button("/beheer/sleutels/\(k.id)", "intrekken", "Intrekken \(k.id)"))
                    : WebPage.badge("ingetrokken", "overdue"),
            ]
        }
        let createKey = WebPage.form(
            action: "/beheer/sleutels", csrf: csrf,
            WebPage.select(
                name: "sleutel-organisatie", label: "Organisatie",
                options: engine.config.partners.map { ($0.id, $0.name) })
                + WebPage.field(
                    name: "omschrijving", label: "Omschrijving (niet verplicht)",
                    hint: "Bijvoorbeeld het systeem dat de sleutel gebruikt."),
            submit: "Sleutel maken")
        // Webhooks.
        let endpoints = try engine.webhookEndpoints()
        let stats = try engine.deliveryCounts()
        let hookRows: [[Markup]] = endpoints.map { e in
            let s = stats[e.id] ?? Engine.DeliveryCounts()
            let state: Markup =
                switch e.state {
                case .disabled: WebPage.badge("uitgeschakeld: \(e.disabledReason ?? "")", "overdue")
                case .failing:
                    WebPage.badge(
                        "faalt sinds \(e.failingSince.map { calendar.dutchDeadlineText($0, now: now) } ?? "")", "soon")
                case .active: WebPage.badge("werkt", "ok")
                }
            return [
                .text(e.id), .text(organisationName(e.partner)), .text(e.url), state,
                .text("\(s.delivered) afgeleverd, \(s.pending) wachtend, \(s.failed) mislukt"),
                .text(e.state == .active ? "–" : engine.whomToTell(about: e)),
                Markup(
                    e.state == .disabled
                        ? button("/beheer/webhooks/\(e.id)", "inschakelen", "Inschakelen \(e.id)")
                        : button("/beheer/webhooks/\(e.id)", "uitschakelen", "Uitschakelen \(e.id)")),
            ]
        }
        let body =
            (notice ?? Markup(""))
            + Markup("<h2 id=\"personen\">Personen</h2>")
            + WebPage.table(
                caption: "Iedereen die in Regie werkt",
                headers: ["Gebruikersnaam", "Naam", "Organisatie", "Rollen", "Status", "Laatst ingelogd", "Acties"],
                rows: peopleRows, empty: "Nog niemand.")
            + Markup("<h3>Persoon toevoegen</h3>") + addPerson
            + Markup("<h2 id=\"sleutels\">API-sleutels van partners</h2>")
            + WebPage.table(
                caption: "Sleutels (Regie bewaart alleen een hash; de sleutel zelf is alleen bij het maken te zien)",
                headers: ["Sleutel", "Organisatie", "Omschrijving", "Gemaakt", "Status"], rows: keyRows,
                empty: "Geen sleutels.")
            + Markup("<h3>Sleutel maken</h3>") + createKey
            + Markup("<h2 id=\"webhooks\">Webhooks</h2>")
            + WebPage.table(
                caption: "Webhook-adressen en hun afleveringen",
                headers: ["Adres", "Organisatie", "URL", "Stand", "Afleveringen", "Wie inlichten", "Actie"],
                rows: hookRows, empty: "Geen webhook-adressen.")
        return page(status, "Beheer", body, session: session, current: "/beheer")
    }

    /// The audit entry of a change made on the Beheer page.
    private func change(_ call: WebCall, _ session: Engine.WebSession, _ detail: String) -> AuditEntry {
        session.auditEntry(
            at: engine.clock.now(), action: "people", resource: "POST \(call.route?.path ?? "")",
            role: .functioneelBeheer,
            detail: detail, address: call.context.address)
    }

    func addPerson(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let form = call.form
        let roles = Set(PersonRole.allCases.filter { form["rol-\($0.rawValue)"] == "1" })
        let login = (form["login"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let added = try engine.addPerson(
                login: login, name: form["naam"] ?? "", partner: form["organisatie"] ?? "", roles: roles,
                audit: change(call, session, "added \(login)"))
            call.audited = true
            let notice = WebPage.alert(
                "ok",
                "\(added.person.name) is toegevoegd. Geef het eenmalige wachtwoord persoonlijk door; Regie toont het alleen nu: \(added.temporaryPassword ?? "(inloggen via de organisatie)")"
            )
            return try adminPage(session, notice: notice)
        } catch .invalid(let m) {
            return try adminPage(session, notice: WebPage.alert("error", "Niet toegevoegd: \(m)"), status: 400)
        } catch .refused(let r) {
            return try adminPage(session, notice: WebPage.alert("error", "Niet toegevoegd: \(r.message)"), status: 422)
        }
    }

    func changePerson(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let login = call.params["login"] ?? ""
        let action = call.form["actie"] ?? ""
        let audit = change(call, session, "\(action) \(login)")
        var notice: String
        do {
            switch action {
            case "uitschakelen":
                try engine.disablePerson(login, audit: audit)
                notice = "\(login) is uitgeschakeld; de sessies zijn beëindigd."
            case "inschakelen":
                try engine.enablePerson(login, audit: audit)
                notice = "\(login) is weer ingeschakeld."
            case "deblokkeren":
                try engine.unlockPerson(login, audit: audit)
                notice = "\(login) is gedeblokkeerd."
            case "herstellen":
                let password = try engine.resetPerson(login, [.password, .secondFactor], audit: audit)
                notice =
                    "\(login) logt opnieuw in met dit eenmalige wachtwoord en koppelt de app opnieuw; Regie toont het alleen nu: \(password ?? "")"
            default:
                return try adminPage(session, notice: WebPage.alert("error", "Onbekende actie."), status: 400)
            }
        } catch .notFound {
            return notFound(session: session)
        } catch .invalid(let m) {
            return try adminPage(session, notice: WebPage.alert("error", m), status: 400)
        } catch .refused(let r) {
            return try adminPage(session, notice: WebPage.alert("error", r.message), status: 422)
        }
        call.audited = true
        return try adminPage(session, notice: WebPage.alert("ok", notice))
    }

    func createKey(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let partner = call.form["sleutel-organisatie"] ?? ""
        let label = call.form["omschrijving"].flatMap { $0.isEmpty ? nil : $0 }
        let key: Engine.NewKey
        do { key = try engine.createKey(partner: partner, label: label) } catch .refused(let r) {
            return try adminPage(session, notice: WebPage.alert("error", r.message), status: 422)
        }
        call.detail = "created key \(key.id) for \(partner)"
        return try adminPage(
            session,
            notice: WebPage.alert(
                "ok",
                "Sleutel \(key.id) voor \(organisationName(partner)) is gemaakt. Geef hem veilig door; Regie toont hem alleen nu: \(key.secret)"
            ))
    }

    func revokeKey(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let id = call.params["key"] ?? ""
        do { try engine.revokeKey(id) } catch .notFound { return notFound(session: session) }
        call.detail = "revoked key \(id)"
        return try adminPage(session, notice: WebPage.alert("ok", "Sleutel \(id) is ingetrokken."))
    }

    func changeWebhook(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let id = call.params["endpoint"] ?? ""
        let action = call.form["actie"] ?? ""
        do {
            switch action {
            case "uitschakelen":
                try engine.disableWebhook(id, reason: "uitgeschakeld door \(session.person.login) (Beheer)")
            case "inschakelen": try engine.enableWebhook(id)
            default: return try adminPage(session, notice: WebPage.alert("error", "Onbekende actie."), status: 400)
            }
        } catch .notFound {
            return notFound(session: session)
        }
        call.detail = "\(action) webhook \(id)"
        return try adminPage(
            session,
            notice: WebPage.alert(
                "ok", "Webhook \(id) is \(action == "inschakelen" ? "ingeschakeld" : "uitgeschakeld")."))
    }

    // MARK: Inzage

    func inzagePage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        inzageForm(session, result: nil, error: nil)
    }

    private func inzageForm(_ session: Engine.WebSession, result: Markup?, error: String?, status: Int = 200)
        -> HTTPResponse
    {
        let body =
            WebPage.errorSummary(error.map { [(field: "bsn", message: $0)] } ?? [])
            + WebPage.paragraph(
                "Voor een verzoek van een cliënt (AVG artikel 15, NEN 7513): wie welke casus van deze persoon inzag of wijzigde, wanneer, namens welke organisatie en in welke rol. Uw eigen inzage wordt ook vastgelegd."
            )
            + WebPage.form(
                action: "/inzage", csrf: session.csrf,
                WebPage.field(
                    name: "bsn", label: "BSN van de cliënt", hint: "Negen cijfers. Regie bewaart het BSN niet.",
                    error: error, autocomplete: "off", extra: " inputmode=\"numeric\" required"),
                submit: "Overzicht maken")
            + (result ?? Markup(""))
        return page(status, "Inzage voor een cliënt", body, session: session, current: "/inzage")
    }

    func inzage(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let bsn = (call.form["bsn"] ?? "").trimmingCharacters(in: .whitespaces)
        let key: String
        do { key = try engine.clientKey(bsn: bsn) } catch .refused(let r) {
            return inzageForm(session, result: nil, error: "Dit is geen geldig BSN: \(r.message)", status: 400)
        } catch .invalid(let m) {
            return inzageForm(session, result: nil, error: m, status: 400)
        }
        let records = try engine.auditRecords(clientKey: key)
        call.detail = "inzage: \(records.count) records"
        // The client's pseudonym goes in the record of this inzage, never the BSN.
        call.clientKey = key
        let now = engine.clock.now()
        let rows: [[Markup]] = records.map { e in
            [
                .text(engine.config.calendar.dutchDeadlineText(e.at, now: now)), .text(e.caseId ?? "–"),
                .text(organisationName(e.partner)), .text(e.person ?? "(systeem van de organisatie)"),
                .text(e.role ?? "–"), .text(Self.actionLabel(e.action)), .text(e.channel.rawValue),
            ]
        }
        let result =
            Markup("<section class=\"regie-print\"><h2>Overzicht</h2>")
            + WebPage.paragraph(
                "Opgemaakt op \(engine.config.calendar.dutchDeadlineText(now, now: now)) door \(session.person.name) (\(organisationName(session.person.partner))). \(records.count) vastleggingen."
            )
            + WebPage.table(
                caption: "Wie deze persoon of haar casussen inzag of wijzigde",
                headers: ["Wanneer", "Casus", "Organisatie", "Persoon", "Rol", "Wat", "Via"], rows: rows,
                empty: "Niemand heeft gegevens van deze persoon ingezien.")
            + Markup("</section>")
        return inzageForm(session, result: result, error: nil)
    }

    static func actionLabel(_ action: String) -> String {
        switch action {
        case "read": "inzien"
        case "write": "wijzigen"
        case "lookup": "opzoeken"
        case "lookup-hit": "gevonden bij opzoeken"
        default: action
        }
    }

    // MARK: Accessibility

    func accessibilityStatement(_ call: inout WebCall) throws(EngineError) -> HTTPResponse {
        let session = try current(call.request).flatMap { $0.stage == .active ? $0 : nil }
        let body = Markup(
            """
            <p>De regio \(engine.config.region.htmlEscaped) wil dat iedereen Regie kan gebruiken. De werkplek is gebouwd \
            volgens de Web Content Accessibility Guidelines (WCAG) 2.1 op niveau AA, zoals de overheid die voorschrijft \
            (Besluit digitale toegankelijkheid overheid).</p>
            <h2>Wat we doen</h2>
            <ul>
            <li>Elke pagina werkt zonder JavaScript en met alleen een toetsenbord; een link ‘Naar de inhoud’ slaat het menu over.</li>
            <li>Formulieren hebben labels, uitleg en foutmeldingen bij het veld, en een overzicht van wat niet goed is bovenaan.</li>
            <li>Kleuren halen de contrastnorm; een termijn is niet alleen aan kleur te herkennen: de tekst zegt ‘Verlopen’ of ‘Bijna’.</li>
            <li>Elke pagina wordt bij elke wijziging automatisch getoetst met axe-core in een echte browser, op WCAG 2.1 A en AA.</li>
            </ul>
            <h2>Wat nog niet goed is</h2>
            <p>Meldingen van de regels van Regie (waarom een actie wordt geweigerd) zijn nog in het Engels.</p>
            <h2>Contact</h2>
            <p>Loopt u tegen een probleem aan? Meld het aan functioneel beheer van uw regio. U krijgt binnen vijf werkdagen antwoord.</p>
            """)
        return page(200, "Toegankelijkheidsverklaring", body, session: session, current: "/toegankelijkheid")
    }
}
