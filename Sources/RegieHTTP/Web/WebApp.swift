public import RegieCore
public import RegieEngine
internal import Foundation

/// The workspace in the browser (everything `regie serve` answers outside `/v1` and `/metrics`): for now the login
/// (password, a new password at the first login, the authenticator app linked or asked), the start page and
/// logging out. Every page carries the security headers; every form the session's token.
public final class WebApp: Sendable {
    let engine: Engine
    let trustedProxies: Set<String>
    /// The session cookie and the cookie of a login not yet made.
    let sessionCookie: WebCookie
    let preLoginCookie: WebCookie
    /// The cookie of a login started at the identity provider: `SameSite=Lax`, because it must come back with the
    /// provider's redirect (a navigation from another site); it holds only the pending login's random reference.
    let ssoCookie: WebCookie
    /// Threads for pages that check passwords or write (about 0.1 s of scrypt per login), so that they never hold
    /// up the server's workers.
    let workers: WorkerPool
    /// The colours of the region and of the partners with a theme of their own (`Config/theme.json`).
    let theme: WorkspaceThemes

    /// Creates the workspace on an engine.
    /// - Parameter secureCookies: cookies only over HTTPS (`Secure`, `__Host-`); off only on loopback.
    public init(
        engine: Engine, trustedProxies: Set<String> = [], secureCookies: Bool,
        theme: WorkspaceThemes = WorkspaceThemes()
    ) {
        self.engine = engine
        self.theme = theme
        self.trustedProxies = trustedProxies
        sessionCookie = WebCookie(name: "regie-sessie", secure: secureCookies)
        preLoginCookie = WebCookie(name: "regie-inloggen", secure: secureCookies)
        ssoCookie = WebCookie(name: "regie-sso", secure: secureCookies, sameSite: "Lax")
        workers = WorkerPool(threads: 8, name: "regie-web")
    }

    deinit { workers.stop(wait: false) }

    static let routes: [WebRoute] =
        [
            WebRoute("GET", "/static/regie.css", audited: false) { _, _ in stylesheet() },
            WebRoute("GET", "/static/thema/{partner}", audited: false) { web, call in web.themeSheet(call) },
            WebRoute("GET", "/inloggen", audited: false) { web, call throws(EngineError) in
                try web.loginPage(call.request)
            },
            WebRoute("POST", "/inloggen", audited: false) { web, call throws(EngineError) in
                try web.logIn(call.request, call.context)
            },
            WebRoute("GET", "/inloggen/wachtwoord", audited: false) { web, call throws(EngineError) in
                try web.passwordPage(call.request)
            },
            WebRoute("POST", "/inloggen/wachtwoord", audited: false) { web, call throws(EngineError) in
                try web.changePassword(call.request, call.context)
            },
            WebRoute("GET", "/inloggen/koppelen", audited: false) { web, call throws(EngineError) in
                try web.enrolPage(call.request)
            },
            WebRoute("POST", "/inloggen/koppelen", audited: false) { web, call throws(EngineError) in
                try web.enrol(call.request, call.context)
            },
            WebRoute("GET", "/inloggen/code", audited: false) { web, call throws(EngineError) in
                try web.codePage(call.request)
            },
            WebRoute("POST", "/inloggen/code", audited: false) { web, call throws(EngineError) in
                try web.verifyCode(call.request, call.context)
            },
            WebRoute("GET", "/inloggen/sso", audited: false) { web, call throws(EngineError) in
                try web.startSSO(call.request, call.context)
            },
            WebRoute("GET", "/inloggen/sso/terug", audited: false) { web, call throws(EngineError) in
                try web.finishSSO(call.request, call.context)
            },
            WebRoute("POST", "/uitloggen", audited: false) { web, call throws(EngineError) in
                try web.logOut(call.request, call.context)
            },
            WebRoute("GET", "/toegankelijkheid", audited: false) { web, call throws(EngineError) in
                try web.accessibilityStatement(&call)
            },
        ] + workRoutes + caseRoutes + adminRoutes + monitorRoutes

