import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine

@Suite struct EngineTests {
    let start = Instant(seconds: 1_795_000_000)  // 2026-11-18

    func open(_ engine: Engine, key: String? = nil) throws -> String {
        let outcome = try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem", idempotencyKey: key))
        return try #require(outcome.response["id"]?.stringValue)
    }

    let haarlem = Actor(partner: "gemeente-haarlem", role: .regiehouder)

    @Test func theSameCommandTwiceWithOneKeyHasOneEffectAndTheSameAnswer() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let id = try open(engine)
        let first = try engine.fire(id, CaseCommand(event: "notitie", actor: haarlem, note: "a"), idempotencyKey: "k-1")
        let second = try engine.fire(
            id, CaseCommand(event: "notitie", actor: haarlem, note: "a"), idempotencyKey: "k-1")
        #expect(!first.replayed && second.replayed)
        #expect(first.response == second.response)
        #expect(try engine.timeline(id).count == 2)
        // The same key for another command is refused, and changes nothing.
        #expect(throws: EngineError.self) {
            try engine.fire(id, CaseCommand(event: "notitie", actor: haarlem, note: "b"), idempotencyKey: "k-1")
        }
        #expect(try engine.timeline(id).count == 2)
        // Opening is idempotent too.
        let a = try open(engine, key: "open-1")
        let b = try open(engine, key: "open-1")
        #expect(a == b)
        #expect(try engine.list().count == 2)
    }

    @Test func aStaleExpectedSequenceIsRefusedAndChangesNothing() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let id = try open(engine)
        _ = try engine.fire(id, CaseCommand(event: "notitie", actor: haarlem, expectedSequence: 1))
        do {
            _ = try engine.fire(id, CaseCommand(event: "notitie", actor: haarlem, expectedSequence: 1))
            Issue.record("stale sequence accepted")
        } catch {
            guard case .refused(let r) = error else { throw error }
            #expect(r.reason == .staleSequence)
        }
        #expect(try engine.show(id).sequence == 2)
    }

    @Test func concurrentCommandsAreAllCommittedInGroups() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let ids = try (0..<8).map { _ in try open(engine) }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for _ in 0..<50 { _ = try? engine.fire(ids[i], CaseCommand(event: "notitie", actor: haarlem)) }
        }
        for id in ids { #expect(try engine.show(id).sequence == 51) }
        let count = try engine.read { try $0.db.scalarInt("SELECT count(*) FROM events") }
        #expect(count == Int64(8 * 51))
    }

    @Test func recordsSubmittedWithoutWaitingShareCommitsAndReportOnceDurable() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let ids = try (0..<4).map { _ in try open(engine) }
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var errors: [Int: EngineError?] = [:]
            var seenOnDisk = 0
        }
        let reports = Reports()
        let all = DispatchGroup()
        // Submitted records (nobody waits) interleave with commands (their callers wait) on 4 threads.
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<100 {
                let n = t * 100 + i
                all.enter()
                let entry = AuditEntry(
                    at: start, channel: .api, action: "read", resource: "test", caseId: ids[t], partner: "p\(n)",
                    outcome: .ok, status: 200)
                engine.audit(batch: [entry]) { error in
                    // Reported only once durable: a fresh connection already sees the record.
                    let visible =
                        (try? engine.read { try $0.db.scalarInt("SELECT count(*) FROM audit WHERE partner='p\(n)'") })
                        ?? 0
                    reports.lock.withLock {
                        #expect(reports.errors[n] == nil, "record \(n) reported twice")
                        reports.errors[n] = error
                        if visible == 1 { reports.seenOnDisk += 1 }
                    }
                    all.leave()
                }
                if i % 10 == 0 { _ = try? engine.fire(ids[t], CaseCommand(event: "notitie", actor: haarlem)) }
            }
        }
        #expect(all.wait(timeout: .now() + 30) == .success)
        #expect(reports.errors.count == 400 && reports.errors.values.allSatisfy { $0 == nil })
        #expect(reports.seenOnDisk == 400)
        for id in ids { #expect(try engine.show(id).sequence == 11) }
        let verification = try engine.verifyAudit()
        #expect(verification.firstBroken == nil && verification.checked == 400)
    }

    @Test func runningCasesStayOnTheirWorkflowVersion() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow(version: 1, stagnation: "PT10M")])
        let old = try open(try box.engine(clock: TestClock(start)))
        // Version 2 changes the timer; the running case keeps version 1's rules.
        try box.write("kort.json", timerWorkflow(version: 2, stagnation: "PT20M"))
        let engine = try box.engine(clock: TestClock(start))
        let new = try open(engine)
        #expect(try engine.show(new).version == 2)
        _ = try engine.fire(old, CaseCommand(event: "voortgang", actor: haarlem))
        let oldCase = try engine.show(old)
        #expect(oldCase.version == 1)
        #expect(oldCase.timers.first?.dueAt == start.adding(seconds: 600))
        #expect(try engine.show(new).timers.first?.dueAt == start.adding(seconds: 1200))
        // Changing a version's content without raising the version is refused.
        try box.write("kort.json", timerWorkflow(version: 2, stagnation: "PT30M"))
        let changed = try box.engine(clock: TestClock(start))
        #expect(throws: EngineError.self) { try open(changed) }
    }

    @Test func timersFireExactlyOnceAcrossARestart() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let clock = TestClock(start)
        var engine: Engine? = try box.engine(clock: clock)
        let ids = try (0..<20).map { _ in try open(try #require(engine)) }
        clock.set(start.adding(seconds: 3600))
        let first = try #require(engine).fireDueTimers()
        #expect(first.fired == 20)
        engine = nil
        // A new process on the same file: nothing fires twice.
        let again = try box.engine(clock: clock)
        #expect(try again.fireDueTimers().fired == 0)
        for id in ids {
            let events = try again.timeline(id).map(\.event)
            #expect(events.filter { $0 == "stil" }.count == 1)
            #expect(try again.show(id).level == 1)
        }
        #expect(try again.read { try $0.db.scalarInt("SELECT count(*) FROM timer_firings") } == 20)
    }

    @Test func overdueTimersFireInDueOrderAtStartUpAndLeftStatesDoNotFire() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let clock = TickingClock(start)
        let engine = try box.engine(clock: clock)
        var ids: [String] = []
        for i in 0..<5 {
            // Opened in reverse order of their due times, so due order differs from creation order.
            clock.set(start.adding(seconds: Int64(60 * (5 - i))))
            ids.append(try open(engine))
        }
        let closed = try open(engine)
        _ = try engine.fire(closed, CaseCommand(event: "sluiten", actor: haarlem))
        clock.set(start.adding(seconds: 86400))
        let downtimeEngine = try box.engine(clock: clock)
        let report = try downtimeEngine.fireDueTimers()
        #expect(report.fired == 5)
        let dueOrder = try downtimeEngine.read {
            try $0.db.integers("SELECT due_at FROM timer_firings ORDER BY fired_at")
        }
        #expect(dueOrder.count == 5 && dueOrder == dueOrder.sorted())
        #expect(try downtimeEngine.timeline(closed).map(\.event) == ["geopend", "sluiten"])
    }

    @Test func theBSNIsNeverStoredOnlyItsPseudonym() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let outcome = try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem", bsn: "111222333"))
        let id = try #require(outcome.response["id"]?.stringValue)
        let key = try #require(try engine.show(id).clientKey)
        #expect(key.count == 64 && !key.contains("111222333"))
        // Same person, same pseudonym.
        let other = try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem", bsn: "1112.22.333"))
        #expect(try engine.show(try #require(other.response["id"]?.stringValue)).clientKey == key)
        // Not in the database file, the WAL or anywhere beside them.
        for file in try FileManager.default.contentsOfDirectory(atPath: box.folder.path)
        where file.hasPrefix("regie.db") {
            let data = try Data(contentsOf: box.folder.appendingPathComponent(file))
            #expect(data.range(of: Data("111222333".utf8)) == nil, "BSN found in \(file)")
        }
        #expect(throws: EngineError.self) {
            try engine.open(.init(workflow: "kort", regie: "gemeente-haarlem", bsn: "123456789"))
        }
    }

    @Test func theSchedulerSleepsUntilDueAndWakesForAnEarlierTimer() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow(stagnation: "PT1S")])
        let engine = try box.engine(clock: WallClock(), simulated: false)
        let scheduler = try Scheduler(engine: engine)
        #expect(throws: EngineError.self) { try Scheduler(engine: engine) }
        final class Firings: @unchecked Sendable {
            let lock = NSLock()
            var lateness: [Int64] = []
        }
        let firings = Firings()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? scheduler.run { report in firings.lock.withLock { firings.lateness += report.latenessMs } }
            done.signal()
        }
        // Nothing is due, so the scheduler sleeps (up to five minutes); a new timer due in 1 s must wake it.
        Thread.sleep(forTimeInterval: 0.3)
        let id = try open(engine)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && firings.lock.withLock({ firings.lateness.isEmpty }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        scheduler.stop()
        #expect(done.wait(timeout: .now() + 5) == .success)
        let lateness = firings.lock.withLock { firings.lateness }
        #expect(lateness.count == 1)
        #expect((lateness.first ?? 10_000) < 1000)
        #expect(try engine.timeline(id).map(\.event) == ["geopend", "stil"])
    }
}

