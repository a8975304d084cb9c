import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

/// The shipped region (Workflows/ and Config/) on a fresh SQLite file, with a clock the story moves.
final class RegionHarness {
    let clock: TestClock
    let engine: Engine
    let calendar: DutchCalendar

    /// Opens the region at a local (Amsterdam) time such as `2026-11-23T09:00`.
    init(at start: String) throws {
        let region = try ShippedRegion(at: start)
        (clock, engine, calendar) = (region.clock, region.engine, region.engine.config.calendar)
        #expect(engine.catalog.failures.isEmpty, "shipped workflows: \(engine.catalog.failures)")
    }

    func instant(_ local: String) throws -> Instant { try calendar.parseInstant(local) }

    /// Moves the clock to a local time (never backwards).
    func now(_ local: String) throws {
        let t = try instant(local)
        #expect(t >= clock.now(), "the story goes back in time to \(local)")
        clock.set(t)
    }

    /// Lets time pass until `local`, firing every timer at the moment it falls due.
    @discardableResult
    func advance(to local: String) throws -> Int {
        let end = try instant(local)
        var fired = 0
        while let next = try engine.nextDueAt(), next <= end {
            clock.set(max(next, clock.now()))
            fired += try engine.fireDueTimers(now: clock.now()).fired
        }
        clock.set(end)
        return fired
    }

    @discardableResult
    func open(
        _ workflow: String, regie: String, as actor: Actor? = nil, gemeente: String? = nil,
        fields: [String: String] = [:], bsn: String? = nil
    ) throws -> String {
        let outcome = try engine.open(
            .init(workflow: workflow, regie: regie, bsn: bsn, actor: actor, fields: fields, municipality: gemeente))
        return try #require(outcome.record?.id)
    }

    @discardableResult
    func fire(
        _ id: String, _ event: String, as actor: Actor, note: String? = nil, target: String? = nil,
        motivation: String? = nil, timer: String? = nil, days: Int? = nil, fields: [String: String] = [:],
        contact: String? = nil
    ) throws -> CaseRecord {
        let command = CaseCommand(
            event: event, actor: actor, note: note, target: target, motivation: motivation, timer: timer, days: days,
            fields: fields, contact: contact)
        return try #require(try engine.fire(id, command).record)
    }

    /// Fires a command that must be refused, checks that nothing changed, and returns the refusal.
    func refused(
        _ id: String, _ event: String, as actor: Actor, note: String? = nil, target: String? = nil,
        motivation: String? = nil, timer: String? = nil, days: Int? = nil, fields: [String: String] = [:],
        contact: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Refusal? {
        let before = try engine.show(id)
        let events = try engine.timeline(id).count
        let outbox = try outbox(id).count
        do {
            try fire(
                id, event, as: actor, note: note, target: target, motivation: motivation, timer: timer, days: days,
                fields: fields, contact: contact)
            Issue.record("\(event) by \(actor.partner) was accepted", sourceLocation: sourceLocation)
            return nil
        } catch let error as EngineError {
            #expect(try engine.show(id) == before, "a refused command changed the case", sourceLocation: sourceLocation)
            #expect(try engine.timeline(id).count == events, sourceLocation: sourceLocation)
            #expect(try self.outbox(id).count == outbox, sourceLocation: sourceLocation)
            guard case .refused(let r) = error else {
                Issue.record("expected a refusal, got \(error)", sourceLocation: sourceLocation)
                return nil
            }
            return r
        }
    }

    /// What every partner of the region sees of a case now: its view, for each partner that sees it at all.
    func views(_ id: String) throws -> [String: CaseAccess.View] {
        let record = try show(id)
        var out: [String: CaseAccess.View] = [:]
        for p in engine.config.partners {
            if let access = engine.access(to: record, for: p.id) { out[p.id] = access.view }
        }
        return out
    }

    /// The recipients of the notifications of a topic written by the case's last event.
    func told(_ id: String, _ topic: String) throws -> [String] {
        let sequence = try show(id).sequence
        return try outbox(id).filter { $0.sequence == sequence && $0.topic == topic }.flatMap(\.recipients)
    }

    func show(_ id: String) throws -> CaseRecord { try engine.show(id) }
    func timeline(_ id: String) throws -> [CaseEvent] { try engine.timeline(id) }
    func outbox(_ id: String) throws -> [CaseStore.OutboxRow] { try engine.read { try $0.outbox(of: id) } }

    /// The local day a deadline falls on (a deadline at local midnight ends the day before).
    func day(_ instant: Instant) -> String { calendar.deadlineDay(of: instant).isoText }

    /// The due day of a case's running deadline timer.
    func dueDay(_ id: String, _ timer: String) throws -> String? {
        try show(id).timers.first { $0.name == timer && $0.kind == .deadline }.map { day($0.dueAt) }
    }
}

extension Actor {
    static func regiehouder(_ partner: String) -> Actor { Actor(partner: partner, role: .regiehouder) }
    static func betrokken(_ partner: String) -> Actor { Actor(partner: partner, role: .betrokken) }
    static let ketenregisseur = Actor(partner: "ketenregisseur-zkih", role: .ketenregisseur)
    static func procesregisseur(_ partner: String) -> Actor { Actor(partner: partner, role: .procesregisseur) }
}