    /// Answers one request through `respond`.
    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if request.path == "/static/regie.css" { return respond(answer(request)) }
        workers.submit {
            var call = WebCall(request: request, context: Engine.LoginContext(address: "", resource: ""))
            let response = self.answer(&call)
            let entries = self.accessLog(of: call, status: response.status)
            guard !entries.isEmpty else { return respond(response) }
            // As in the API: what a person read leaves only once its access-log records are durable.
            self.engine.audit(batch: entries) { error in
                guard let error else { return respond(response) }
                FileHandle.standardError.write(
                    Data("regie: cannot write the access log, page withheld: \(error.description)\n".utf8))
                respond(
                    self.page(
                        500, "Er ging iets mis",
                        WebPage.alert(
                            "error",
                            "Regie kon niet vastleggen dat u deze pagina bekeek, en toont hem daarom niet. Probeer het later opnieuw."
                        )))
            }
        }
    }

    /// The access-log records of a page a signed-in person saw: one per case it showed, or one for the page. Pages
    /// whose engine call logged them already (an action, a lookup) and the login's pages (the engine logs every
    /// step of a login) have none.
    func accessLog(of call: WebCall, status: Int) -> [AuditEntry] {
        guard let route = call.route, route.audited, !call.audited, let session = call.session else { return [] }
        let now = engine.clock.now()
        let outcome: AuditEntry.Outcome =
            switch status {
            case 200..<400: .ok
            case 404: .notFound
            case 400..<500: .refused
            default: .error
            }
        let resource = "\(call.request.method) \(route.path)"
        guard !call.touched.isEmpty else {
            return [
                session.auditEntry(
                    at: now, action: call.action ?? (route.method == "GET" ? "read" : "write"), resource: resource,
                    role: call.role,
                    outcome: outcome, status: status, clientKey: call.clientKey, detail: call.detail,
                    address: call.context.address)
            ]
        }
        return call.touched.map {
            session.auditEntry(
                at: now, action: "read", resource: resource, role: call.role, outcome: outcome, status: status,
                caseId: $0.caseId, clientKey: $0.clientKey, detail: call.detail, address: call.context.address)
        }
    }

    func answer(_ request: HTTPRequest) -> HTTPResponse {
        var call = WebCall(request: request, context: Engine.LoginContext(address: "", resource: ""))
        return answer(&call)
    }

    /// Routes the request and answers it; `call` keeps what the page read, for its access-log records.
    func answer(_ call: inout WebCall) -> HTTPResponse {
        let request = call.request
        let method = request.method == "HEAD" ? "GET" : request.method
        let onPath = Self.routes.compactMap { r in r.match(request.path).map { (r, $0) } }
        guard !onPath.isEmpty else { return notFound() }
        guard let (route, params) = onPath.first(where: { $0.0.method == method }) else {
            var response = page(
                405, "Niet toegestaan",
                WebPage.paragraph("Deze pagina kan niet met \(request.method) worden opgevraagd."))
            response.headers.set("Allow", onPath.map(\.0.method).joined(separator: ", "))
            return response
        }
        call.route = route
        call.params = params
        call.context = Engine.LoginContext(
            address: request.clientAddress(trustedProxies: trustedProxies), resource: "\(method) \(route.path)")
        do {
            return try route.handle(self, &call)
        } catch .tooMany(let message, let seconds) {
            var response = page(429, "Te veel pogingen", WebPage.alert("error", message))
            response.headers.set("Retry-After", String(seconds))
            return response
        } catch {
            // The reason (a path, a database message) is for the server's log, not for whoever asked.
            FileHandle.standardError.write(Data("regie: \(method) \(request.path) failed: \(error.description)\n".utf8))
            return page(
                500, "Er ging iets mis",
                WebPage.alert("error", "Regie kon dit nu niet afhandelen. Probeer het later opnieuw.")
                    + WebPage.paragraph(
                        "Blijft dit gebeuren, meld het dan aan functioneel beheer met het tijdstip; de oorzaak staat in het logboek van de server."
                    ))
        }
    }

    // MARK: Pages

    /// A theme's style sheet: `/static/thema/regio.css`, or a partner's (`/static/thema/gemeente-haarlem.css`).
    func themeSheet(_ call: WebCall) -> HTTPResponse {
        let name = call.params["partner"] ?? ""
        guard name.hasSuffix(".css") else { return notFound() }
        let partner = String(name.dropLast(4))
        guard partner == "regio" || theme.has(partner) else { return notFound() }
        var response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "text/css; charset=utf-8")]),
            body: Array(theme.css(for: partner == "regio" ? nil : partner).utf8))
        Self.secure(&response.headers)
        response.headers.set("Cache-Control", "public, max-age=3600")
        return response
    }

    static func stylesheet() -> HTTPResponse {
        var response = HTTPResponse(
            status: 200, headers: HTTPHeaders([("Content-Type", "text/css; charset=utf-8")]),
            body: Array(WebAssets.css.utf8))
        secure(&response.headers)
        response.headers.set("Cache-Control", "public, max-age=3600")
        return response
    }

    func loginPage(_ request: HTTPRequest, errors: [(String, String)] = [], status: Int = 200, login: String = "")
        throws(EngineError) -> HTTPResponse
    {
        if status == 200, let session = try current(request) {
            return redirect(session.stage == .active ? "/" : Self.path(of: session.stage))
        }
        let pre = try engine.preLogin()
        let query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        var notice = Markup("")
        if query["uit"] != nil { notice = WebPage.alert("ok", "U bent uitgelogd.") }
        if query["verlopen"] != nil {
            notice = WebPage.alert("warning", "Uw sessie is verlopen of beëindigd. Log opnieuw in.")
        }
        let error = errors.first?.1
        let body =
            notice + WebPage.errorSummary(errors.map { (field: $0.0, message: $0.1) })
            + WebPage.form(
                action: "/inloggen", csrf: pre.csrf,
                WebPage.field(
                    name: "gebruikersnaam", label: "Gebruikersnaam", value: login,
                    error: error == nil ? nil : "", autocomplete: "username", extra: " autocapitalize=\"none\" required"
                )
                    + WebPage.field(
                        name: "wachtwoord", label: "Wachtwoord", type: "password", error: error,
                        autocomplete: "current-password", extra: " required"),
                submit: "Inloggen")
            + (engine.identity.sso.map {
                Markup(
                    "<p>Of: <a class=\"utrecht-button-link\" href=\"/inloggen/sso\">\($0.label.htmlEscaped)</a></p>")
            } ?? Markup(""))
        var response = page(status, "Inloggen", body)
        response.headers.add("Set-Cookie", preLoginCookie.set(pre.nonce))
        return response
    }

    func logIn(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        let form = request.form ?? [:]
        guard let nonce = preLoginCookie.value(in: request),
            engine.checkPreLogin(nonce: nonce, csrf: form["csrf"] ?? "")
        else { return refusedForm() }
        let login = form["gebruikersnaam"] ?? ""
        switch try engine.logIn(login: login, password: form["wachtwoord"] ?? "", context: context) {
        case .next(let session):
            var response = redirect(Self.path(of: session.stage))
            response.headers.add("Set-Cookie", sessionCookie.set(session.token))
            response.headers.add("Set-Cookie", preLoginCookie.clear())
            return response
        case .wrongCredentials, .wrongCode:
            return try loginPage(
                request, errors: [("wachtwoord", "Onbekende gebruikersnaam of verkeerd wachtwoord.")], status: 401,
                login: login)
        case .locked:
            return page(
                403, "Account geblokkeerd",
                WebPage.alert(
                    "error",
                    "Uw account is geblokkeerd na te veel mislukte pogingen. Neem contact op met functioneel beheer van uw regio om het te deblokkeren."
                ))
        case .disabled:
            return page(
                403, "Account uitgeschakeld",
                WebPage.alert("error", "Uw account is uitgeschakeld. Neem contact op met functioneel beheer."))
        }
    }

    func passwordPage(_ request: HTTPRequest, error: (field: String, message: String)? = nil, status: Int = 200)
        throws(EngineError) -> HTTPResponse
    {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        guard session.stage == .changePassword || session.stage == .active else {
            return redirect(Self.path(of: session.stage))
        }
        let first = session.stage == .changePassword
        let intro =
            first
            ? WebPage.paragraph(
                "U bent ingelogd met een eenmalig wachtwoord. Kies nu uw eigen wachtwoord van minstens \(engine.identity.passwordMinLength) tekens."
            )
            : WebPage.paragraph("Kies een nieuw wachtwoord van minstens \(engine.identity.passwordMinLength) tekens.")
        func err(_ field: String) -> String? { error?.field == field ? error?.message : nil }
        let current =
            first
            ? Markup("")
            : WebPage.field(
                name: "huidig", label: "Huidig wachtwoord", type: "password", error: err("huidig"),
                autocomplete: "current-password")
        let body =
            intro + WebPage.errorSummary(error.map { [$0] } ?? [])
            + WebPage.form(
                action: "/inloggen/wachtwoord", csrf: session.csrf,
                current
                    + WebPage.field(
                        name: "nieuw", label: "Nieuw wachtwoord", type: "password",
                        hint: "Een zin van een paar woorden is sterk en goed te onthouden.", error: err("nieuw"),
                        autocomplete: "new-password")
                    + WebPage.field(
                        name: "herhaal", label: "Herhaal het nieuwe wachtwoord", type: "password",
                        error: err("herhaal"),
                        autocomplete: "new-password"),
                submit: "Wachtwoord opslaan")
        return page(status, "Wachtwoord kiezen", body, session: first ? nil : session)
    }

    func changePassword(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        let form = request.form ?? [:]
        guard engine.checkForm(session, csrf: form["csrf"] ?? "") else { return refusedForm() }
        do {
            let next = try engine.changePassword(
                session, current: form["huidig"], new: form["nieuw"] ?? "", repeated: form["herhaal"] ?? "",
                context: context)
            var response = redirect(Self.path(of: next.stage))
            response.headers.add("Set-Cookie", sessionCookie.set(next.token))
            return response
        } catch .invalid(let message) {
            let field = message.contains("huidige") ? "huidig" : message.contains("gelijk") ? "herhaal" : "nieuw"
            return try passwordPage(request, error: (field, message), status: 400)
        }
    }

    func enrolPage(_ request: HTTPRequest, error: String? = nil, status: Int = 200) throws(EngineError)
        -> HTTPResponse
    {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        guard session.stage == .enrol else { return redirect(Self.path(of: session.stage)) }
        let enrolment = try engine.beginEnrolment(session)
        let grouped = stride(from: 0, to: enrolment.secret.count, by: 4).map { i in
            let start = enrolment.secret.index(enrolment.secret.startIndex, offsetBy: i)
            let end = enrolment.secret.index(start, offsetBy: min(4, enrolment.secret.count - i))
            return String(enrolment.secret[start..<end])
        }.joined(separator: " ")
        let body =
            WebPage.errorSummary(error.map { [(field: "code", message: $0)] } ?? [])
            + WebPage.paragraph(
                "Regie vraagt bij het inloggen om een code uit een authenticator-app op uw telefoon (bijvoorbeeld Microsoft Authenticator, Google Authenticator of FreeOTP). Koppel de app nu:"
            )
            + Markup(
                """
                <ol>
                <li>Open de app en kies ‘account toevoegen’.</li>
                <li>Scan deze QR-code:<div class="regie-qr">\(enrolment.qrSVG)</div>
                Lukt scannen niet? Voer dan deze sleutel in: <span class="regie-secret">\(grouped.htmlEscaped)</span></li>
                <li>Vul hieronder de code van zes cijfers in die de app toont.</li>
                </ol>
                """)
            + WebPage.form(
                action: "/inloggen/koppelen", csrf: session.csrf,
                WebPage.field(
                    name: "code", label: "Code uit de app", hint: "Zes cijfers; de code wisselt elke 30 seconden.",
                    error: error, autocomplete: "off", extra: " inputmode=\"numeric\" maxlength=\"7\""),
                submit: "Koppelen")
        return page(status, "Authenticator-app koppelen", body)
    }

    func enrol(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        let form = request.form ?? [:]
        guard engine.checkForm(session, csrf: form["csrf"] ?? "") else { return refusedForm() }
        guard session.stage == .enrol else { return redirect(Self.path(of: session.stage)) }
        let (outcome, codes) = try engine.confirmEnrolment(session, code: form["code"] ?? "", context: context)
        switch outcome {
        case .next(let next):
            let list = codes.map { "<li>\($0.htmlEscaped)</li>" }.joined()
            var response = page(
                200, "Uw herstelcodes",
                WebPage.alert("ok", "Uw authenticator-app is gekoppeld en u bent ingelogd.")
                    + WebPage.paragraph(
                        "Bewaar deze herstelcodes op een veilige plek. Kwijt u uw telefoon, dan logt u met één van deze codes in plaats van een code uit de app in; elke code werkt één keer. Regie toont ze alleen nu."
                    )
                    + Markup("<ul class=\"regie-codes\">\(list)</ul><p><a href=\"/\">Verder naar Regie</a></p>"),
                session: next)
            response.headers.add("Set-Cookie", sessionCookie.set(next.token))
            return response
        case .locked: return lockedOut()
        default:
            return try enrolPage(
                request,
                error: "Deze code klopt niet. Kijk of de tijd op uw telefoon goed staat en probeer de nieuwe code.",
                status: 400)
        }
    }

    func codePage(_ request: HTTPRequest, error: String? = nil, status: Int = 200) throws(EngineError) -> HTTPResponse {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        guard session.stage == .secondFactor else { return redirect(Self.path(of: session.stage)) }
        let body =
            WebPage.errorSummary(error.map { [(field: "code", message: $0)] } ?? [])
            + WebPage.form(
                action: "/inloggen/code", csrf: session.csrf,
                WebPage.field(
                    name: "code", label: "Code uit uw authenticator-app",
                    hint: "Zes cijfers. Telefoon kwijt? Vul een van uw herstelcodes in (zoals abcde-fghjk).",
                    error: error, autocomplete: "off", extra: " autocapitalize=\"none\""),
                submit: "Inloggen")
        return page(status, "Tweede stap", body)
    }

    func verifyCode(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard let session = try current(request) else { return redirect("/inloggen?verlopen=1") }
        let form = request.form ?? [:]
        guard engine.checkForm(session, csrf: form["csrf"] ?? "") else { return refusedForm() }
        guard session.stage == .secondFactor else { return redirect(Self.path(of: session.stage)) }
        switch try engine.verifySecondFactor(session, code: form["code"] ?? "", context: context) {
        case .next(let next):
            var response = redirect("/")
            response.headers.add("Set-Cookie", sessionCookie.set(next.token))
            return response
        case .locked: return lockedOut()
        default: return try codePage(request, error: "Deze code klopt niet of is al gebruikt.", status: 401)
        }
    }

    func logOut(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard let session = try current(request) else { return redirect("/inloggen") }
        guard engine.checkForm(session, csrf: (request.form ?? [:])["csrf"] ?? "") else { return refusedForm() }
        try engine.logOut(session, context: context)
        var response = redirect("/inloggen?uit=1")
        response.headers.add("Set-Cookie", sessionCookie.clear())
        return response
    }

    func startSSO(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard engine.identity.sso != nil else {
            return page(404, "Pagina niet gevonden", WebPage.paragraph("Inloggen via uw organisatie staat uit."))
        }
        let start = try engine.beginSSO(context: context)
        var response = redirect(start.redirect)
        response.headers.add("Set-Cookie", ssoCookie.set(start.token))
        return response
    }

    func finishSSO(_ request: HTTPRequest, _ context: Engine.LoginContext) throws(EngineError) -> HTTPResponse {
        guard engine.identity.sso != nil else {
            return page(404, "Pagina niet gevonden", WebPage.paragraph("Inloggen via uw organisatie staat uit."))
        }
        let query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let outcome = try engine.finishSSO(
            token: ssoCookie.value(in: request) ?? "", code: query["code"], state: query["state"],
            error: query["error"], context: context)
        switch outcome {
        case .loggedIn(let session):
            // A page, not a redirect: the browser came from the identity provider's site, and would not send the
            // new SameSite=Strict cookie on a redirect that is part of that navigation; it does on the next one.
            var response = page(
                200, "Ingelogd",
                WebPage.alert("ok", "U bent ingelogd via uw organisatie.")
                    + Markup("<p><a href=\"/\">Verder naar Regie</a></p>"), refresh: "/")
            response.headers.add("Set-Cookie", sessionCookie.set(session.token))
            response.headers.add("Set-Cookie", ssoCookie.clear())
            return response
        case .refused(let reason):
            var response = page(
                401, "Inloggen via uw organisatie is mislukt",
                WebPage.alert("error", "Regie kon uw inlog bij uw organisatie niet aanvaarden.")
                    + WebPage.paragraph("Reden (voor functioneel beheer): \(reason)")
                    + Markup("<p><a href=\"/inloggen\">Opnieuw inloggen</a></p>"))
            response.headers.add("Set-Cookie", ssoCookie.clear())
            return response
        }
    }

    // MARK: Helpers

    /// The session the request's cookie belongs to, if it runs.
    func current(_ request: HTTPRequest) throws(EngineError) -> Engine.WebSession? {
        guard let token = sessionCookie.value(in: request) else { return nil }
        return try engine.session(token: token)
    }

    static func path(of stage: Engine.LoginStage) -> String {
        switch stage {
        case .changePassword: "/inloggen/wachtwoord"
        case .enrol: "/inloggen/koppelen"
        case .secondFactor: "/inloggen/code"
        case .active: "/"
        }
    }

    func lockedOut() -> HTTPResponse {
        var response = page(
            403, "Account geblokkeerd",
            WebPage.alert(
                "error",
                "Uw account is geblokkeerd na te veel mislukte pogingen. Neem contact op met functioneel beheer van uw regio om het te deblokkeren."
            ))
        response.headers.add("Set-Cookie", sessionCookie.clear())
        return response
    }

    func refusedForm() -> HTTPResponse {
        page(
            403, "Formulier geweigerd",
            WebPage.alert(
                "error",
                "Dit formulier is verlopen of kwam niet van een pagina van Regie. Ga terug, laad de pagina opnieuw en probeer het nog eens."
            ) + Markup("<p><a href=\"/\">Naar de startpagina</a></p>"))
    }

    func redirect(_ location: String) -> HTTPResponse {
        var response = HTTPResponse(status: 303, headers: HTTPHeaders([("Location", location)]))
        Self.secure(&response.headers)
        return response
    }

    func page(
        _ status: Int, _ title: String, _ body: Markup, session: Engine.WebSession? = nil, current: String? = nil,
        refresh: String? = nil, breadcrumb: Markup? = nil
    ) -> HTTPResponse {
        let organisation = session.map { engine.config.partner($0.person.partner)?.name ?? $0.person.partner }
        let html = WebPage.page(
            title: title,
            signedIn: session.flatMap { s in organisation.map { (s.person.name, $0, s.csrf) } },
            nav: session.map { menu(for: $0.person) } ?? [], current: current,
            theme: session.map { theme.has($0.person.partner) ? $0.person.partner : "regio" }, refresh: refresh,
            breadcrumb: breadcrumb, body)
        var response = HTTPResponse(
            status: status, headers: HTTPHeaders([("Content-Type", "text/html; charset=utf-8")]),
            body: Array(html.html.utf8))
        Self.secure(&response.headers)
        return response
    }

    /// The pages a person's roles open to them.
    func menu(for person: Person) -> [WebPage.NavLink] {
        var links = [WebPage.NavLink(href: "/", label: "Mijn werk")]
        if !person.roles.isDisjoint(with: [.procesregisseur, .ketenregisseur, .bestuurlijk]) {
            links.append(.init(href: "/escalaties", label: "Escalaties"))
        }
        if person.roles.contains(.casusregisseur) {
            links.append(.init(href: "/casus/nieuw", label: "Nieuwe casus"))
            links.append(.init(href: "/opzoeken", label: "Is deze persoon bekend?"))
        }
        if engine.mayReport(person.partner) {
            links.append(.init(href: "/monitor", label: "Monitor"))
        }
        if person.roles.contains(.functioneelBeheer) {
            links.append(.init(href: "/beheer", label: "Beheer"))
            links.append(.init(href: "/inzage", label: "Inzage voor een cliënt"))
        }
        return links
    }

    /// The 404 page: for a page that does not exist and for a case the person may not see alike.
    func notFound(session: Engine.WebSession? = nil) -> HTTPResponse {
        page(
            404, "Pagina niet gevonden",
            WebPage.paragraph("Deze pagina bestaat niet, of u mag hem niet zien.")
                + Markup("<p><a href=\"/\">Naar Mijn werk</a></p>"), session: session)
    }

    /// Runs `page` for the signed-in person, or sends them to log in (or on with their login). The person is kept
    /// in `call` for the page's access-log records.
    func signedIn(
        _ call: inout WebCall, _ page: (inout WebCall, Engine.WebSession) throws(EngineError) -> HTTPResponse
    ) throws(EngineError) -> HTTPResponse {
        guard let session = try current(call.request) else { return redirect("/inloggen") }
        guard session.stage == .active else { return redirect(Self.path(of: session.stage)) }
        call.session = session
        return try page(&call, session)
    }

    /// As `signedIn`, for a form: refused unless it carries the session's form token.
    func signedInForm(
        _ call: inout WebCall, _ page: (inout WebCall, Engine.WebSession) throws(EngineError) -> HTTPResponse
    ) throws(EngineError) -> HTTPResponse {
        try signedIn(&call) { call, session throws(EngineError) in
            guard engine.checkForm(session, csrf: call.form["csrf"] ?? "") else {
                call.detail = "form token refused"
                return refusedForm()
            }
            return try page(&call, session)
        }
    }

    /// The headers every response of the workspace carries: no script, no framing, no sniffing, no referrer, not
    /// kept in caches.
    static func secure(_ headers: inout HTTPHeaders) {
        headers.set(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        headers.set("X-Content-Type-Options", "nosniff")
        headers.set("Referrer-Policy", "no-referrer")
        headers.set("X-Frame-Options", "DENY")
        headers.set("Cross-Origin-Opener-Policy", "same-origin")
        headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.set("Cache-Control", "no-store")
    }
}
