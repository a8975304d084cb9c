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
                    ownerState: "open")
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

    /// A database of schema 4 (one opdracht per case, timers paused by a flag) opens as the current schema: a paused timer
    /// was paused when its case was suspended, the level deadline and the opdracht's deadline belong to the case's
    /// level, and the opdracht's deadline names its partner.
    /// Reads run beside the writer and never wait for it: a connection opened to read while the write lock is held
    /// must not wait for that lock, as a migrating one would (here for the ten seconds of its busy timeout).
    @Test func aReaderOpensBesideAHeldWriteLockWithoutWaitingForIt() throws {
        let now = Instant(milliseconds: 1_700_000_000_000)
        let store = try CaseStore.create(path: path, simulatedClock: false, now: now)
        try store.db.write { try store.commit(decision(record("c-1", now: now)), previous: nil) }
        let writer = try Database(path: path)
        try writer.execute("BEGIN IMMEDIATE")
        defer { try? writer.execute("ROLLBACK") }
        let started = Date()
        let reader = try CaseStore(path: path, migrates: false)
        #expect(try reader.db.read { try reader.loadCase("c-1") }?.id == "c-1")
        #expect(Date().timeIntervalSince(started) < 2, "the reader waited for the write lock")
    }

    @Test func migratesSchema4Timers() throws {
        do {
            let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
            let db = store.db
            try db.write {
                try db.execute(
                    """
                    ALTER TABLE events DROP COLUMN hash;
                    ALTER TABLE events DROP COLUMN state;
                    ALTER TABLE cases DROP COLUMN last_hash;
                    DROP TABLE case_clients;
                    DROP INDEX timers_due_at;
                    ALTER TABLE timers DROP COLUMN owner_level;
                    ALTER TABLE timers DROP COLUMN subject;
                    ALTER TABLE timers DROP COLUMN paused_at;
                    ALTER TABLE timers ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX timers_due ON timers(due_at) WHERE paused = 0;
                    UPDATE meta SET value='4' WHERE key='schema';
                    INSERT INTO cases(id, workflow, version, state, regie_partner, participants, level, suspended_at,
                        seq, opened_at, updated_at, last_activity_at, details)
                    VALUES ('c-1', 'w', 1, 'open', 'p', '', 2, 5000, 3, 0, 0, 0,
                        '{"opdracht":{"partner":"q","givenBy":"k","givenAt":"2026-11-23T09:00:00.000Z","timer":"opdracht-termijn"}}');
                    INSERT INTO timers(case_id, name, kind, event, due_at, started_at, owner_state, paused) VALUES
                        ('c-1', 'niveau-termijn', 'deadline', 'niveau-termijn-verstreken', 9000, 1000, NULL, 0),
                        ('c-1', 'opdracht-termijn', 'deadline', 'opdracht-verstreken', 8000, 1000, NULL, 1),
                        ('c-1', 'stagnatie', 'deadline', 'stagnatie-gesignaleerd', 7000, 1000, 'open', 1);
                    """)
            }
        }
        let store = try CaseStore(path: path)
        #expect(try store.meta("schema") == Schema.version)
        let c = try #require(try store.loadCase("c-1"))
        let timers = Dictionary(uniqueKeysWithValues: c.timers.map { ($0.name, $0) })
        #expect(timers["niveau-termijn"]?.ownerLevel == 2 && timers["niveau-termijn"]?.pausedAt == nil)
        #expect(timers["opdracht-termijn"]?.ownerLevel == 2 && timers["opdracht-termijn"]?.subject == "q")
        #expect(timers["opdracht-termijn"]?.pausedAt == Instant(milliseconds: 5000))
        #expect(timers["stagnatie"]?.ownerLevel == 0 && timers["stagnatie"]?.pausedAt == Instant(milliseconds: 5000))
        #expect(c.details.opdrachten.map(\.partner) == ["q"])
        #expect(c.details.opdrachten.first?.level == 2)
        #expect(try store.dueTimers(until: Instant(milliseconds: 10_000), max: 10).map(\.dueAt.milliseconds) == [9000])
        // The case's pseudonym-less client list and the seal of its (empty) log are there too.
        #expect(try store.db.scalarInt("SELECT count(*) FROM case_clients") == 0)
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
                name: "u", kind: .deadline, event: "f", dueAt: now.adding(seconds: 30), startedAt: now, ownerState: nil)
        )
        var d = decision(next)
        d.events[0].sequence = 2
        let second = try store.db.write { try store.commit(d, previous: first) }
        #expect(second.timers[0].id == first.timers[0].id)
        #expect(try store.nextDueAt() == now.adding(seconds: 30))
        #expect(try store.dueTimers(until: now.adding(seconds: 200), max: 10).count == 2)
    }

    /// A stored value Regie cannot have written is an error that names where it is, never an empty value: details
    /// read as empty would silently drop a shield, a handover or an opdracht.
    @Test func corruptStoredValuesSurfaceAsErrorsNotAsEmptyValues() throws {
        let store = try CaseStore.create(path: path, simulatedClock: false, now: Instant(seconds: 0))
        try store.db.write { try store.commit(decision(record("c-1", now: Instant(seconds: 1))), previous: nil) }
        #expect(try store.loadCase("c-1")?.id == "c-1")
        try store.db.execute("UPDATE cases SET details='{\"shield\": ' WHERE id='c-1'")
        #expect {
            _ = try store.loadCase("c-1")
        } throws: { error in
            guard case StoreError.corrupt(let what) = error else { return false }
            return what.contains("cases.details of case c-1 is not JSON")
        }
        try store.db.execute("UPDATE cases SET details=NULL WHERE id='c-1'")
        try store.db.execute("UPDATE timers SET kind='soon' WHERE case_id='c-1'")
        #expect {
            _ = try store.loadCase("c-1")
        } throws: { error in
            guard case StoreError.corrupt(let what) = error else { return false }
            return what.contains("timers.kind holds \"soon\"")
        }
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
