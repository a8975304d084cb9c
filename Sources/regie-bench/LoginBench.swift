import Foundation
import RegieCore
import RegieCrypto
import RegieEngine
import RegieHTTP
import RegieStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Logging in to the workspace through the real server, as a browser does: the form, the password (scrypt at the
/// configured cost), the code page and a code from the app; two browsers at a time on this 2-core machine.
enum LoginBench {
    struct Figures {
        var people = 0
        var passwordP50ms = Double.nan
        var passwordP99ms = Double.nan
        var loginP50ms = Double.nan
        var loginP99ms = Double.nan
        var perSecond = Double.nan
    }

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "regie-login-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("bench.db").path
        _ = try CaseStore.create(path: db, simulatedClock: false, now: WallClock().now())
        var identity = IdentitySettings()  // the shipped cost: scrypt N = 2^15
        identity.attemptsPerAddress = 100_000
        let engine = try Engine(
            databasePath: db, catalog: try WorkflowCatalog(folder: folder.path), config: RegionConfig(),
            clock: WallClock(),
            pseudonymizer: try Pseudonymizer(secret: Array("bench-secret-of-sufficient-length".utf8)),
            identity: identity)
        let admin = AuditEntry(
            at: WallClock().now(), channel: .cli, action: "people", resource: "regie-bench", partner: "beheer",
            person: "bench", identity: .osUser, outcome: .ok, status: 0)
        let people = quick ? 8 : 40
        let password = "een lange zin als wachtwoord"
        log("  preparing \(people) people (each: added, first login, own password, app linked) ...")
        // Each person's app: the secret they scanned at enrolment.
        let apps = Mutex<[String: TOTP]>([:])
        _ = parallel(threads: 2, count: people) { _, i in
            let login = "persoon-\(i)"
            guard let app = try? Self.enrol(engine, login: login, password: password, admin: admin) else { return }
            apps.withLock { $0[login] = app }
        }
        let enrolled = apps.withLock { $0 }
        guard enrolled.count == people else {
            throw BenchError(description: "only \(enrolled.count) of \(people) people prepared")
        }

        let server = try LoginBench.serve(engine)
        defer { server.shutdown() }

        log("  \(people) logins over HTTP, two browsers at a time ...")
        let timings = Mutex<[(password: Double, login: Double)]>([])
        let start = monotonic()
        let failures = Mutex<[String]>([])
        _ = parallel(threads: 2, count: people) { _, i in
            do {
                let login = "persoon-\(i)"
                guard let app = enrolled[login] else { return }
                let t = try Self.logIn(port: server.port, login: login, password: password, app: app)
                timings.withLock { $0.append(t) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        if let failure = failures.withLock({ $0.first }) { log("  a login failed: \(failure)") }
        let elapsed = monotonic() - start
        let all = timings.withLock { $0 }
        guard all.count == people else {
            throw BenchError(description: "only \(all.count) of \(people) logins succeeded")
        }
        return Figures(
            people: people, passwordP50ms: percentile(all.map(\.password), 0.5),
            passwordP99ms: percentile(all.map(\.password), 0.99), loginP50ms: percentile(all.map(\.login), 0.5),
            loginP99ms: percentile(all.map(\.login), 0.99), perSecond: Double(people) / elapsed)
    }

    /// `regie serve`'s site (the API and the workspace) on a loopback port of its own, cookies without HTTPS.
    static func serve(_ engine: Engine) throws -> HTTPServer {
        let api = PartnerAPI(engine: engine)
        let site = Site(api: api, web: WebApp(engine: engine, secureCookies: false))
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        let server = HTTPServer(configuration: configuration, handler: site.handle, errorResponse: api.errorResponse)
        try server.start()
        return server
    }

    /// A person's first login, through the engine: the one-time password, their own, the app linked.
    /// - Returns: the person's authenticator app (the secret Regie showed them).
    static func enrol(_ engine: Engine, login: String, password: String, admin: AuditEntry) throws -> TOTP {
        let added = try engine.addPerson(
            login: login, name: login, partner: "gemeente-haarlem", roles: [.casusregisseur], audit: admin)
        let context = Engine.LoginContext(address: "127.0.0.1", resource: "bench")
        guard
            case .next(let first) = try engine.logIn(
                login: login, password: added.temporaryPassword ?? "", context: context)
        else { throw BenchError(description: "the one-time password of \(login) was refused") }
        let chosen = try engine.changePassword(first, new: password, repeated: password, context: context)
        let enrolment = try engine.beginEnrolment(chosen)
        // The code of the step before (accepted: clocks drift), so that the login measured next, in the same 30 s,
        // gives a code that was not used before.
        let app = TOTP(secret: Base32.decode(enrolment.secret) ?? [])
        let code = app.code(at: WallClock().now().milliseconds / 1000 - 30)
        guard case .next(let done) = try engine.confirmEnrolment(chosen, code: code, context: context).outcome else {
            throw BenchError(description: "the enrolment of \(login) was refused")
        }
        try engine.logOut(done, context: context)
        return app
    }

    /// One login as a browser does it; the milliseconds of the password step and of the whole login.
    static func logIn(port: Int, login: String, password: String, app: TOTP) throws -> (Double, Double) {
        let started = monotonic()
        var cookies: [String: String] = [:]
        let form = try request(port, "GET", "/inloggen", cookies: &cookies)
        let passwordStarted = monotonic()
        let answer = try request(
            port, "POST", "/inloggen", cookies: &cookies,
            form: ["csrf": csrf(form.body), "gebruikersnaam": login, "wachtwoord": password])
        let passwordMs = (monotonic() - passwordStarted) * 1000
        guard answer.status == 303 else { throw BenchError(description: "password step answered \(answer.status)") }
        let ask = try request(port, "GET", "/inloggen/code", cookies: &cookies)
        let code = app.code(at: WallClock().now().milliseconds / 1000)
        let done = try request(
            port, "POST", "/inloggen/code", cookies: &cookies, form: ["csrf": csrf(ask.body), "code": code])
        guard done.status == 303 else { throw BenchError(description: "code step answered \(done.status)") }
        return (passwordMs, (monotonic() - started) * 1000)
    }

    static func csrf(_ page: String) -> String {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return "" }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    struct Answer {
        var status: Int
        var body: String
    }

    /// One request on a fresh loopback connection; keeps the cookies the answer sets.
    static func request(
        _ port: Int, _ method: String, _ path: String, cookies: inout [String: String], form: [String: String]? = nil
    ) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError(description: "no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw BenchError(description: "cannot connect to port \(port)") }
        var text = "\(method) \(path) HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
        if !cookies.isEmpty {
            text += "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n"
        }
        if let form {
            let body = form.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
            .joined(separator: "&")
            text +=
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let response = String(decoding: received, as: UTF8.self)
        let parts = response.components(separatedBy: "\r\n\r\n")
        let head = parts.first?.components(separatedBy: "\r\n") ?? []
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        for line in head where line.lowercased().hasPrefix("set-cookie:") {
            let pair = line.dropFirst("set-cookie:".count).trimmingCharacters(in: .whitespaces)
                .split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if line.contains("Max-Age=0") {
                cookies[String(pair[0])] = nil
            } else {
                cookies[String(pair[0])] = String(pair[1])
            }
        }
        return Answer(status: status, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
