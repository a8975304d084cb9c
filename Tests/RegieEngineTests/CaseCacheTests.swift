import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

/// Lists read decoded cases from a cache by sequence; what another process changes meanwhile is never hidden.
@Suite struct CaseCacheTests {
    @Test func aListShowsEveryChangeWhoeverMadeIt() throws {
        let region = try ShippedRegion(at: "2026-11-23T09:00")
        let engine = region.engine
        let holder = Actor(partner: "bw-aanbieder", role: .regiehouder)
        let id = try #require(
            try engine.open(
                Engine.OpenRequest(
                    workflow: "netwerkcasus", regie: "bw-aanbieder", actor: holder, municipality: "gemeente-velsen")
            ).record?.id)
        func listed(_ e: Engine) throws -> CaseRecord? {
            let visible = try e.visibleCases(
                to: "gemeente-velsen", state: nil, level: nil, workflow: nil, stalled: false)
            return visible.first { $0.0.id == id }?.0
        }
        #expect(try listed(engine)?.state == "aangemeld")
        #expect(try listed(engine)?.state == "aangemeld")  // from the cache now
        // Another process (a CLI on the same database) moves the case on and escalates it.
        let other = try ShippedRegion(reopening: region.database, clock: region.clock).engine
        _ = try other.fire(id, CaseCommand(event: "plan-vastgesteld", actor: holder, note: "plan"))
        _ = try other.fire(
            id, CaseCommand(event: "opschalen", actor: holder, motivation: "vast", fields: ["vraag": "wie?"]))
        let seen = try #require(try listed(engine))
        #expect(seen.state == "in-behandeling" && seen.level == 1 && seen.sequence == 3)
        #expect(seen.details.escalation?.asked["vraag"] == "wie?")
        #expect(seen.timers.map(\.name).contains(StateMachine.levelTimer))
        #expect(try engine.show(id) == seen)
        // De-escalated and closed (its nazorg period running): the list says so at once.
        _ = try other.fire(
            id,
            CaseCommand(
                event: "afschalen", actor: Actor(partner: "gemeente-velsen", role: .procesregisseur),
                motivation: "opgelost"))
        _ = try other.fire(
            id,
            CaseCommand(
                event: "afsluiten", actor: holder, note: "klaar", fields: ["uitkomst": "doel-bereikt", "nazorg": "nee"])
        )
        let closed = try #require(try listed(engine))
        #expect(closed.state == "afgesloten" && closed.level == 0)
        #expect(closed.timers.map(\.name) == ["nazorg-termijn"])
    }
}
