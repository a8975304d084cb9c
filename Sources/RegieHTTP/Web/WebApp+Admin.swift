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
        WebRoute("GET", "/beheer/personen/{login}") { web, call throws(EngineError) in
            try web.administrator(&call) { call, session throws(EngineError) in
                try web.personPage(call.params["login"] ?? "", session, notice: nil)
            }
        },
        WebRoute("POST", "/beheer/personen/{login}") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.changePerson)
        },
        WebRoute("POST", "/beheer/webhooks") { web, call throws(EngineError) in
            try web.administratorForm(&call, web.addWebhook)
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
            [
                WebPage.link("/beheer/personen/\(p.login)", p.login), .text(p.name), .text(organisationName(p.partner)),
                .text(p.roles.sorted().map(\.label).joined(separator: ", ")), Self.status(of: p),
                .text(p.lastLoginAt.map { calendar.dutchDeadlineText($0, now: now) } ?? "nog nooit"),
            ]
        }
        let roleBoxes = Self.roleBoxes(checked: [])
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
                    (e.state == .disabled
                        ? button("/beheer/webhooks/\(e.id)", "inschakelen", "Inschakelen \(e.id)")
                        : button("/beheer/webhooks/\(e.id)", "uitschakelen", "Uitschakelen \(e.id)"))
                        + button("/beheer/webhooks/\(e.id)", "roteren", "Nieuw geheim voor \(e.id)")
                        + (s.failed > 0
                            ? button("/beheer/webhooks/\(e.id)", "opnieuw", "Mislukte afleveringen van \(e.id) opnieuw")
                            : "")),
            ]
        }
        let body =
            (notice ?? Markup(""))
            + Markup("<h2 id=\"personen\">Personen</h2>")
            + WebPage.table(
                caption: "Iedereen die in Regie werkt",
                headers: ["Gebruikersnaam", "Naam", "Organisatie", "Rollen", "Status", "Laatst ingelogd"],
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
                headers: ["Adres", "Organisatie", "URL", "Stand", "Afleveringen", "Wie inlichten", "Acties"],
                rows: hookRows, empty: "Geen webhook-adressen.")
            + Markup("<h3>Webhook-adres toevoegen</h3>")
            + WebPage.form(
                action: "/beheer/webhooks", csrf: csrf,
                WebPage.select(
                    name: "webhook-organisatie", label: "Organisatie",
                    options: engine.config.partners.map { ($0.id, $0.name) })
                    + WebPage.field(
                        name: "url", label: "URL", hint: "Een https-adres van het systeem van de organisatie.",
                        autocomplete: "off")
                    + WebPage.field(
                        name: "gebeurtenissen", label: "Gebeurtenissen", value: "*",
                        hint: "Onderwerpen gescheiden door komma's, zoals escalation.* of case.closed; * is alles.")
                    + WebPage.select(
                        name: "vorm", label: "Vorm",
                        options: [("thin", "Dun (Standard Webhooks)"), ("zgw", "ZGW Notificaties API")]),
                submit: "Webhook-adres toevoegen")
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

    /// One person: who they are, and everything the command line can change about them.
    func personPage(_ login: String, _ session: Engine.WebSession, notice: Markup?, status: Int = 200)
        throws(EngineError) -> HTTPResponse
    {
        let person: Person
        do { person = try engine.person(login) } catch .notFound { return notFound(session: session) }
        let calendar = engine.config.calendar
        let now = engine.clock.now()
        let action = "/beheer/personen/\(person.login)"
        func form(_ value: String, _ fields: Markup, _ label: String) -> Markup {
            WebPage.form(
                action: action, csrf: session.csrf,
                Markup("<input type=\"hidden\" name=\"actie\" value=\"\(value)\">") + fields, submit: label)
        }
        var body =
            WebPage.breadcrumb([("/beheer", "Beheer")]) + (notice ?? Markup(""))
            + WebPage.facts([
                ("Gebruikersnaam", .text(person.login)), ("Organisatie", .text(organisationName(person.partner))),
                ("Rollen", .text(person.roles.sorted().map(\.label).joined(separator: ", "))),
                ("Status", Self.status(of: person)),
                ("Inloggen", .text(person.hasPassword ? "wachtwoord en app" : "via de organisatie (single sign-on)")),
                (
                    "App gekoppeld",
                    .text(person.secondFactorSince.map { calendar.dutchDeadlineText($0, now: now) } ?? "nee")
                ),
                ("Herstelcodes over", .text(String(person.recoveryCodesLeft))),
                (
                    "Laatst ingelogd",
                    .text(person.lastLoginAt.map { calendar.dutchDeadlineText($0, now: now) } ?? "nog nooit")
                ),
            ])
        body =
            body + Markup("<h2>Rollen</h2>")
            + form(
                "rollen",
                Markup("<fieldset><legend>Rollen</legend>\(Self.roleBoxes(checked: person.roles))</fieldset>"),
                "Rollen opslaan")
            + Markup("<h2>Toegang</h2>")
            + (person.status == .disabled
                ? form("inschakelen", Markup(""), "Inschakelen")
                : form("uitschakelen", Markup(""), "Uitschakelen (sessies eindigen direct)"))
            + (person.lockedAt != nil ? form("deblokkeren", Markup(""), "Deblokkeren") : Markup(""))
            + Markup("<h2>Herstellen</h2>")
            + form("herstellen-wachtwoord", Markup(""), "Nieuw eenmalig wachtwoord")
            + form("herstellen-app", Markup(""), "App opnieuw laten koppelen")
            + form("herstellen", Markup(""), "Allebei")
        return page(status, person.name, body, session: session, current: "/beheer")
    }

    static func status(of p: Person) -> Markup {
        p.status == .disabled
            ? WebPage.badge("uitgeschakeld", "overdue")
            : p.lockedAt != nil ? WebPage.badge("geblokkeerd", "soon") : WebPage.badge("actief", "ok")
    }

    static func roleBoxes(checked: Set<PersonRole>) -> String {
        PersonRole.allCases.map { r in
            "<div class=\"utrecht-form-field--checkbox\"><input type=\"checkbox\" id=\"rol-\(r.rawValue)\" name=\"rol-\(r.rawValue)\" value=\"1\"\(checked.contains(r) ? " checked" : "")><label for=\"rol-\(r.rawValue)\">\(r.label.htmlEscaped)</label></div>"
        }.joined()
    }

    func changePerson(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let login = call.params["login"] ?? ""
        let action = call.form["actie"] ?? ""
        let audit = change(call, session, "\(action) \(login)")
        var notice: String
        func once(_ password: String?) -> String {
            "Regie toont het eenmalige wachtwoord alleen nu; geef het persoonlijk door: \(password ?? "")"
        }
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
            case "rollen":
                let roles = Set(PersonRole.allCases.filter { call.form["rol-\($0.rawValue)"] == "1" })
                try engine.setRoles(login, roles, audit: audit)
                notice = "De rollen van \(login) zijn opgeslagen."
            case "herstellen":
                notice =
                    "\(login) logt opnieuw in en koppelt de app opnieuw. "
                    + once(try engine.resetPerson(login, [.password, .secondFactor], audit: audit))
            case "herstellen-wachtwoord":
                notice =
                    "\(login) kiest bij de volgende login een nieuw wachtwoord. "
                    + once(try engine.resetPerson(login, .password, audit: audit))
            case "herstellen-app":
                _ = try engine.resetPerson(login, .secondFactor, audit: audit)
                notice = "\(login) koppelt bij de volgende login de app opnieuw; de herstelcodes zijn vervallen."
            default:
                return try personPage(login, session, notice: WebPage.alert("error", "Onbekende actie."), status: 400)
            }
        } catch .notFound {
            return notFound(session: session)
        } catch .invalid(let m) {
            return try personPage(login, session, notice: WebPage.alert("error", m), status: 400)
        } catch .refused(let r) {
            return try personPage(login, session, notice: WebPage.alert("error", r.message), status: 422)
        }
        call.audited = true
        return try personPage(login, session, notice: WebPage.alert("ok", notice))
    }

    func addWebhook(_ call: inout WebCall, _ session: Engine.WebSession) throws(EngineError) -> HTTPResponse {
        let form = call.form
        let partner = form["webhook-organisatie"] ?? ""
        let events = (form["gebeurtenissen"] ?? "*").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let format = WebhookEndpoint.Format(rawValue: form["vorm"] ?? "") ?? .thin
        let added: Engine.NewWebhook
        do {
            added = try engine.addWebhook(partner: partner, url: form["url"] ?? "", events: events, format: format)
        } catch .refused(let r) {
            return try adminPage(session, notice: WebPage.alert("error", "Niet toegevoegd: \(r.message)"), status: 422)
        }
        call.detail = "added webhook \(added.endpoint.id) for \(partner)"
        return try adminPage(
            session,
            notice: WebPage.alert(
                "ok",
                "Webhook-adres \(added.endpoint.id) is toegevoegd. Het geheim waarmee Regie ondertekent; geef het veilig door, Regie toont het alleen nu: \(added.secret)"
            ))
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
            case "roteren":
                let secret = try engine.rotateWebhookSecret(id)
                call.detail = "rotated the secret of webhook \(id)"
                return try adminPage(
                    session,
                    notice: WebPage.alert(
                        "ok",
                        "Webhook \(id) heeft een nieuw geheim; het oude ondertekent nog een overgangsperiode mee. Regie toont het alleen nu: \(secret)"
                    ))
            case "opnieuw":
                let n = try engine.replayFailedDeliveries(endpoint: id)
                call.detail = "replayed \(n) failed deliveries of webhook \(id)"
                return try adminPage(
                    session,
                    notice: WebPage.alert("ok", "\(n) mislukte afleveringen van \(id) worden opnieuw aangeboden."))
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
        call.action = "inzage"
        let now = engine.clock.now()
        let rows: [[Markup]] = records.map { e in
            [
                .text(engine.config.calendar.dutchDeadlineText(e.at, now: now)), .text(e.caseId ?? "–"),
                .text(organisationName(e.partner)), .text(e.person ?? "(systeem van de organisatie)"),
                .text(e.role ?? "–"), .text(Self.actionLabel(e.action) + Self.outcomeLabel(e.outcome)),
                .text(e.channel.rawValue),
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
        case "inzage": "inzage-overzicht gemaakt"
        default: action
        }
    }

    /// How an attempt ended, when it did not succeed.
    static func outcomeLabel(_ outcome: AuditEntry.Outcome) -> String {
        switch outcome {
        case .ok: ""
        case .refused: " (geweigerd)"
        case .notFound: " (niet getoond: geen toegang)"
        case .unauthorized: " (niet aangemeld)"
        case .error: " (mislukt)"
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
