import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

/// A region's database of schema 8 (before people) opens as the current schema: people and sessions are added, the
/// access log gains its identity, role and via columns, and its old records (chained as v1) and new ones (v2) verify
/// as one chain.
@Suite struct PeopleMigrationTests {
    @Test func aSchema8DatabaseGainsPeopleAndItsAccessLogStillVerifies() throws {
        let path: String
        let clock: TestClock
        do {
            let region = try ShippedRegion(at: "2026-11-23T09:00")
            (path, clock) = (region.database, region.clock)
            try region.engine.audit(
                AuditEntry(
                    at: clock.now(), channel: .cli, action: "read", resource: "regie case list", partner: "beheer",
                    person: "beheerder", outcome: .ok, status: 0))
        }
        do {
            let db = try Database(path: path)
            try db.write {
                try db.execute(
                    """
                    DROP TABLE people; DROP TABLE sessions;
                    ALTER TABLE audit DROP COLUMN identity; ALTER TABLE audit DROP COLUMN role;
                    ALTER TABLE audit DROP COLUMN via;
                    UPDATE meta SET value='8' WHERE key='schema';
                    """)
            }
        }
        let region = try ShippedRegion(reopening: path, clock: clock)
        let engine = region.engine
        #expect(try engine.people().isEmpty)
        try engine.addPerson(
            login: "j.devries", name: "Jan de Vries", partner: "gemeente-haarlem", roles: [.casusregisseur],
            audit: AuditEntry(
                at: clock.now(), channel: .cli, action: "people", resource: "regie user add", partner: "beheer",
                person: "root", identity: .osUser, outcome: .ok, status: 0))
        let records = try engine.auditRecords(CaseStore.AuditFilter())
        #expect(records.count == 2)
        #expect(records[0].identity == nil && records[1].identity == .osUser)
        #expect(records[0].chainedText(id: 1, previousHash: "").hasPrefix(#"["v1""#))
        #expect(records[1].chainedText(id: 2, previousHash: "").hasPrefix(#"["v2""#))
        let verification = try engine.verifyAudit()
        #expect(verification.checked == 2 && verification.broken.isEmpty)
    }
}
