import Foundation
import RegieCore
import Testing

@testable import RegieStore

@Suite struct CaseStoreTests {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("regie-store-\(UUID().uuidString).db").path
    }

    func record(_ id: String, now: Instant) -> CaseRecord {
        CaseRecord(
            id: id, workflow: "w", version: 1, state: "open", regie: RegieHolder(partner: "p", contact: nil),
            participants: [Participant(partner: "q", role: .betrokken)],
            level: 0, clientKey: nil, suspendedAt: nil, sequence: 1, openedAt: now, updatedAt: now, lastActivityAt: now,
            closedAt: nil,
            timers: [
                TimerRecord(
                    name: "t", kind: .deadline, event: "e", dueAt: now.adding(seconds: 60), startedAt: now,
                    ownerState: "open", paused: false)
            ])
    }

    func decision(_ r: CaseRecord) -> Decision {
        Decision(
            record: r,
            events: [
                CaseEvent(
                    caseId: r.id, sequence: r.sequence, at: r.updatedAt, event: "geopend",
                    actor: Actor(partner: "p", role: .regiehouder), payload: ["x": 1])
            ],
            notifications: [
                Notification(
                    caseId: r.id, sequence: r.sequence, topic: "case.opened", recipients: ["p"], event: "geopend",
                    level: 0)
            ])
    }

    @Test func createsAWALDatabaseWithDurableCommits() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        #expect(try store.db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try store.db.scalarInt("PRAGMA synchronous") == 2)
        #expect(!store.simulatedClock)
        #expect(throws: StoreError.self) {
            try CaseStore.create(path: path, simulatedClock: true, now: Instant(seconds: 0))
        }
    }

    @Test func checkpointsHappenOnTheCheckpointerNotOnTheCommitter() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t(x BLOB)")
        let fileSize = { ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0 }
        // With the commits' hook taken but nobody checkpointing, the database file does not grow.
        db.handOffCheckpoints { _ in }
        let before = fileSize()
        for _ in 0..<40 { try db.write { try db.run("INSERT INTO t VALUES (zeroblob(8192))") } }
        #expect(fileSize() == before)
        // A checkpointer signalled from the hook copies the log into the file on its own thread.
        let checkpointer = try Checkpointer(path: path, threshold: 10)
        db.handOffCheckpoints { checkpointer.logGrew(to: $0) }
        try db.write { try db.run("INSERT INTO t VALUES (zeroblob(8192))") }
        let deadline = Date().addingTimeInterval(10)
        while fileSize() < 40 * 8192 && Date() < deadline { usleep(20_000) }
        #expect(fileSize() >= 40 * 8192)
        checkpointer.stop()
    }

    @Test func refusesAFileThatIsNotARegieDatabase() throws {
        let other = path + ".other"
        _ = try Database(path: other)
        #expect(throws: StoreError.self) { try CaseStore(path: other) }
    }

    @Test func commitsEventsProjectionTimersAndOutboxTogether() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        let now = Instant(seconds: 1_800_000_000)
        let saved = try store.db.write { try store.commit(decision(record("c-1", now: now)), previous: nil) }
        #expect(saved.timers.first?.id != nil)
        let loaded = try #require(try store.loadCase("c-1"))
        #expect(loaded == saved)
        #expect(try store.events(of: "c-1").map(\.event) == ["geopend"])
        #expect(try store.db.scalarInt("SELECT count(*) FROM outbox") == 1)
        // A failing write inside the transaction leaves nothing behind.
        #expect(throws: (any Error).self) {
            try store.db.write {
                try store.commit(decision(record("c-2", now: now)), previous: nil)
                try store.commit(decision(record("c-2", now: now)), previous: nil)
            }
        }
        #expect(try store.loadCase("c-2") == nil)
        #expect(try store.db.scalarInt("SELECT count(*) FROM events WHERE case_id='c-2'") == 0)
    }

    @Test func appliesTimerChangesAsADiff() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        let now = Instant(seconds: 1_800_000_000)
        let first = try store.db.write { try store.commit(decision(record("c-1", now: now)), previous: nil) }
        var next = first
        next.sequence = 2
        next.timers[0].dueAt = now.adding(seconds: 120)
        next.timers.append(
            TimerRecord(
                name: "u", kind: .deadline, event: "f", dueAt: now.adding(seconds: 30), startedAt: now, ownerState: nil,
                paused: false))
        var d = decision(next)
        d.events[0].sequence = 2
        let second = try store.db.write { try store.commit(d, previous: first) }
        #expect(second.timers[0].id == first.timers[0].id)
        #expect(try store.nextDueAt() == now.adding(seconds: 30))
        #expect(try store.dueTimers(until: now.adding(seconds: 200), max: 10).count == 2)
    }

    @Test func theEventLogIsAppendOnly() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        try store.db.write { try store.commit(decision(record("c-1", now: Instant(seconds: 1))), previous: nil) }
        #expect(throws: DatabaseError.self) { try store.db.execute("UPDATE events SET event='x'") }
        #expect(throws: DatabaseError.self) { try store.db.execute("DELETE FROM events") }
        var message = ""
        do { try store.db.execute("DELETE FROM events") } catch { message = error.message }
        #expect(message.contains("append-only"))
    }

    @Test func aTimerCanBeRecordedAsFiredOnlyOnce() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        let t = DueTimer(id: 7, caseId: "c-1", dueAt: Instant(seconds: 10))
        try store.recordFiring(t, name: "t", firedAt: Instant(seconds: 11), sequence: 2)
        #expect(throws: DatabaseError.self) {
            try store.recordFiring(t, name: "t", firedAt: Instant(seconds: 12), sequence: 3)
        }
    }
}

extension CaseStoreTests {
    @Test func aDecisionOnAStaleCaseWritesNothing() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        let now = Instant(seconds: 1_800_000_000)
        let first = try store.db.write { try store.commit(decision(record("c-1", now: now)), previous: nil) }
        var next = first
        next.sequence = 2
        var d = decision(next)
        d.events[0].sequence = 2
        try store.db.write { try store.commit(d, previous: first) }
        // A second decision made on the same (now stale) first version is refused before any write.
        #expect(throws: StoreError.self) { try store.db.write { try store.commit(d, previous: first) } }
        #expect(try store.events(of: "c-1").map(\.sequence) == [1, 2])
        #expect(try store.db.scalarInt("SELECT count(*) FROM events") == 2)
    }

    @Test func theTimelineFollowsEachCasesChainInOrder() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        let now = Instant(seconds: 1_800_000_000)
        var current = [
            "a": try store.db.write { try store.commit(decision(record("a", now: now)), previous: nil) },
            "b": try store.db.write { try store.commit(decision(record("b", now: now)), previous: nil) },
        ]
        for i in 0..<40 {
            let id = i % 3 == 0 ? "a" : "b"
            let before = try #require(current[id])
            var next = before
            next.sequence += 1
            var d = decision(next)
            d.events[0].sequence = next.sequence
            current[id] = try store.db.write { try store.commit(d, previous: before) }
        }
        #expect(try store.events(of: "a").map(\.sequence) == Array(1...15))
        #expect(try store.events(of: "b").map(\.sequence) == Array(1...27))
    }
}
