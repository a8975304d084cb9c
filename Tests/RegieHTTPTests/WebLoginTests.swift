import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// A person logs in to the workspace: the one-time password, their own password, the authenticator app, sessions,
/// and what stops someone else: lock-out, throttling, form tokens, expiry, and the headers on every page.
@Suite struct WebLoginTests {
    /// Jan de Vries of gemeente Haarlem logs in for the first time, logs out, and logs in again with a code and
    /// with a recovery code; each step is in the access log with his name, his organisation and his session, and no
    /// password, code or session id is anywhere in it.
    @Test func aPersonLogsInWithPasswordAndAppAndIsNamedInTheLog() throws {
        let web = try WebHarness()
        let (secret, recovery) = try web.firstLogin("j.devries")
        #expect(recovery.count == 10)
        var home = try web.request("GET", "/")
        #expect(home.status == 200 && home.body.contains("Welkom, Test j.devries"))
        #expect(home.body.contains("Gemeente Haarlem") || home.body.contains("gemeente-haarlem"))

        var r = try web.request("POST", "/uitloggen", form: ["csrf": WebHarness.csrf(home.body) ?? ""])
        #expect(r.status == 303 && r.location == "/inloggen?uit=1")
        #expect(try web.request("GET", "/").location == "/inloggen")

        // Again: password, then a code from the app (a later one: a code is accepted once).
        web.clock.advance(seconds: 60)
        for (i, second) in [web.code(secret), recovery[0]].enumerated() {
            let start = try web.request("GET", "/inloggen")
            r = try web.request(
                "POST", "/inloggen",
                form: [
                    "csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "J.deVries ",
                    "wachtwoord": "een lange zin als wachtwoord",
                ])
            #expect(r.status == 303 && r.location == "/inloggen/code", "round \(i)")
            let ask = try web.request("GET", "/inloggen/code")
            r = try web.request(
                "POST", "/inloggen/code", form: ["csrf": WebHarness.csrf(ask.body) ?? "", "code": second])
            #expect(r.status == 303 && r.location == "/", "round \(i)")
            home = try web.request("GET", "/")
            #expect(home.status == 200)
            r = try web.request("POST", "/uitloggen", form: ["csrf": WebHarness.csrf(home.body) ?? ""])
        }
        // The recovery code is used up.
        let person = try web.engine.person("j.devries")
        #expect(person.recoveryCodesLeft == 9 && person.failedLogins == 0 && person.lastLoginAt != nil)

        let records = try web.engine.auditRecords(CaseStore.AuditFilter()).filter { $0.channel == .web }
        #expect(records.count >= 8)
        for record in records {
            #expect(record.person == "j.devries" && record.partner == "gemeente-haarlem")
            #expect(record.identity == .login && record.via?.hasPrefix("s-") == true)
        }
        #expect(records.contains { $0.detail == "second factor enrolled; 10 recovery codes issued; logged in" })
        #expect(records.contains { $0.detail == "logged in with a recovery code; 9 left" })
        #expect(records.contains { $0.action == "logout" })
        let log = try web.engine.auditRecords(CaseStore.AuditFilter()).map { $0.json.compactText }.joined()
        for secretText in ["een lange zin", secret, recovery[0], recovery[1]] + web.cookies.values {
            #expect(!log.contains(secretText))
        }
        #expect(try web.engine.verifyAudit().broken.isEmpty)
    }