@Suite struct TimerRestartTests {
    /// A timer whose firing re-enters its own state starts again; the new run must be able to fire too.
    static let loop = """
        {
          "name": "lus",
          "version": 1,
          "states": [
            {"name": "wacht", "initial": true, "timers": [{"name": "tik", "after": "PT1M", "fires": "getikt"}]},
            {"name": "klaar", "final": true}
          ],
          "transitions": [
            {"event": "getikt", "from": ["wacht"], "to": "wacht", "roles": ["systeem"]},
            {"event": "stop", "from": ["wacht"], "to": "klaar", "roles": ["regiehouder"]}
          ]
        }
        """

    @Test func aTimerThatRestartsItselfFiresEveryRunOnce() throws {
        let box = try Sandbox(workflows: ["lus.json": Self.loop])
        let start = Instant(seconds: 1_795_000_000)
        let clock = TestClock(start)
        let engine = try box.engine(clock: clock)
        let id = try #require(
            try engine.open(.init(workflow: "lus", regie: "gemeente-haarlem")).response["id"]?.stringValue)
        for minute in 1...3 {
            clock.set(start.adding(seconds: Int64(60 * minute)))
            #expect(try engine.fireDueTimers().fired == 1)
        }
        #expect(try engine.timeline(id).map(\.event) == ["geopend", "getikt", "getikt", "getikt"])
        #expect(try engine.show(id).timers.first?.dueAt == start.adding(seconds: 240))
    }
}

