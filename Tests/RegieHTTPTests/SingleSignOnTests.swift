import Foundation
import RegieCore
import RegieNotify
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// A person logs in through the region's identity provider (a small one run by the test on loopback): a good
/// login, then tokens Regie must refuse, each with a clear reason on the page and a record in the access log.
@Suite struct SingleSignOnTests {
    struct Region {
        let idp: TestIdentityProvider
        let web: WebHarness
    }

    static func region(organisationClaims: Bool = false) throws -> Region {
        let idp = try TestIdentityProvider()
        var identity = WebHarness.fastIdentity
        identity.sso = idp.settings
        if organisationClaims {
            identity.sso?.organisationClaim = "regie_organisatie"
            identity.sso?.rolesClaim = "regie_rollen"
        }
        let web = try WebHarness(identity: identity, fetcher: idp.fetcher)
        try web.engine.addPerson(
            login: "j.devries", name: "Jan de Vries", partner: "gemeente-haarlem", roles: [.casusregisseur],
            localLogin: false, audit: WebHarness.administrator)
        return Region(idp: idp, web: web)
    }

    /// Starts at Regie, goes through the provider and back; returns Regie's answer to the return.
    static func login(_ r: Region) throws -> WebHarness.Response {
        let start = try r.web.request("GET", "/inloggen/sso")
        #expect(start.status == 303)
        let authorize = try #require(start.location)
        #expect(authorize.hasPrefix(r.idp.issuer + "/authorize?") && authorize.contains("code_challenge_method=S256"))
        let back = try r.idp.authorize(authorize)
        let path = try #require(back.range(of: "/inloggen/sso/terug")).lowerBound
        return try r.web.request("GET", String(back[path...]))
    }

    @Test func aPersonLogsInThroughTheIdentityProvider() throws {
        let r = try Self.region()
        let page = try r.web.request("GET", "/inloggen", cookies: [:])
        #expect(page.body.contains("href=\"/inloggen/sso\""))
        try r.idp.scenario("good", now: r.web.clock.now())
        let answer = try Self.login(r)
        #expect(answer.status == 200 && answer.body.contains("U bent ingelogd via uw organisatie"))
        #expect(answer.body.contains("<meta http-equiv=\"refresh\" content=\"0; url=/\">"))
        #expect(answer.setCookies.contains { $0.hasPrefix("__Host-regie-sessie=") && $0.contains("SameSite=Strict") })
        let home = try r.web.request("GET", "/")
        #expect(home.status == 200 && home.body.contains("Welkom, Jan de Vries"))
        let record = try #require(
            try r.web.engine.auditRecords(CaseStore.AuditFilter()).last { $0.action == "login" && $0.outcome == .ok })
        #expect(record.identity == .sso && record.person == "j.devries" && record.partner == "gemeente-haarlem")
        #expect(record.via?.hasPrefix("s-") == true && record.detail?.contains("sub-j.devries") == true)

        // The same return a second time (a replayed callback) is refused: a start is used once.
        let again = try r.web.request("GET", "/inloggen/sso/terug?code=x&state=y")
        #expect(again.status == 401)
    }

    @Test func anES256TokenIsAcceptedToo() throws {
        let r = try Self.region()
        try r.idp.scenario("good", now: r.web.clock.now(), kid: "e1")
        #expect(try Self.login(r).status == 200)
    }

    /// Each token Regie must not accept: refused with its reason on the page and in the access log, no session.
    @Test func badTokensAreRefusedWithAReason() throws {
        let r = try Self.region()
        try r.idp.scenario("good", now: r.web.clock.now())
        #expect(try Self.login(r).status == 200)  // a first login, whose nonce the replay reuses
        r.web.cookies = [:]
        let cases: [(String, String)] = [
            ("wrong-aud", "meant for een-andere-app, not for regie"),
            ("expired", "has expired"),
            ("bad-signature", "signature does not verify"),
            ("replayed-nonce", "nonce is not the one of this login"),
            ("unknown-kid", "names key k9, which the identity provider does not publish"),
        ]
        for (scenario, reason) in cases {
            try r.idp.scenario(scenario, now: r.web.clock.now())
            let answer = try Self.login(r)
            #expect(answer.status == 401, "\(scenario)")
            #expect(answer.body.contains(reason), "\(scenario): \(answer.body)")
            #expect(!answer.setCookies.contains { $0.contains("regie-sessie=") && !$0.contains("Max-Age=0") })
            #expect(try r.web.request("GET", "/").location == "/inloggen", "\(scenario)")
            let record = try #require(try r.web.engine.auditRecords(CaseStore.AuditFilter()).last)
            #expect(record.outcome == .unauthorized && record.detail?.contains(reason) == true, "\(scenario)")
        }
    }

    /// A code the provider will not exchange (made up, or used before) is refused like a bad token: with its
    /// reason on the page and in the access log, not as an error of Regie's.
    @Test func aCodeTheProviderRefusesIsRefused() throws {
        let r = try Self.region()
        try r.idp.scenario("good", now: r.web.clock.now())
        let start = try r.web.request("GET", "/inloggen/sso")
        let back = try r.idp.authorize(try #require(start.location))
        let path = try #require(back.range(of: "/inloggen/sso/terug")).lowerBound
        let forged = String(back[path...]).replacingOccurrences(
            of: #"code=[^&]*"#, with: "code=verzonnen", options: .regularExpression)
        let answer = try r.web.request("GET", forged)
        #expect(answer.status == 401 && answer.body.contains("was not exchanged for a token"))
        let record = try #require(try r.web.engine.auditRecords(CaseStore.AuditFilter()).last)
        #expect(record.outcome == .unauthorized && record.detail?.contains("400") == true)
    }

    /// Someone the identity provider knows but Regie does not is refused, unless the region maps the provider's
    /// claims onto an organisation and roles; then the person is added with those, and a role the organisation may
    /// not hold is refused.
    @Test func unregisteredPeopleNeedClaimsThatFitTheRegion() throws {
        let r = try Self.region()
        try r.idp.scenario("good", now: r.web.clock.now(), user: "onbekend")
        let refused = try Self.login(r)
        #expect(refused.status == 401 && refused.body.contains("onbekend is not registered in Regie"))

        let mapped = try Self.region(organisationClaims: true)
        try mapped.idp.scenario(
            "good", now: mapped.web.clock.now(), user: "k.bakker",
            claims: JSONObject(pairs: ["regie_organisatie": "ggz-aanbieder", "regie_rollen": ["casusregisseur"]]))
        #expect(try Self.login(mapped).status == 200)
        let person = try mapped.web.engine.person("k.bakker")
        #expect(person.partner == "ggz-aanbieder" && person.roles == [.casusregisseur] && !person.hasPassword)
        mapped.web.cookies = [:]
        try mapped.idp.scenario(
            "good", now: mapped.web.clock.now(), user: "m.keten",
            claims: JSONObject(pairs: ["regie_organisatie": "ggz-aanbieder", "regie_rollen": ["ketenregisseur"]]))
        let wrong = try Self.login(mapped)
        #expect(wrong.status == 401 && wrong.body.contains("do not fit the region"))
    }
}