    /// Each stage of the login runs under a new session id: an id seen before a step stops working after it.
    @Test func theSessionIdChangesAtEveryStepAndTheOldOneStops() throws {
        let web = try WebHarness()
        let added = try web.engine.addPerson(
            login: "a.arts", name: "A. Arts", partner: "gemeente-haarlem", roles: [.casusregisseur],
            audit: WebHarness.administrator)
        let start = try web.request("GET", "/inloggen")
        let preLogin = web.cookies
        try web.request(
            "POST", "/inloggen",
            form: [
                "csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "a.arts",
                "wachtwoord": added.temporaryPassword ?? "",
            ])
        let afterPassword = web.cookies
        #expect(afterPassword["__Host-regie-sessie"] != nil && afterPassword["__Host-regie-inloggen"] == nil)
        #expect(preLogin["__Host-regie-sessie"] == nil)
        let choose = try web.request("GET", "/inloggen/wachtwoord")
        try web.request(
            "POST", "/inloggen/wachtwoord",
            form: [
                "csrf": WebHarness.csrf(choose.body) ?? "", "nieuw": "nog een lange zin",
                "herhaal": "nog een lange zin",
            ])
        let afterChange = web.cookies
        #expect(afterChange["__Host-regie-sessie"] != afterPassword["__Host-regie-sessie"])
        // The id from before the change is dead; the new one goes on to the enrolment.
        #expect(try web.request("GET", "/inloggen/koppelen", cookies: afterPassword).location == "/inloggen?verlopen=1")
        #expect(try web.request("GET", "/inloggen/koppelen").status == 200)
        // A half-logged-in session reaches no page of the workspace.
        #expect(try web.request("GET", "/").location == "/inloggen/koppelen")
    }

