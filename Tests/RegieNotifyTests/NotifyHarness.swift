import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine

/// A clock the test moves.
final class TestClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant
    init(_ start: Instant) { current = start }
    func now() -> Instant { lock.withLock { current } }
    func set(_ instant: Instant) { lock.withLock { current = instant } }
    func advance(seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }
}

/// The shipped region and workflows on a fresh database, for webhook tests.
final class NotifyHarness: @unchecked Sendable {
    let clock: TestClock
    let engine: Engine
    let database: String

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized

    init(at start: String = "2026-11-23T09:00", settings: WebhookSettings = WebhookSettings()) throws {
        func read(_ name: String) -> (bytes: [UInt8], file: String)? {
            let path = Self.repository.appendingPathComponent("Config/\(name)").path
            return FileManager.default.contents(atPath: path).map { (Array($0), path) }
        }
        let config = try RegionConfig.load(region: read("region.json"), partners: read("partners.json"))
        clock = TestClock(try config.calendar.parseInstant(start))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regie-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("regie.db").path
        _ = try CaseStore.create(path: database, simulatedClock: true, now: clock.now())
        engine = try Engine(
            databasePath: database,
            catalog: try WorkflowCatalog(folder: Self.repository.appendingPathComponent("Workflows").path),
            config: config, clock: clock,
            pseudonymizer: try Pseudonymizer(secret: Array("test-secret-of-sufficient-length".utf8)),
            webhooks: settings)
    }

    static let regiehouder = Actor(partner: "bw-aanbieder", role: .regiehouder)

    /// A netwerkcasus held by bw-aanbieder in Haarlem.
    func openCase() throws -> String {
        let outcome = try engine.open(
            .init(
                workflow: "netwerkcasus", regie: "bw-aanbieder", bsn: nil, actor: nil, fields: [:],
                municipality: "gemeente-haarlem"))
        return try #require(outcome.record?.id)
    }

    @discardableResult
    func fire(
        _ id: String, _ event: String, as actor: Actor = regiehouder, note: String? = nil, target: String? = nil,
        motivation: String? = nil, fields: [String: String] = [:]
    ) throws -> CaseRecord {
        let note = note ?? (event == "plan-vastgesteld" ? "plan afgesproken" : nil)
        return try #require(
            try engine.fire(
                id,
                CaseCommand(
                    event: event, actor: actor, note: note, target: target, motivation: motivation, fields: fields)
            ).record)
    }

    func count(_ sql: String) throws -> Int64 { try engine.read { try $0.db.scalarInt(sql) ?? 0 } }
}
