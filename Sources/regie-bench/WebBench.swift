import Foundation
import RegieCore
import RegieCrypto
import RegieEngine
import RegieHTTP
import RegieStore

/// The workspace's pages over HTTP on a big region: the shipped region (`Config/`, `Workflows/`) with 100,000 open
/// cases, of which 1,000 are escalated to the procesregie of one municipality; its procesregisseur asks for Mijn werk,
/// Escalaties and case pages, as a browser does, and every view is written to the access log before it is answered.
enum WebBench {
    struct Figures {
        var cases = 0
        var visible = 0
        var workP50ms = Double.nan
        var workP99ms = Double.nan
        var boardP50ms = Double.nan
        var boardP99ms = Double.nan
        var caseP50ms = Double.nan
        var caseP99ms = Double.nan
        var audited = 0
        var views = 0
    }

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        let root = FileManager.default.currentDirectoryPath
        let configFolder = root + "/Config"
        func read(_ name: String) -> (bytes: [UInt8], file: String)? {
            let path = configFolder + "/" + name
            return FileManager.default.contents(atPath: path).map { (Array($0), path) }
        }
        guard FileManager.default.fileExists(atPath: configFolder + "/region.json") else {
            throw BenchError(
                description: "run regie-bench --only web from the repository (it reads Config/ and Workflows/)")
        }
        let config = try RegionConfig.load(region: read("region.json"), partners: read("partners.json"))
        let setup = try BenchSetup()
        defer { setup.remove() }
        _ = try CaseStore.create(path: setup.database, simulatedClock: false, now: WallClock().now())
        var identity = IdentitySettings()
        identity.passwordCost = 10
        let engine = try Engine(
            databasePath: setup.database, catalog: try WorkflowCatalog(folder: root + "/Workflows"), config: config,
            clock: WallClock(),
            pseudonymizer: try Pseudonymizer(secret: Array("bench-secret-of-sufficient-length".utf8)),
            identity: identity)

        let total = quick ? 10_000 : 100_000
        let visible = total / 100
        let municipality = "gemeente-velsen"
        let others = config.partners.filter { $0.kind == "gemeente" && $0.id != municipality }.map(\.id)
        let providers = ["bw-aanbieder", "ggz-aanbieder", "verslavingszorg", "maatschappelijke-opvang", "ggd-vangnet"]
            .filter { config.partner($0) != nil }
        log("  opening \(total) cases of the shipped workflows, \(visible) of them in \(municipality) ...")
        var escalate: [(id: String, regie: String)] = []
        var opened = 0
        while opened < total {
            let n = min(1000, total - opened)
            let requests = (0..<n).map { i -> Engine.OpenRequest in
                let k = opened + i
                let ours = k % 100 == 0
                let regie = providers[k % providers.count]
                return Engine.OpenRequest(
                    workflow: "netwerkcasus", regie: regie,
                    actor: Actor(partner: regie, role: .regiehouder),
                    municipality: ours ? municipality : others[k % others.count])
            }
            for (request, result) in zip(requests, try engine.open(batch: requests)) {
                if request.municipality == municipality, let id = try result.get().record?.id {
                    escalate.append((id, request.regie))
                }
            }
            opened += n
        }
        log("  escalating the \(escalate.count) cases of \(municipality) to procesregie ...")
        for chunk in stride(from: 0, to: escalate.count, by: 500) {
            let items = escalate[chunk..<min(escalate.count, chunk + 500)].map { c in
                Engine.BatchItem(
                    caseId: c.id,
                    command: CaseCommand(
                        event: "opschalen", actor: Actor(partner: c.regie, role: .regiehouder),
                        motivation: "komt niet verder", fields: ["vraag": "wie neemt het over?"]))
            }
            for r in try engine.fire(batch: items) { _ = try r.get() }
        }

