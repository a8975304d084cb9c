import Foundation
import RegieCore
import RegieEngine
import RegieNotify
import RegieStore

/// What a command runs against: resolved paths, the clock, the configuration and (lazily) the engine.
final class Context {
    /// The time `--now` gave, if any.
    let now: Instant?
    /// Who the command says acts (`--as`, `--person`), for the access log; nil for a command without those options.
    let stated: (any StatesWhoActs)?
    let databasePath: String
    let workflowsFolder: String
    let configFolder: String
    /// The cases this command read or changed, for the access log.
    var touched: [(caseId: String?, clientKey: String?)] = []
    /// Set when the engine wrote the access-log record in the transaction of the change itself.
    var audited = false
    /// A short, non-sensitive detail for the access log (the event fired, the workflow opened).
    var auditDetail: String?

    init(_ common: CommonOptions, stated: (any StatesWhoActs)?) {
        let env = ProcessInfo.processInfo.environment
        databasePath = common.db ?? env["REGIE_DB"] ?? "regie.db"
        workflowsFolder = common.workflows ?? env["REGIE_WORKFLOWS"] ?? Self.repositoryFolder("Workflows")
        configFolder = common.config ?? env["REGIE_CONFIG"] ?? Self.repositoryFolder("Config")
        now = common.now
        self.stated = stated
    }

    /// `./NAME` if it exists, else the nearest `NAME` folder above the executable (the repository's), else `./NAME`.
    static func repositoryFolder(_ name: String) -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: name) { return name }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name).path
            if fm.fileExists(atPath: candidate)
                && fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
            {
                return candidate
            }
            dir.deleteLastPathComponent()
        }
        return name
    }

    private var cachedConfig: RegionConfig?
    private(set) var cachedEngine: Engine?
    /// Held while this process uses the database, so that `regie restore` can tell that none does.
    private var inUse: ExclusiveLock?

    /// The region configuration from the config folder (empty when the folder has none).
    func config() throws(EngineError) -> RegionConfig {
        if let c = cachedConfig { return c }
        func read(_ name: String) -> (bytes: [UInt8], file: String)? {
            let path = (configFolder as NSString).appendingPathComponent(name)
            return FileManager.default.contents(atPath: path).map { (Array($0), path) }
        }
        do {
            let c = try RegionConfig.load(region: read("region.json"), partners: read("partners.json"))
            cachedConfig = c
            return c
        } catch {
            throw .environment("the configuration has problems (run `regie config validate`):\n\(error.description)")
        }
    }

    /// The engine on the database, with the clock this command runs at.
    func engine() throws(EngineError) -> Engine {
        if let e = cachedEngine { return e }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw .environment("no database at \(databasePath); create one with `regie init --db \(databasePath)`")
        }
        inUse = try ExclusiveLock(
            path: ExclusiveLock.inUse(database: databasePath), shared: true, unlessReadOnlyFolder: true,
            held: "\(databasePath) is being restored; wait for `regie restore` to finish")
        let config = try config()
        let catalog = try WorkflowCatalog(folder: workflowsFolder)
        for (file, failure) in catalog.failures.sorted(by: { $0.key < $1.key }) {
            Output.warn("skipped \(file): \(failure.problems.count) problem(s); run `regie workflow validate \(file)`")
        }
        for name in config.retention.workflowYears.keys.sorted() where catalog.workflows[name] == nil {
            Output.warn(
                "region.json retention names \"\(name)\", which is not a workflow here: run `regie config validate`")
        }
        let clock = try resolveClock()
        let pseudonymizer = try Pseudonymizer.load(configFolder: configFolder, config: config, database: databasePath)
        let identity = try identitySettings()
        let engine = try Engine(
            databasePath: databasePath, catalog: catalog, config: config, clock: clock, pseudonymizer: pseudonymizer,
            webhooks: try webhookSettings(), identity: identity,
            fetcher: identity.sso == nil ? nil : CurlFetcher())
        if let reason = engine.readOnlyReason {
            Output.warn(
                "opened read-only: \(reason). Nothing can be written, so reads whose access must be logged are withheld; `regie check`, `regie backup` and `regie audit verify` work"
            )
        }
        cachedEngine = engine
        return engine
    }

    /// `Config/identity.json`, or the defaults when there is none.
    func identitySettings() throws(EngineError) -> IdentitySettings {
        let file = (configFolder as NSString).appendingPathComponent("identity.json")
        guard let bytes = FileManager.default.contents(atPath: file) else { return IdentitySettings() }
        do { return try IdentitySettings.load(Array(bytes), file: file) } catch {
            throw .environment(error.description)
        }
    }

    /// `Config/theme.json`, or no themes (the workspace's own colours) when there is none.
    func themes() throws(EngineError) -> WorkspaceThemes {
        let file = (configFolder as NSString).appendingPathComponent("theme.json")
        guard let bytes = FileManager.default.contents(atPath: file) else { return WorkspaceThemes() }
        let partners = Set(try config().partners.map(\.id))
        do { return try WorkspaceThemes.load(Array(bytes), file: file, partners: partners) } catch {
            throw .environment(error.description)
        }
    }

    /// `Config/webhooks.json`, or the defaults when there is none.
    func webhookSettings() throws(EngineError) -> WebhookSettings {
        let file = (configFolder as NSString).appendingPathComponent("webhooks.json")
        guard let bytes = FileManager.default.contents(atPath: file) else { return WebhookSettings() }
        do { return try WebhookSettings.load(Array(bytes), file: file) } catch {
            throw .environment(error.description)
        }
    }

    /// The system clock, or on a simulated-clock database the simulated one, which lives in the database: `--now`
    /// moves it forward (never back) for every process on the database, `regie serve` included.
    private func resolveClock() throws(EngineError) -> any Clock {
        let store: CaseStore
        do { store = try CaseStore.openWritableOrReadOnly(path: databasePath).store } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
        guard store.simulatedClock else {
            if now != nil {
                throw .invalid(
                    "--now is refused: \(databasePath) uses the real clock (a production database never accepts backdated events); create a test database with `regie init --simulated-clock`"
                )
            }
            return GuardedClock(SystemClock())
        }
        if let now {
            // The command runs at --now; the database's clock moves there only if the command commits a change, so
            // a typo, a refused command or a read leaves it where it was.
            if (try? store.simulatedNow()) == nil {
                try SimulatedClock.set(databasePath: databasePath, to: SystemClock().now())
            }
            return try SimulatedClock(databasePath: databasePath, pending: now)
        } else if (try? store.simulatedNow()) == nil {
            // A database made before the clock lived in it: start it at the real time, once.
            try SimulatedClock.set(databasePath: databasePath, to: SystemClock().now())
        }
        return try SimulatedClock(databasePath: databasePath)
    }
}

/// The real time.
struct SystemClock: Clock {
    func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }
}
