public import Foundation
public import RegieCore
public import RegieEngine
internal import RegieStore

/// A clock the test moves.
public final class TestClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant
    public init(_ start: Instant) { current = start }
    public func now() -> Instant { lock.withLock { current } }
    public func set(_ instant: Instant) { lock.withLock { current = instant } }
    public func advance(seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }
}

/// The shipped region (`Config/`) and workflows (`Workflows/`) on a fresh SQLite file with a simulated clock: what
/// the engine, API and webhook tests all start from.
public struct ShippedRegion {
    public let clock: TestClock
    public let engine: Engine
    public let database: String

    /// The repository root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized

    /// The shipped `Config/region.json` and `Config/partners.json`.
    public static func config() throws -> RegionConfig {
        func read(_ name: String) -> (bytes: [UInt8], file: String)? {
            let path = repository.appendingPathComponent("Config/\(name)").path
            return FileManager.default.contents(atPath: path).map { (Array($0), path) }
        }
        return try RegionConfig.load(region: read("region.json"), partners: read("partners.json"))
    }

    /// Opens the region at a local (Amsterdam) time such as `2026-11-23T09:00`.
    public init(
        at start: String, webhooks: WebhookSettings = WebhookSettings(),
        identity: IdentitySettings = IdentitySettings(),
        fetcher: (any HTTPFetching)? = nil
    ) throws {
        let config = try Self.config()
        clock = TestClock(try config.calendar.parseInstant(start))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regie-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("regie.db").path
        _ = try CaseStore.create(path: database, simulatedClock: true, now: clock.now())
        engine = try Engine(
            databasePath: database,
            catalog: try WorkflowCatalog(folder: Self.repository.appendingPathComponent("Workflows").path),
            config: config, clock: clock,
            pseudonymizer: try Pseudonymizer(secret: Array("test-secret-of-sufficient-length".utf8)),
            webhooks: webhooks, identity: identity, fetcher: fetcher)
    }

    /// Opens the region again on a database made before (a restart, a migration), on the same clock.
    public init(reopening database: String, clock: TestClock) throws {
        self.clock = clock
        self.database = database
        engine = try Engine(
            databasePath: database,
            catalog: try WorkflowCatalog(folder: Self.repository.appendingPathComponent("Workflows").path),
            config: try Self.config(), clock: clock,
            pseudonymizer: try Pseudonymizer(secret: Array("test-secret-of-sufficient-length".utf8)))
    }
}