        let admin = AuditEntry(
            at: WallClock().now(), channel: .cli, action: "people", resource: "regie-bench", partner: "beheer",
            person: "bench", identity: .osUser, outcome: .ok, status: 0)
        let added = try engine.addPerson(
            login: "p.velsen", name: "Procesregisseur Velsen", partner: municipality,
            roles: [.procesregisseur, .casusregisseur], audit: admin)
        let server = try LoginBench.serve(engine)
        defer { server.shutdown() }
        var cookies = try logIn(server.port, login: "p.velsen", temporary: added.temporaryPassword ?? "")

        let before = try auditCount(engine)
        func time(_ path: String, _ rounds: Int) throws -> [Double] {
            var out: [Double] = []
            for _ in 0..<rounds {
                let t = monotonic()
                let r = try LoginBench.request(server.port, "GET", path, cookies: &cookies)
                out.append((monotonic() - t) * 1000)
                guard r.status == 200 else { throw BenchError(description: "\(path) answered \(r.status)") }
            }
            return out
        }
        let rounds = quick ? 30 : 100
        log("  Mijn werk, Escalaties (\(rounds) views each) and \(rounds * 3) case pages over HTTP ...")
        _ = try time("/", 3)
        _ = try time("/escalaties", 3)
        let work = try time("/", rounds)
        let board = try time("/escalaties", rounds)
        var casePages: [Double] = []
        for i in 0..<(rounds * 3) { casePages += try time("/casus/\(escalate[(i * 7) % escalate.count].id)", 1) }
        let views = 6 + rounds * 5
        let audited = try auditCount(engine) - before
        // The visible count as the page shows it.
        let page = try LoginBench.request(server.port, "GET", "/", cookies: &cookies).body
        guard page.contains("\(escalate.count) taken") else {
            throw BenchError(description: "Mijn werk does not count \(escalate.count) tasks")
        }
        return Figures(
            cases: total, visible: escalate.count, workP50ms: percentile(work, 0.5), workP99ms: percentile(work, 0.99),
            boardP50ms: percentile(board, 0.5), boardP99ms: percentile(board, 0.99),
            caseP50ms: percentile(casePages, 0.5), caseP99ms: percentile(casePages, 0.99), audited: audited,
            views: views)
    }

    static func auditCount(_ engine: Engine) throws -> Int {
        Int(try engine.read { try $0.db.scalarInt("SELECT count(*) FROM audit WHERE channel='web'") } ?? 0)
    }

    /// The first login of a person, as a browser does it: the one-time password, their own password, the app
    /// linked. Returns the browser's cookies.
    static func logIn(_ port: Int, login: String, temporary: String) throws -> [String: String] {
        var cookies: [String: String] = [:]
        let form = try LoginBench.request(port, "GET", "/inloggen", cookies: &cookies)
        _ = try LoginBench.request(
            port, "POST", "/inloggen", cookies: &cookies,
            form: ["csrf": LoginBench.csrf(form.body), "gebruikersnaam": login, "wachtwoord": temporary])
        let password = "een lange zin als wachtwoord"
        let choose = try LoginBench.request(port, "GET", "/inloggen/wachtwoord", cookies: &cookies)
        _ = try LoginBench.request(
            port, "POST", "/inloggen/wachtwoord", cookies: &cookies,
            form: ["csrf": LoginBench.csrf(choose.body), "nieuw": password, "herhaal": password])
        let enrol = try LoginBench.request(port, "GET", "/inloggen/koppelen", cookies: &cookies)
        guard let start = enrol.body.range(of: "<span class=\"regie-secret\">") else {
            throw BenchError(description: "no enrolment page")
        }
        let secret = String(enrol.body[start.upperBound...].prefix { $0 != "<" }).replacingOccurrences(
            of: " ", with: "")
        let code = TOTP(secret: Base32.decode(secret) ?? []).code(at: WallClock().now().milliseconds / 1000)
        let done = try LoginBench.request(
            port, "POST", "/inloggen/koppelen", cookies: &cookies,
            form: ["csrf": LoginBench.csrf(enrol.body), "code": code])
        guard done.status == 200 else { throw BenchError(description: "the login answered \(done.status)") }
        return cookies
    }
}
