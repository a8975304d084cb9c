import RegieTestSupport
import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine

/// Random sequences of commands and passing time on the shipped workflows: whatever happens, every case has exactly
/// one regiehouder, its level stays on the ladder, every refused command changes nothing, no partner below a level
/// moves a deadline that level owns, and nobody moves a statutory one.
@Suite struct PropertyTests {
    /// A small deterministic generator (SplitMix64), so a failing seed can be replayed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let partners = [
        "gemeente-haarlem", "gemeente-velsen", "bw-aanbieder", "ggz-aanbieder", "ggd-vangnet", "sociaal-wijkteam",
        "politie-haarlem", "ketenregisseur-zkih", "bestuur-centrumgemeente",
    ]

    func invariants(_ c: CaseRecord, _ context: String) {
        #expect(!c.regie.partner.isEmpty, "\(context): regie is empty")
        #expect(!c.participants.contains { $0.role == .regiehouder }, "\(context): a second regiehouder")
        #expect(!c.participants.contains { $0.partner == c.regie.partner && $0.role == .betrokken }, "\(context)")
        #expect((0...3).contains(c.level), "\(context): level \(c.level)")
        #expect(c.level == 0 || c.details.levelSince != nil, "\(context): escalated without a since")
        if let h = c.details.handover { #expect(h.to != c.regie.partner, "\(context): handover to the holder") }
    }

    /// No partner below a level moves what that level owns: its deadlines keep their due time and keep running,
    /// unless the case went further up the ladder, the partner reported its own opdracht done, or the case closed
    /// (and then the owner of its level is told). A statutory deadline never moves or pauses.
    func deadlinesHold(
        _ before: CaseRecord, _ after: CaseRecord, _ command: CaseCommand, _ machine: StateMachine,
        _ region: RegionHarness, _ context: String
    ) throws {
        let authority = machine.authority(of: command.actor, in: before) ?? -1
        let deadlines = before.timers.filter { $0.kind == .deadline }
        for t in deadlines {
            let now = after.timers.first { $0.kind == .deadline && $0.sameTimer(as: t) }
            if machine.info(t).statutory, let now {
                #expect(now.dueAt == t.dueAt && !now.paused, "\(context): statutory \(t.label) moved or paused")
            }
            guard t.ownerLevel > 0 && t.ownerLevel > authority else { continue }
            if after.closedAt != nil {
                let told = try region.outbox(after.id).filter { $0.sequence == after.sequence }.flatMap(\.recipients)
                for owner in machine.levelOwners(of: before) {
                    #expect(told.contains(owner), "\(context): \(owner) not told that its case closed")
                }
                continue
            }
            let escalated = after.level > before.level
            let done = command.event == "opdracht-uitgevoerd" && t.subject == command.actor.partner
            if !escalated && !done {
                #expect(
                    now?.dueAt == t.dueAt && now?.paused == t.paused,
                    "\(context): \(t.label) of level \(t.ownerLevel) changed by a partner of level \(authority)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func randomCommandsKeepTheInvariants(seed: UInt64) throws {
        var random = Random(state: seed)
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let machineFor = { (c: CaseRecord) in try region.engine.machine(for: c.workflow, version: c.version) }
        var cases: [String] = []
        let openings: [(String, [String: String])] = [
            ("netwerkcasus", [:]),
            (
                "bemoeizorg",
                [
                    "ernstige-problematiek": "ja", "meerdere-domeinen": "ja", "geen-hulpvraag": "nee",
                    "outreach-nodig": "ja",
                ]
            ),
            ("vso", ["basisteam": "politie-haarlem"]),
            ("wvggz-melding", ["melder-naaste": "ja"]),
        ]
        for (workflow, fields) in openings {
            for regie in ["bw-aanbieder", "gemeente-haarlem"] {
                cases.append(
                    try region.open(
                        workflow, regie: regie, as: Actor(partner: "politie-haarlem", role: .melder),
                        gemeente: "gemeente-haarlem", fields: fields))
            }
        }
        var accepted = 0
        var refused = 0
        // The rows read afresh, without the readers' cache of decoded cases.
        let rows = try CaseStore(path: region.engine.databasePath, readOnly: true)
        for step in 0..<1000 {
            if Int.random(in: 0..<10, using: &random) == 0 {
                try region.advance(
                    to: region.calendar.localText(
                        region.clock.now().adding(seconds: Int64.random(in: 3600...400_000, using: &random))
                    ).replacingOccurrences(of: " CET", with: "").replacingOccurrences(of: " CEST", with: ""))
            }
            var open = try cases.filter { try region.show($0).closedAt == nil }
            if open.count < 6 {
                // Keep enough cases running: open a new one of a random workflow.
                let (workflow, fields) = openings.randomElement(using: &random)!
                let fresh = try region.open(
                    workflow, regie: Self.partners.randomElement(using: &random)!,
                    as: Actor(partner: "politie-haarlem", role: .melder), gemeente: "gemeente-velsen", fields: fields)
                cases.append(fresh)
                open.append(fresh)
            }
            let id =
                Int.random(in: 0..<20, using: &random) == 0
                ? cases.randomElement(using: &random)! : open.randomElement(using: &random)!
            let before = try region.show(id)
            let machine = try machineFor(before)
            var events = Array(machine.workflow.eventNames) + Array(StateMachine.builtInEvents.keys) + ["onbekend"]
            events.sort()
            let allowed = machine.allowedEvents(in: before.state)
            let event =
                Int.random(in: 0..<5, using: &random) > 0 && !allowed.isEmpty
                ? allowed.randomElement(using: &random)! : events.randomElement(using: &random)!
            let transition = machine.transition(event, in: before.state)
            // Mostly act as someone who may (a holder of a role the transition allows), sometimes as someone taking
            // part in the role they hold, sometimes as anyone in any role.
            let actor: Actor
            let dice = Int.random(in: 0..<4, using: &random)
            let role = machine.roles(allowedFor: event, in: before.state).filter { $0 != .systeem }.sorted()
                .randomElement(using: &random)
            if dice < 2, let role, let partner = machine.holders(of: role, in: before).randomElement(using: &random) {
                actor = Actor(partner: partner, role: role)
            } else if dice == 2, let p = before.partners.randomElement(using: &random) {
                actor = Actor(partner: p.partner, role: p.role)
            } else {
                let role = [Role.regiehouder, .betrokken, .procesregisseur, .ketenregisseur, .bestuurlijk, .melder]
                    .randomElement(using: &random)!
                actor = Actor(partner: Self.partners.randomElement(using: &random)!, role: role)
            }
            var fields: [String: String] = [:]
            for f in transition?.fields ?? [] where Int.random(in: 0..<5, using: &random) > 0 {
                switch f.kind {
                case .choice(let values): fields[f.name] = values.randomElement(using: &random)!
                case .workingDays: fields[f.name] = String(Int.random(in: 1...15, using: &random))
                case .basisteam: fields[f.name] = "politie-haarlem"
                case .text: fields[f.name] = "tekst"
                }
            }
            if transition?.effects.contains(where: \.opensCase) == true {
                fields.merge(openings[1].1) { a, _ in a }
            }
            // The regiehouder mostly names its contact person (required after regie moved without one).
            let names = actor.role == .regiehouder || transition?.effects.contains(where: \.movesRegie) == true
            let command = CaseCommand(
                event: event, actor: actor, note: Int.random(in: 0..<5, using: &random) > 0 ? "notitie" : nil,
                target: Int.random(in: 0..<5, using: &random) > 0 ? Self.partners.randomElement(using: &random) : nil,
                motivation: Int.random(in: 0..<5, using: &random) > 0 ? "reden" : nil,
                timer: before.timers.randomElement(using: &random)?.label, days: Int.random(in: 1...5, using: &random),
                fields: fields,
                contact: Int.random(in: 0..<20, using: &random) >= (names ? 5 : 19) ? "contactpersoon" : nil)
            let eventsBefore = try region.timeline(id).count
            let outboxBefore = try region.outbox(id).count
            do {
                let after = try #require(try region.engine.fire(id, command).record)
                accepted += 1
                let context = "seed \(seed) step \(step) \(event) by \(actor.partner):\(actor.role.rawValue)"
                invariants(after, context)
                // The next decision reads the case as its commit kept it in the cache: exactly its row, read afresh.
                #expect(try region.show(id) == rows.loadCase(id), "\(context): the cached case differs from its row")
                try deadlinesHold(before, after, command, machine, region, context)
                for link in after.details.links where !cases.contains(link.caseId) {
                    cases.append(link.caseId)
                    invariants(try region.show(link.caseId), "opened case")
                }
            } catch EngineError.refused {
                refused += 1
                #expect(try region.show(id) == before, "seed \(seed) step \(step): refused \(event) changed the case")
                #expect(try region.timeline(id).count == eventsBefore)
                #expect(try region.outbox(id).count == outboxBefore)
            }
        }
        for id in cases { invariants(try region.show(id), "seed \(seed) at the end") }
        // The monitor counts every event of the log once, in one figure (a family's second breakdown counts the same
        // events again), except the built-in events that are no step of the case and the openings of cases another
        // case's decision opened, which are counted as that decision.
        let counted = try region.engine.read { try $0.monitorCounts(from: 202601, to: 202912) }.filter {
            $0.fact.days < 0 && MonitorFigure(rawValue: $0.fact.figure)?.joinsFromTheSide == false
        }.reduce(0) { $0 + $1.count }
        let uncounted = Set(StateMachine.builtInEvents.keys).subtracting(["gemeente-wijzigen"]).union([
            "herinnering", "timer-vervallen", "gekoppeld", StateMachine.lookupEvent,
        ])
        let logged = try region.engine.read { store in
            try store.db.scalarInt(
                "SELECT count(*) FROM events WHERE event NOT IN (\(uncounted.map { "'\($0)'" }.joined(separator: ", "))) AND NOT (event = 'geopend' AND json_extract(payload, '$.openedFrom') IS NOT NULL)"
            )
        }
        #expect(Int64(counted) == logged, "seed \(seed): \(counted) counted, \(logged ?? 0) events")
        // The generator must exercise both sides, or the test proves nothing.
        #expect(accepted >= 100, "only \(accepted) commands accepted")
        #expect(refused >= 200, "only \(refused) commands refused")
    }
}
