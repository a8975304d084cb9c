import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

/// The shipped region and workflows on a fresh database, for webhook tests.
final class NotifyHarness: @unchecked Sendable {
    let clock: TestClock
    let engine: Engine
    let database: String

    init(at start: String = "2026-11-23T09:00", settings: WebhookSettings = WebhookSettings()) throws {
        let region = try ShippedRegion(at: start, webhooks: settings)
        (clock, engine, database) = (region.clock, region.engine, region.database)
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
