import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// The region's stories told in the workspace, person by person, as their browsers do it: at every step, every
/// person in the story opens the case page, and sees it or gets the 404 page an unknown case gets.
@Suite struct WorkspaceTests {
    /// The shipped region served, and the people of the stories, each logged in with their own cookies.
    final class Region {
        let web: WebHarness
        private var jars: [String: [String: String]] = [:]
        /// login → organisation
        let people: [(login: String, partner: String, roles: Set<PersonRole>)] = [
            ("c.bw", "bw-aanbieder", [.casusregisseur]),
            ("p.haarlem", "gemeente-haarlem", [.procesregisseur]),
            ("k.keten", "ketenregisseur-zkih", [.ketenregisseur]),
            ("c.ggz", "ggz-aanbieder", [.casusregisseur]),
            ("c.vz", "verslavingszorg", [.casusregisseur]),
            ("c.woning", "woningcorporatie", [.casusregisseur]),
        ]

        private var secrets: [String: String] = [:]

        init() throws {
            web = try WebHarness()
            for p in people {
                web.cookies = [:]
                secrets[p.login] = try web.firstLogin(p.login, partner: p.partner, roles: p.roles).secret
                jars[p.login] = web.cookies
            }
        }

        /// Moves the clock on by working days and fires what fell due; everyone logs in again (their sessions ran
        /// out meanwhile).
        func later(workingDays: Int) throws {
            web.clock.set(web.engine.config.calendar.shifting(web.clock.now(), byWorkingDays: workingDays))
            _ = try web.engine.fireDueTimers()
            for p in people {
                try self.as(p.login) { web in
                    web.cookies = [:]
                    let start = try web.request("GET", "/inloggen")
                    let r = try web.request(
                        "POST", "/inloggen",
                        form: [
                            "csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": p.login,
                            "wachtwoord": "een lange zin als wachtwoord",
                        ])
                    #expect(r.location == "/inloggen/code")
                    let page = try web.request("GET", "/inloggen/code")
                    let done = try web.request(
                        "POST", "/inloggen/code",
                        form: ["csrf": WebHarness.csrf(page.body) ?? "", "code": web.code(secrets[p.login] ?? "")])
                    #expect(done.location == "/")
                }
            }
        }

        /// Runs `body` in `login`'s browser.
        func `as`<T>(_ login: String, _ body: (WebHarness) throws -> T) rethrows -> T {
            web.cookies = jars[login] ?? [:]
            defer { jars[login] = web.cookies }
            return try body(web)
        }

        func get(_ path: String, as login: String) throws -> WebHarness.Response {
            try self.as(login) { try $0.request("GET", path) }
        }

        /// Posts a form from the page at `page`, with the page's form token.
        func post(_ path: String, from page: String, as login: String, _ form: [String: String]) throws
            -> WebHarness.Response
        {
            try self.as(login) { web in
                let shown = try web.request("GET", page)
                var form = form
                form["csrf"] = WebHarness.csrf(shown.body) ?? ""
                return try web.request("POST", path, form: form)
            }
        }

        /// Fires `event` from the case page as `login`; the form's inputs are named after the event.
        @discardableResult
        func act(
            _ id: String, _ event: String, as login: String, _ values: [String: String],
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> WebHarness.Response {
            var form = ["event": event]
            for (k, v) in values { form["\(event)-\(k)"] = v }
            let page = try get("/casus/\(id)", as: login)
            if let role = Self.hiddenRole(page.body, event: event) { form["role"] = role }
            let r = try post("/casus/\(id)/actie", from: "/casus/\(id)", as: login, form)
            #expect(
                r.status == 303, "\(login) \(event): \(r.status) \(Self.text(r.body))", sourceLocation: sourceLocation)
            return r
        }

        static func hiddenRole(_ page: String, event: String) -> String? {
            guard let form = page.range(of: "id=\"actie-\(event)\"") else { return nil }
            let rest = page[form.upperBound...]
            guard let r = rest.range(of: "name=\"role\" value=\"") else { return nil }
            return String(rest[r.upperBound...].prefix { $0 != "\"" })
        }

        /// The page's text without its markup, for messages.
        static func text(_ html: String) -> String {
            html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }

        /// What each person gets for the case page: 200 or 404.
        func sight(_ id: String) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for p in people { out[p.login] = try get("/casus/\(id)", as: p.login).status }
            return out
        }
    }

    static func caseId(from location: String?) -> String? {
        guard let location, location.hasPrefix("/casus/") else { return nil }
        return String(location.dropFirst(7).prefix { $0 != "?" && $0 != "/" })
    }

    /// A case stalls and escalates by itself; the procesregisseur escalates it to the ketenregisseur, who takes a
    /// doorzettingsbesluit with an opdracht for the GGZ; the GGZ sees the opdracht on Mijn werk and reports it
    /// done. Then the regiehouder hands the case over warmly to addiction care. The housing corporation, which
    /// takes no part, gets the 404 page at every step.
    @Test func anEscalationAndAHandoverInTheWorkspace() throws {
        let region = try Region()
        let opened = try region.post(
            "/casus/nieuw", from: "/casus/nieuw", as: "c.bw",
            ["werkwijze": "netwerkcasus", "regie": "bw-aanbieder", "gemeente": "gemeente-haarlem", "bsn": "111222333"])
        #expect(opened.status == 303)
        let id = try #require(Self.caseId(from: opened.location))
        var expected = [
            "c.bw": 200, "p.haarlem": 200, "k.keten": 404, "c.ggz": 404, "c.vz": 404, "c.woning": 404,
        ]
        #expect(try region.sight(id) == expected)
        let first = try region.get("/casus/\(id)", as: "c.bw")
        #expect(first.body.contains("aria-current=\"step\""))
        #expect(first.body.contains("Bureau Wonen") || first.body.contains("bw-aanbieder") || first.status == 200)
        try region.act(id, "plan-vastgesteld", as: "c.bw", ["note": "plan: woning, schulden, zorg"])
        // On Mijn werk: the regiehouder sees its case with the plan deadline gone and the stagnation deadline.
        let bwWork = try region.get("/", as: "c.bw")
        #expect(bwWork.body.contains(id) && bwWork.body.contains("Regie voeren"))

        // Ten working days without progress: the case escalates to procesregie by itself.
        try region.later(workingDays: 11)
        #expect(try region.web.engine.show(id).level == 1)
        let board = try region.get("/escalaties", as: "p.haarlem")
        #expect(board.status == 200 && board.body.contains(id))
        #expect(try region.get("/", as: "p.haarlem").body.contains("Besluiten op de escalatie (niveau 1"))
        #expect(try region.get("/escalaties", as: "c.bw").status == 404)  // no mandate, no board
        #expect(try region.sight(id) == expected)

        // The procesregisseur escalates it to the ketenregisseur, with the question.
        try region.act(
            id, "opschalen", as: "p.haarlem",
            ["motivation": "partners komen er niet uit", "veld-vraag": "wie neemt de schuldhulp op zich?"])
        expected["k.keten"] = 200
        #expect(try region.sight(id) == expected)
        let keten = try region.get("/escalaties", as: "k.keten")
        #expect(keten.body.contains(id) && keten.body.contains("wie neemt de schuldhulp op zich?"))
        #expect(try region.get("/", as: "k.keten").body.contains("Besluiten op de escalatie (niveau 2"))

        // The ketenregisseur decides: the GGZ carries an opdracht, with a term.
        try region.act(
            id, "doorzettingsbesluit", as: "k.keten",
            [
                "target": "ggz-aanbieder", "veld-besluit": "opdracht", "veld-termijn": "5",
                "motivation": "de GGZ heeft de schuldhulpmaatje-capaciteit", "note": "start schuldhulp",
            ])
        expected["c.ggz"] = 200
        #expect(try region.sight(id) == expected)
        let ggzWork = try region.get("/", as: "c.ggz")
        #expect(ggzWork.body.contains(id) && ggzWork.body.contains("Opdracht uitvoeren"))
        try region.act(id, "opdracht-uitgevoerd", as: "c.ggz", ["note": "schuldhulp gestart"])
        #expect(!(try region.get("/", as: "c.ggz").body.contains("Opdracht uitvoeren")))
        let timeline = try region.get("/casus/\(id)", as: "c.bw").body
        #expect(timeline.contains("opdracht-uitgevoerd") && timeline.contains("schuldhulp gestart"))

        // A warm handover to addiction care: offered, accepted, met, completed.
        try region.act(
            id, "overdracht-aanbieden", as: "c.bw",
            ["target": "verslavingszorg", "note": "regie naar verslavingszorg", "veld-onderwerp": "regie"])
        expected["c.vz"] = 200
        #expect(try region.sight(id) == expected)
        #expect(try region.get("/", as: "c.vz").body.contains("Overdracht aannemen of weigeren"))
        try region.act(id, "overdracht-accepteren", as: "c.vz", [:])
        #expect(try region.get("/", as: "c.vz").body.contains("Kennismaken met de cliënt"))
        try region.act(id, "kennismaking", as: "c.vz", ["note": "kennisgemaakt met cliënt en bw"])
        try region.act(id, "overdracht-afronden", as: "c.vz", [:])
        #expect(try region.web.engine.show(id).regie.partner == "verslavingszorg")
        let after = try region.get("/casus/\(id)", as: "c.vz").body
        #expect(Region.text(after).contains("Regiehouder \(region.web.engine.config.partner("verslavingszorg")!.name)"))
        #expect(try region.sight(id)["c.woning"] == 404)

        // Every page a person saw is in the access log under their name, with their session.
        let log = try region.web.engine.auditRecords(CaseStore.AuditFilter())
        let reads: [AuditEntry] = log.filter { e in e.channel == .web && e.caseId == id && e.action == "read" }
        let readers = Set(reads.compactMap { (e: AuditEntry) in e.person })
        #expect(readers.isSuperset(of: ["c.bw", "p.haarlem", "k.keten", "c.ggz", "c.vz"]))
        #expect(reads.allSatisfy { (e: AuditEntry) in e.identity == .login && e.via?.hasPrefix("s-") == true })
        #expect(reads.contains { (e: AuditEntry) in e.person == "k.keten" && e.role == "ketenregisseur" })
        #expect(reads.contains { (e: AuditEntry) in e.person == "c.ggz" && e.role == "casusregisseur" })
        #expect(log.contains { (e: AuditEntry) in e.person == "c.woning" && e.caseId == id && e.outcome == .notFound })
        let writes: [AuditEntry] = log.filter { e in e.channel == .web && e.caseId == id && e.action == "write" }
        #expect(writes.contains { (e: AuditEntry) in e.person == "k.keten" && e.role == "ketenregisseur" })
    }

    /// What people type is shown as text on every page that shows it, never as markup.
    @Test func freeTextIsEscapedOnEveryPage() throws {
        let region = try Region()
        let payloads = [
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "' onmouseover='alert(3)",
        ]
        let opened = try region.post(
            "/casus/nieuw", from: "/casus/nieuw", as: "c.bw",
            ["werkwijze": "netwerkcasus", "gemeente": "gemeente-haarlem", "contact": payloads[0]])
        let id = try #require(Self.caseId(from: opened.location))
        try region.act(id, "plan-vastgesteld", as: "c.bw", ["note": payloads.joined()])
        try region.act(
            id, "opschalen", as: "c.bw", ["motivation": payloads[1], "veld-vraag": payloads.joined(separator: " ")])
        // A refused action shows what was typed back in its form.
        let refused = try region.post(
            "/casus/\(id)/actie", from: "/casus/\(id)", as: "c.bw",
            ["event": "voortgang", "role": "regiehouder", "voortgang-note": ""])
        #expect(refused.status == 422)
        // Up to the ketenregisseur, who gives the GGZ an opdracht whose text is a payload too; a person's name too.
        try region.act(
            id, "opschalen", as: "p.haarlem", ["motivation": payloads[2], "veld-vraag": payloads[1]])
        try region.act(
            id, "doorzettingsbesluit", as: "k.keten",
            [
                "target": "ggz-aanbieder", "veld-besluit": "opdracht", "motivation": payloads[0],
                "note": payloads.joined(separator: "|"),
            ])
        _ = try region.web.engine.addPerson(
            login: "x.payload", name: payloads.joined(), partner: "ggd-vangnet", roles: [.casusregisseur],
            audit: WebHarness.administrator)
        region.web.cookies = [:]
        try region.web.firstLogin("f.beheer", partner: "gemeente-haarlem", roles: [.functioneelBeheer])
        let beheer = try region.web.request("GET", "/beheer").body
        for p in payloads { #expect(!beheer.contains(p), "Beheer shows \(p) unescaped") }
        #expect(beheer.contains(payloads[0].htmlEscaped))
        #expect(try region.get("/", as: "c.ggz").body.contains(payloads[0].htmlEscaped))  // the opdracht's text
        for (login, path) in [
            ("c.bw", "/casus/\(id)"), ("c.bw", "/"), ("p.haarlem", "/casus/\(id)"), ("k.keten", "/escalaties"),
            ("k.keten", "/casus/\(id)"), ("c.ggz", "/"), ("c.ggz", "/casus/\(id)"),
        ] {
            let body = try region.get(path, as: login).body
            for p in payloads {
                #expect(!body.contains(p), "\(path) shows \(p) unescaped")
            }
            #expect(!body.contains("<script"), "\(path)")
            #expect(
                payloads.contains { body.contains($0.htmlEscaped) } || path == "/",
                "\(path) as \(login) does not show the text at all")
        }
    }

    /// Forms need their session's token; a session past its idle time is sent to log in; every answer carries the
    /// policy that forbids script.
    @Test func formsTokensSessionsAndHeaders() throws {
        let region = try Region()
        let opened = try region.post(
            "/casus/nieuw", from: "/casus/nieuw", as: "c.bw",
            ["werkwijze": "netwerkcasus", "gemeente": "gemeente-haarlem"])
        let id = try #require(Self.caseId(from: opened.location))
        let staleToken = try region.as("c.bw") { web in WebHarness.csrf(try web.request("GET", "/").body) ?? "" }
        // Without a token, and with another session's token: refused, nothing fired.
        for token in [nil, try region.as("c.vz") { web in WebHarness.csrf(try web.request("GET", "/").body) }] {
            var form = ["event": "plan-vastgesteld", "role": "regiehouder", "plan-vastgesteld-note": "x"]
            form["csrf"] = token ?? nil
            let r = try region.as("c.bw") { try $0.request("POST", "/casus/\(id)/actie", form: form) }
            #expect(r.status == 403 && r.body.contains("Formulier geweigerd"))
        }
        #expect(try region.web.engine.show(id).state == "aangemeld")
        // Two people on the same page: the second acts on what the case no longer is, and is told so.
        let seen = try region.get("/casus/\(id)", as: "c.bw").body
        let sequence = try #require(seen.range(of: "name=\"volgnummer\" value=\"")).upperBound
        let stale = String(seen[sequence...].prefix { $0 != "\"" })
        try region.act(id, "contactpersoon", as: "c.bw", ["contact": "Anna, 06-12345678"])
        let late = try region.post(
            "/casus/\(id)/actie", from: "/casus/\(id)", as: "c.bw",
            [
                "event": "plan-vastgesteld", "role": "regiehouder", "volgnummer": stale,
                "plan-vastgesteld-note": "plan op de oude stand",
            ])
        #expect(late.status == 422 && late.body.contains("de casus is veranderd sinds u de pagina opende"))
        #expect(try region.web.engine.show(id).state == "aangemeld")
        // Past the idle timeout: to the login page, and the old token is worthless.
        region.web.clock.set(region.web.clock.now().adding(seconds: 16 * 60))
        let expired = try region.get("/casus/\(id)", as: "c.bw")
        #expect(expired.status == 303 && expired.location == "/inloggen")
        let expiredForm = try region.as("c.bw") { web in
            try web.request(
                "POST", "/casus/\(id)/actie",
                form: [
                    "csrf": staleToken, "event": "plan-vastgesteld", "role": "regiehouder",
                    "plan-vastgesteld-note": "x",
                ])
        }
        #expect(expiredForm.status == 303 && expiredForm.location == "/inloggen")
        #expect(try region.web.engine.show(id).state == "aangemeld")
        // The headers, on every page of the workspace, for someone logged in and for someone who is not.
        let fresh = try Region()
        for path in [
            "/", "/escalaties", "/casus/nieuw", "/opzoeken", "/beheer", "/inzage", "/toegankelijkheid", "/casus/\(id)",
            "/casus/bestaat-niet", "/static/regie.css", "/static/thema/regio.css", "/inloggen",
        ] {
            for login in ["c.bw", "nobody"] {
                let r = try fresh.get(path, as: login)
                #expect(
                    r.headers["content-security-policy"]?.contains("default-src 'none'") == true,
                    "\(path) as \(login)")
                #expect(r.headers["x-frame-options"] == "DENY", "\(path)")
            }
        }
    }

    /// The functional administrator manages people and keys, and answers a client's request for who saw their
    /// data; nobody else sees those pages.
    @Test func beheerAndInzage() throws {
        let region = try Region()
        region.web.cookies = [:]
        try region.web.firstLogin("f.beheer", partner: "gemeente-haarlem", roles: [.functioneelBeheer])
        let admin = region.web.cookies
        #expect(try region.get("/beheer", as: "c.bw").status == 404)
        #expect(try region.get("/inzage", as: "c.bw").status == 404)
        let opened = try region.post(
            "/casus/nieuw", from: "/casus/nieuw", as: "c.bw",
            ["werkwijze": "netwerkcasus", "gemeente": "gemeente-haarlem", "bsn": "111222333"])
        let id = try #require(Self.caseId(from: opened.location))
        _ = try region.get("/casus/\(id)", as: "p.haarlem")

        region.web.cookies = admin
        let page = try region.web.request("GET", "/beheer")
        #expect(page.status == 200 && page.body.contains("c.woning"))
        let token = WebHarness.csrf(page.body) ?? ""
        let disabled = try region.web.request(
            "POST", "/beheer/personen/c.woning", form: ["csrf": token, "actie": "uitschakelen"])
        #expect(disabled.status == 200 && disabled.body.contains("uitgeschakeld"))
        #expect(try region.web.engine.person("c.woning").status == .disabled)
        let added = try region.web.request(
            "POST", "/beheer/personen",
            form: [
                "csrf": token, "login": "n.nieuw", "naam": "Nieuwe Collega", "organisatie": "ggd-vangnet",
                "rol-casusregisseur": "1",
            ])
        #expect(added.status == 200 && added.body.contains("eenmalige wachtwoord"))
        let roles = try region.web.request(
            "POST", "/beheer/personen/c.vz",
            form: ["csrf": token, "actie": "rollen", "rol-casusregisseur": "1", "rol-functioneel-beheer": "1"])
        #expect(roles.status == 200 && roles.body.contains("zijn opgeslagen"))
        #expect(try region.web.engine.person("c.vz").roles == [.casusregisseur, .functioneelBeheer])
        let refused = try region.web.request(
            "POST", "/beheer/personen/c.vz", form: ["csrf": token, "actie": "rollen", "rol-ketenregisseur": "1"])
        #expect(refused.status == 400)  // verslavingszorg holds no ketenregie mandate
        let reset = try region.web.request(
            "POST", "/beheer/personen/c.vz", form: ["csrf": token, "actie": "herstellen-wachtwoord"])
        #expect(reset.status == 200 && reset.body.contains("eenmalige wachtwoord"))
        #expect(try region.web.engine.person("c.vz").mustChangePassword)
        let hook = try region.web.request(
            "POST", "/beheer/webhooks",
            form: [
                "csrf": token, "webhook-organisatie": "ggz-aanbieder", "url": "https://ggz.example.nl/regie",
                "gebeurtenissen": "*", "vorm": "thin",
            ])
        #expect(hook.status == 200 && hook.body.contains("whsec_"))
        let endpoint = try #require(try region.web.engine.webhookEndpoints(partner: "ggz-aanbieder").first)
        let rotated = try region.web.request(
            "POST", "/beheer/webhooks/\(endpoint.id)", form: ["csrf": token, "actie": "roteren"])
        #expect(
            rotated.status == 200 && rotated.body.contains("nieuw geheim"),
            "\(rotated.status) \(Region.text(rotated.body).suffix(300))")
        #expect(try region.get("/beheer/personen/c.vz", as: "c.bw").status == 404)
        region.web.cookies = admin
        let key = try region.web.request(
            "POST", "/beheer/sleutels",
            form: ["csrf": token, "sleutel-organisatie": "ggd-vangnet", "omschrijving": "GGD-systeem"])
        #expect(key.status == 200 && key.body.contains("rgk_"))

        let report = try region.web.request("POST", "/inzage", form: ["csrf": token, "bsn": "111222333"])
        #expect(report.status == 200)
        let text = Region.text(report.body)
        #expect(text.contains("p.haarlem") && text.contains("c.bw") && text.contains(id))
        #expect(!report.body.contains("111222333\"") && report.body.contains("regie-print"))
        // The inzage itself is logged, under the client's pseudonym, never the BSN.
        let log = try region.web.engine.auditRecords(CaseStore.AuditFilter())
        let own = try #require(log.last { $0.person == "f.beheer" && $0.resource == "POST /inzage" })
        #expect(own.clientKey == (try region.web.engine.clientKey(bsn: "111222333")))
        #expect(own.action == "inzage" && own.role == "functioneel-beheer")
        #expect(!log.contains { ($0.detail ?? "").contains("111222333") })
    }
}
