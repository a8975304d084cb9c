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
        _ = try engine.addPerson(
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

    /// A database of schema 9 (lists read every case) gains the partners of each case and the indexes that lists
    /// now read through; every partner's list is the same before and after.
    @Test func aSchema9DatabaseGainsTheIndexesOfPartnersLists() throws {
        let region = try ShippedRegion(at: "2026-11-23T09:00")
        let engine = region.engine
        let holder = Actor(partner: "bw-aanbieder", role: .regiehouder)
        for municipality in ["gemeente-haarlem", "gemeente-velsen"] {
            let id = try #require(
                try engine.open(
                    Engine.OpenRequest(
                        workflow: "netwerkcasus", regie: "bw-aanbieder", actor: holder, municipality: municipality)
                ).record?.id)
            _ = try engine.fire(id, CaseCommand(event: "partner-toevoegen", actor: holder, target: "ggz-aanbieder"))
        }
        func lists(_ e: Engine) throws -> [String: [String]] {
            var out: [String: [String]] = [:]
            for p in e.config.partners {
                out[p.id] = try e.visibleCases(to: p.id, state: nil, level: nil, workflow: nil, stalled: false)
                    .map(\.0.id).sorted()
            }
            return out
        }
        let before = try lists(engine)
        #expect(before["ggz-aanbieder"]?.count == 2 && before["gemeente-velsen"]?.count == 1)
        do {
            let db = try Database(path: region.database)
            try db.write {
                try db.execute(
                    """
                    DROP TABLE case_partners; DROP INDEX cases_escalated; DROP INDEX cases_municipality;
                    UPDATE meta SET value='9' WHERE key='schema';
                    """)
            }
        }
        let reopened = try ShippedRegion(reopening: region.database, clock: region.clock).engine
        #expect(try lists(reopened) == before)
        #expect(try reopened.read { try $0.db.scalarInt("SELECT count(*) FROM case_partners") } == 4)
    }

    /// A database of schema 10 (no monitor) gains the monitor's counts: it counts from the last event written before
    /// the upgrade, says so, and counts every decision after it.
    @Test func aSchema10DatabaseGainsTheMonitorFromItsUpgradeOn() throws {
        let region = try ShippedRegion(at: "2026-11-23T09:00")
        let holder = Actor(partner: "bw-aanbieder", role: .regiehouder)
        let open = Engine.OpenRequest(
            workflow: "netwerkcasus", regie: "bw-aanbieder", actor: holder, municipality: "gemeente-haarlem")
        let id = try #require(try region.engine.open(open).record?.id)
        let last = region.clock.now()
        do {
            let db = try Database(path: region.database)
            try db.write {
                try db.execute("DROP TABLE monitor; UPDATE meta SET value='10' WHERE key='schema';")
            }
        }
        region.clock.advance(seconds: 3600)
        let reopened = try ShippedRegion(reopening: region.database, clock: region.clock).engine
        #expect(try reopened.monitorSince() == last)
        #expect(try reopened.read { try $0.db.scalarText("SELECT value FROM meta WHERE key='schema'") } == "11")
        _ = try reopened.fire(id, CaseCommand(event: "plan-vastgesteld", actor: holder, note: "plan"))
        _ = try reopened.open(open)
        let counts = try reopened.read { try $0.monitorCounts(from: 202611, to: 202611) }
        #expect(counts.filter { $0.fact.figure == "instroom.bron" }.map(\.count) == [1])
        #expect(counts.filter { $0.fact.figure == "verloop" }.map(\.fact.category) == ["plan-vastgesteld"])
        // A new database counts from its first event and says nothing.
        #expect(try ShippedRegion(at: "2026-11-23T09:00").engine.monitorSince() == nil)
    }
}
