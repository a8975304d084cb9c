import Foundation
import RegieCore
import RegieCrypto
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// The shipped region served as `regie serve` serves it (the workspace and the API), and a browser: it keeps the
/// cookies it is given (as a browser on HTTPS would) and follows nothing by itself, so that tests see every step.
final class WebHarness {
    let clock: TestClock
    let engine: Engine
    let server: HTTPServer
    private var client: RawClient?
    /// The browser's cookies, by the name the server gave them.
    var cookies: [String: String] = [:]

    init(
        identity: IdentitySettings = WebHarness.fastIdentity, at start: String = "2026-11-23T09:00",
        fetcher: (any HTTPFetching)? = nil
    ) throws {
        let region = try ShippedRegion(at: start, identity: identity, fetcher: fetcher)
        (clock, engine) = (region.clock, region.engine)
        let api = PartnerAPI(engine: engine)
        let site = Site(api: api, web: WebApp(engine: engine, secureCookies: identity.secureCookies))
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workers = 4
        server = HTTPServer(configuration: configuration, handler: site.handle, errorResponse: api.errorResponse)
        try server.start()
    }

    deinit { server.shutdown() }

    /// Logins as configured, but with cheap password hashes (2^10) so that tests run fast.
    static var fastIdentity: IdentitySettings {
        var s = IdentitySettings()
        s.passwordCost = 10
        return s
    }

    /// The person who runs `regie user add` in the tests.
    static let administrator = AuditEntry(
        at: Instant(milliseconds: 0), channel: .cli, action: "people", resource: "regie user add", partner: "beheer",
        person: "beheerder", identity: .osUser, outcome: .ok, status: 0)

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        var setCookies: [String]
        var location: String? { headers["location"] }
    }

    /// Sends a request with the browser's cookies; keeps the cookies the answer sets (and drops those it clears).
    @discardableResult
    func request(
        _ method: String, _ path: String, form: [String: String]? = nil, cookies override: [String: String]? = nil
    )
        throws -> Response
    {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: regie.test\r\n"
        let jar = override ?? cookies
        if !jar.isEmpty { text += "Cookie: " + jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n" }
        if let form {
            let body = form.map { "\($0.key.percentEncoded)=\($0.value.percentEncoded)" }.joined(separator: "&")
            text +=
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        let raw = RawClient.exchange(text, over: &client, port: server.port)
        let r = try #require(raw, "no response to \(method) \(path)")
        if override == nil {
            for cookie in r.setCookies {
                let pair = cookie.split(separator: ";")[0].split(
                    separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                if cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
            }
        }
        return Response(status: r.status, headers: r.headers, body: r.body, setCookies: r.setCookies)
    }

    /// The value of the hidden form token on a page.
    static func csrf(_ page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The Base32 secret shown on the enrolment page.
    static func secret(_ page: String) -> String? {
        guard let range = page.range(of: "<span class=\"regie-secret\">") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "<" }).replacingOccurrences(of: " ", with: "")
    }

    /// The current code of a secret on the test clock.
    func code(_ secret: String) -> String {
        TOTP(secret: Base32.decode(secret) ?? []).code(at: clock.now().milliseconds / 1000)
    }

    /// Adds a person and logs them in for the first time: the one-time password, their own password, the app
    /// linked. Returns their TOTP secret and recovery codes.
    @discardableResult
    func firstLogin(
        _ login: String, partner: String = "gemeente-haarlem", roles: Set<PersonRole> = [.casusregisseur],
        password: String = "een lange zin als wachtwoord"
    ) throws -> (secret: String, recovery: [String]) {
        let added = try engine.addPerson(
            login: login, name: "Test \(login)", partner: partner, roles: roles, audit: Self.administrator)
        let start = try request("GET", "/inloggen")
        var r = try request(
            "POST", "/inloggen",
            form: [
                "csrf": Self.csrf(start.body) ?? "", "gebruikersnaam": login,
                "wachtwoord": added.temporaryPassword ?? "",
            ])
        #expect(r.status == 303 && r.location == "/inloggen/wachtwoord")
        let choose = try request("GET", "/inloggen/wachtwoord")
        r = try request(
            "POST", "/inloggen/wachtwoord",
            form: ["csrf": Self.csrf(choose.body) ?? "", "nieuw": password, "herhaal": password])
        #expect(r.status == 303 && r.location == "/inloggen/koppelen")
        let enrol = try request("GET", "/inloggen/koppelen")
        let secret = try #require(Self.secret(enrol.body))
        r = try request(
            "POST", "/inloggen/koppelen", form: ["csrf": Self.csrf(enrol.body) ?? "", "code": code(secret)])
        #expect(r.status == 200)
        let recovery = r.body.components(separatedBy: "<li>").dropFirst().compactMap {
            $0.components(separatedBy: "</li>").first
        }.filter { $0.count == 11 && $0.contains("-") }
        return (secret, recovery)
    }
}
