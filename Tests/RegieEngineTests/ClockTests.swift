import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine

/// A real clock that jumps backwards (an NTP step, a VM restored from a snapshot) is not trusted: nothing is
/// recorded before what was recorded already, and deadlines count from the last recorded time.
@Suite struct ClockTests {
    static let t = Instant(iso8601: "2026-11-23T09:00:00Z") ?? Instant(milliseconds: 0)

    @Test func aGuardedClockHoldsItsFloorAndCountsTheJump() {
        let base = TickingClock(Self.t)
        let clock = GuardedClock(base)
        let first = clock.now()
        base.set(Self.t.adding(seconds: -3 * 86400))
        #expect(clock.now() == first)
        #expect(clock.now() == first)
        #expect(clock.backwards.jumps == 1)
        #expect(clock.backwards.behindSeconds > 3 * 86400 - 1)
        base.set(Self.t.adding(seconds: 60))
        #expect(clock.now() > first)
        #expect(clock.backwards.behindSeconds == 0 && clock.backwards.jumps == 1)
    }

    @Test func aProcessWhoseClockIsThreeDaysBehindRecordsNothingBeforeTheLastEvent() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let haarlem = Actor(partner: "gemeente-haarlem", role: .regiehouder)
        let id: String
        let last: Instant
        do {
            let engine = try box.engine(clock: TickingClock(Self.t), simulated: false)
            id = try #require(try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem")).record?.id)
            _ = try engine.fire(id, CaseCommand(event: "voortgang", actor: haarlem))
            last = try #require(try engine.timeline(id).last?.at)
        }
        // Another process starts on the same database with its clock three days behind.
        let behind = GuardedClock(TickingClock(Self.t.adding(seconds: -3 * 86400)))
        let engine = try box.engine(clock: behind, simulated: false)
        let after = try #require(try engine.fire(id, CaseCommand(event: "voortgang", actor: haarlem)).record)
        let events = try engine.timeline(id)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.at <= $1.at }, "\(events.map(\.at))")
        #expect(try #require(events.last?.at) >= last)
        // The stagnation deadline (ten minutes) counts from the last recorded time, not from three days ago.
        let due = try #require(after.timers.first { $0.name == "stilstand" }?.dueAt)
        #expect(due >= last.adding(seconds: 600))
        // A new case opened by that process is not dated before the database's last event either.
        let other = try #require(try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem")).record)
        #expect(other.openedAt >= last)
        #expect(behind.backwards.jumps == 1)
    }
}