    /// A form without the session's token, or with another session's, is refused and changes nothing.
    @Test func formsWithoutTheirTokenAreRefused() throws {
        let web = try WebHarness()
        try web.firstLogin("p.smit")
        let home = try web.request("GET", "/")
        #expect(try web.request("POST", "/uitloggen", form: [:]).status == 403)
        #expect(try web.request("POST", "/uitloggen", form: ["csrf": String(repeating: "0", count: 64)]).status == 403)
        #expect(try web.request("GET", "/").status == 200)  // still logged in
        // The login form needs the token of the browser's own pre-login cookie.
        let other = try WebHarness()
        let start = try other.request("GET", "/inloggen")
        let r = try web.request(
            "POST", "/inloggen",
            form: ["csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "p.smit", "wachtwoord": "x"],
            cookies: [:])
        #expect(r.status == 403 && r.body.contains("Formulier geweigerd"))
        #expect(try web.engine.person("p.smit").failedLogins == 0)
        _ = home
    }

    /// Every answer of the workspace, whatever its status, carries the security headers; cookies are HttpOnly,
    /// Secure and SameSite=Strict.
    @Test func everyPageCarriesTheSecurityHeaders() throws {
        let web = try WebHarness()
        try web.firstLogin("s.jansen")
        var responses: [WebHarness.Response] = []
        for (method, path) in [
            ("GET", "/"), ("GET", "/inloggen"), ("GET", "/bestaat-niet"), ("DELETE", "/inloggen"),
            ("GET", "/static/regie.css"), ("GET", "/inloggen/code"), ("POST", "/uitloggen"),
        ] {
            responses.append(try web.request(method, path, form: method == "POST" ? [:] : nil))
        }
        // A browser without a session gets the login form and its pre-login cookie.
        responses.append(try web.request("GET", "/inloggen", cookies: [:]))
        #expect(Set(responses.map(\.status)) == [200, 303, 404, 405, 403])
        for r in responses {
            let csp = r.headers["content-security-policy"] ?? ""
            #expect(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline") && !csp.contains("script-src"))
            #expect(r.headers["x-content-type-options"] == "nosniff")
            #expect(r.headers["referrer-policy"] == "no-referrer")
        }
        #expect(!responses[0].body.contains("<script"))
        let cookies = responses.flatMap(\.setCookies)
        #expect(!cookies.isEmpty)
        for cookie in cookies {
            #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"))
            #expect(cookie.hasPrefix("__Host-") && cookie.contains("Path=/") && !cookie.contains("Domain"))
        }
    }

    /// Five wrong passwords in a row lock the account; the right password then says so (and only it does); the
    /// lock-out is in the access log and a functional administrator lifts it.
    @Test func repeatedFailuresLockTheAccountUntilUnlocked() throws {
        let web = try WebHarness()
        try web.firstLogin("l.visser")
        func attempt(_ password: String) throws -> WebHarness.Response {
            let start = try web.request("GET", "/inloggen")
            return try web.request(
                "POST", "/inloggen",
                form: ["csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "l.visser", "wachtwoord": password])
        }
        web.cookies = [:]
        for i in 1...5 {
            let r = try attempt("fout \(i)")
            #expect(r.status == (i < 5 ? 401 : 403), "attempt \(i)")
        }
        #expect(try web.engine.person("l.visser").lockedAt != nil)
        // A wrong password tells nothing; the right one says the account is locked.
        #expect(try attempt("nog fout").status == 401)
        let right = try attempt("een lange zin als wachtwoord")
        #expect(right.status == 403 && right.body.contains("geblokkeerd"))
        let records = try web.engine.auditRecords(CaseStore.AuditFilter())
        #expect(records.contains { $0.action == "lock-out" && $0.person == "l.visser" && $0.outcome == .refused })
        try web.engine.unlockPerson("l.visser", audit: WebHarness.administrator)
        #expect(try attempt("een lange zin als wachtwoord").location == "/inloggen/code")
    }

    /// Wrong codes count towards the lock-out as wrong passwords do; a locked person's session ends.
    @Test func wrongCodesLockTheAccountToo() throws {
        let web = try WebHarness()
        try web.firstLogin("m.bos")
        let home = try web.request("GET", "/")
        try web.request("POST", "/uitloggen", form: ["csrf": WebHarness.csrf(home.body) ?? ""])
        let start = try web.request("GET", "/inloggen")
        try web.request(
            "POST", "/inloggen",
            form: [
                "csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "m.bos",
                "wachtwoord": "een lange zin als wachtwoord",
            ])
        var statuses: [Int] = []
        for _ in 1...5 {
            let ask = try web.request("GET", "/inloggen/code")
            guard let csrf = WebHarness.csrf(ask.body) else { break }
            statuses.append(try web.request("POST", "/inloggen/code", form: ["csrf": csrf, "code": "000000"]).status)
        }
        #expect(statuses == [401, 401, 401, 401, 403])
        #expect(try web.engine.person("m.bos").lockedAt != nil)
        #expect(try web.request("GET", "/inloggen/code").location == "/inloggen?verlopen=1")
    }

    /// More attempts per login name than allowed are refused before any password is checked (429, Retry-After).
    @Test func attemptsAreThrottledPerLoginName() throws {
        var identity = WebHarness.fastIdentity
        identity.attemptsPerAccount = 3
        let web = try WebHarness(identity: identity)
        var statuses: [Int] = []
        var last: WebHarness.Response?
        for _ in 1...4 {
            let start = try web.request("GET", "/inloggen")
            last = try web.request(
                "POST", "/inloggen",
                form: ["csrf": WebHarness.csrf(start.body) ?? "", "gebruikersnaam": "iemand", "wachtwoord": "x"])
            statuses.append(last?.status ?? 0)
        }
        #expect(statuses == [401, 401, 401, 429])
        #expect(Int(last?.headers["retry-after"] ?? "") ?? 0 > 0)
        let records = try web.engine.auditRecords(CaseStore.AuditFilter())
        #expect(records.filter { $0.detail == "unknown login name" }.count == 3)
        #expect(records.contains { $0.detail?.hasPrefix("too many login attempts from this login name") == true })
    }

    /// A session ends after 15 minutes without a request and after 8 hours in any case.
    @Test func sessionsEndWhenIdleAndAfterTheirTime() throws {
        let web = try WebHarness()
        try web.firstLogin("r.kok")
        web.clock.advance(seconds: 14 * 60)
        #expect(try web.request("GET", "/").status == 200)
        web.clock.advance(seconds: 15 * 60 + 1)
        #expect(try web.request("GET", "/").location == "/inloggen")

        let again = try WebHarness()
        try again.firstLogin("t.mol")
        for i in 0..<47 {
            again.clock.advance(seconds: 10 * 60)
            let r = try again.request("GET", "/")
            #expect(r.status == 200, "after \((i + 1) * 10) minutes: \(r.status) \(r.location ?? "")")
            if r.status != 200 { break }
        }
        again.clock.advance(seconds: 10 * 60 + 1)
        #expect(try again.request("GET", "/").location == "/inloggen")
    }

    /// A step of the login in a session that ended meanwhile (the person was disabled) changes nothing.
    @Test func aStepInAnEndedSessionChangesNothing() throws {
        let web = try WebHarness()
        let added = try web.engine.addPerson(
            login: "e.eind", name: "E. Eind", partner: "gemeente-haarlem", roles: [.casusregisseur],
            audit: WebHarness.administrator)
        let context = Engine.LoginContext(address: "127.0.0.1", resource: "test")
        guard
            case .next(let session) = try web.engine.logIn(
                login: "e.eind", password: added.temporaryPassword ?? "", context: context)
        else {
            Issue.record("the one-time password was refused")
            return
        }
        try web.engine.disablePerson("e.eind", audit: WebHarness.administrator)
        #expect(throws: EngineError.self) {
            try web.engine.changePassword(
                session, new: "een nieuwe lange zin", repeated: "een nieuwe lange zin", context: context)
        }
        #expect(try web.engine.person("e.eind").mustChangePassword)
    }

    /// Disabling a person ends their session at once.
    @Test func disablingEndsTheSession() throws {
        let web = try WebHarness()
        try web.firstLogin("d.groot")
        #expect(try web.request("GET", "/").status == 200)
        try web.engine.disablePerson("d.groot", audit: WebHarness.administrator)
        #expect(try web.request("GET", "/").location == "/inloggen")
    }
}

/// What the workspace's pages will stand on: a logged-in person acts as their organisation only in the roles they
/// hold, and every record of what they do names them, their organisation, the role and the session.
@Suite struct PersonActsTests {
    @Test func aPersonActsForTheirOrganisationInTheirRolesOnly() throws {
        let web = try WebHarness()
        try web.firstLogin("p.regisseur", roles: [.casusregisseur, .procesregisseur])
        let token = try #require(web.cookies["__Host-regie-sessie"])
        let session = try #require(try web.engine.session(token: token))
        #expect(
            session.actor(for: .regiehouder)
                == Actor(partner: "gemeente-haarlem", person: "p.regisseur", role: .regiehouder))
        #expect(session.actor(for: .procesregisseur)?.role == .procesregisseur)
        #expect(session.actor(for: .ketenregisseur) == nil && session.actor(for: .bestuurlijk) == nil)
        let entry = session.auditEntry(
            at: web.clock.now(), action: "read", resource: "GET /casus/{id}", role: .procesregisseur,
            address: "10.0.0.1")
        #expect(entry.person == "p.regisseur" && entry.partner == "gemeente-haarlem" && entry.role == "procesregisseur")
        #expect(entry.identity == .login && entry.via == session.ref && entry.channel == .web)
        try web.engine.audit(entry)
        #expect(try web.engine.verifyAudit().broken.isEmpty)
    }
}

/// Session rows (with the address they came from) are removed by the retention run 30 days after they ended; a
/// running session stays.
@Suite struct SessionRetentionTests {
    @Test func oldSessionsAreRemovedAndRunningOnesStay() throws {
        let web = try WebHarness()
        try web.firstLogin("o.oud")
        let home = try web.request("GET", "/")
        try web.request("POST", "/uitloggen", form: ["csrf": WebHarness.csrf(home.body) ?? ""])
        web.clock.advance(seconds: 31 * 86_400 + 8 * 3600)
        try web.firstLogin("n.nieuw")
        let report = try web.engine.runRetention(by: WebHarness.administrator)
        #expect(report.sessionsPurged == 1)
        #expect(try web.request("GET", "/").status == 200)
        let rows = try web.engine.read { try $0.db.scalarInt("SELECT count(*) FROM sessions") }
        #expect(rows == 1)
    }
}