@Suite struct BatchTests {
    let start = Instant(seconds: 1_795_000_000)
    let haarlem = Actor(partner: "gemeente-haarlem", role: .regiehouder)

    @Test func eachCommandOfABatchSucceedsOrIsRefusedOnItsOwn() throws {
        let box = try Sandbox(workflows: ["kort.json": timerWorkflow()])
        let engine = try box.engine(clock: TestClock(start))
        let opened = try engine.open(batch: [
            .init(workflow: "kort", regie: "gemeente-haarlem"), .init(workflow: "kort", regie: ""),
            .init(workflow: "kort", regie: "gemeente-haarlem"),
        ])
        #expect(opened.map { (try? $0.get()) != nil } == [true, false, true])
        let a = try #require(try opened[0].get().record?.id)
        let b = try #require(try opened[2].get().record?.id)
        // Two commands for case a in one batch: both are decided on the same snapshot, so the second is stale by
        // the time it is written and must be decided again on the case as the first left it.
        let results = try engine.fire(batch: [
            .init(caseId: a, command: CaseCommand(event: "notitie", actor: haarlem)),
            .init(caseId: a, command: CaseCommand(event: "notitie", actor: haarlem)),
            .init(caseId: b, command: CaseCommand(event: "vliegen", actor: haarlem)),
            .init(caseId: "c-nope", command: CaseCommand(event: "notitie", actor: haarlem)),
            .init(caseId: b, command: CaseCommand(event: "sluiten", actor: haarlem)),
        ])
        #expect(try results[0].get().record?.sequence == 2)
        #expect(try results[1].get().record?.sequence == 3)
        guard case .failure(.refused(let refusal)) = results[2] else {
            Issue.record("an unknown event was not refused")
            return
        }
        #expect(refusal.reason == .unknownEvent)
        guard case .failure(.notFound) = results[3] else {
            Issue.record("an unknown case was not reported as not found")
            return
        }
        #expect(try results[4].get().record?.state == "dicht")
        #expect(try engine.timeline(a).map(\.sequence) == [1, 2, 3])
        #expect(try engine.timeline(b).map(\.event) == ["geopend", "sluiten"])
    }
}
