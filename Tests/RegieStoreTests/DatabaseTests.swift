import Foundation
import Testing

@testable import RegieStore

@Suite struct DatabaseTests {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("regie-db-\(UUID().uuidString).db").path
    }

    struct Refused: Error {}

    /// Each item of a batch runs in its own savepoint: the one that fails after writing leaves nothing behind, and
    /// the items before and after it commit with the transaction.
    @Test func aFailingItemOfABatchIsRolledBackAloneBySavepoint() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE items (name TEXT NOT NULL)")
        var outcomes: [String] = []
        try db.write {
            for name in ["first", "broken", "third"] {
                do {
                    try db.savepoint {
                        try db.run("INSERT INTO items (name) VALUES (?)", [.text(name)])
                        // A nested unit of work inside the item is undone with it.
                        try db.savepoint { try db.run("INSERT INTO items (name) VALUES (?)", [.text(name + "-inner")]) }
                        if name == "broken" { throw Refused() }
                    }
                    outcomes.append(name)
                } catch is Refused {
                    outcomes.append("refused " + name)
                }
            }
        }
        #expect(outcomes == ["first", "refused broken", "third"])
        let reopened = try Database(path: path)
        var names: [String] = []
        try reopened.query("SELECT name FROM items ORDER BY rowid") { names.append($0.text(0)) }
        #expect(names == ["first", "first-inner", "third", "third-inner"])
    }

    /// Outside a transaction a savepoint is a transaction of its own: all or nothing.
    @Test func aSavepointOutsideATransactionCommitsOrRollsBackAsOne() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE items (name TEXT NOT NULL)")
        #expect(throws: Refused.self) {
            try db.savepoint {
                try db.run("INSERT INTO items (name) VALUES ('lost')")
                throw Refused()
            }
        }
        try db.savepoint { try db.run("INSERT INTO items (name) VALUES ('kept')") }
        var names: [String] = []
        try Database(path: path).query("SELECT name FROM items") { names.append($0.text(0)) }
        #expect(names == ["kept"])
    }

    /// Counters tallied in a transaction are summed per row and written at its commit; an item that rolls back takes
    /// its additions with it, and a transaction that fails writes none.
    @Test func tallyIsSummedPerRowAtCommitAndFollowsSavepoints() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
        let upsert: StaticString =
            "INSERT INTO counts(k, n) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n"
        func counts(_ db: Database) throws -> [String: Int64] {
            var out: [String: Int64] = [:]
            try db.query("SELECT k, n FROM counts") { out[$0.text(0)] = $0.int(1) }
            return out
        }
        try db.write {
            for item in 0..<10 {
                do {
                    try db.savepoint {
                        db.tally(upsert, [.text("a")], by: 1)
                        db.tally(upsert, [.text(item % 2 == 0 ? "even" : "odd")], by: 2)
                        // A nested savepoint's additions roll back with it, and only with it.
                        try? db.savepoint {
                            db.tally(upsert, [.text("inner")], by: 1)
                            if item == 3 { throw Refused() }
                        }
                        if item == 7 { throw Refused() }
                    }
                } catch is Refused {}
            }
            // Not yet written: the sums are written once each, just before the commit.
            #expect(try counts(db).isEmpty)
        }
        #expect(try counts(Database(path: path)) == ["a": 9, "even": 10, "odd": 8, "inner": 8])
        #expect(throws: Refused.self) {
            try db.write {
                db.tally(upsert, [.text("a")], by: 100)
                throw Refused()
            }
        }
        // A savepoint outside a transaction is a transaction of its own.
        try db.savepoint { db.tally(upsert, [.text("a")], by: 1) }
        #expect(try counts(Database(path: path))["a"] == 10)
    }

    /// Additions to the row counted just before are summed on it; a row counted again after another is found again.
    @Test func tallyOfTheSameRowInARowIsSummedOnIt() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE counts (k TEXT PRIMARY KEY, n INTEGER NOT NULL)")
        let upsert: StaticString =
            "INSERT INTO counts(k, n) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n"
        let other: StaticString =
            "INSERT INTO counts(k, n) VALUES ('other-' || ?, ?) ON CONFLICT(k) DO UPDATE SET n = n + excluded.n"
        try db.write {
            for key in ["a", "a", "a", "b", "a", "a", "b", "b"] { db.tally(upsert, [.text(key)], by: 1) }
            // The same key under another statement is another row.
            db.tally(other, [.text("a")], by: 5)
            db.tally(upsert, [.text("a")], by: 10)
            try? db.savepoint {
                db.tally(upsert, [.text("a")], by: 100)
                throw Refused()
            }
        }
        var out: [String: Int64] = [:]
        try db.query("SELECT k, n FROM counts") { out[$0.text(0)] = $0.int(1) }
        #expect(out == ["a": 15, "b": 3, "other-a": 5])
    }

    /// A cached statement run with fewer values than it has parameters binds null to the rest, never a value left
    /// from its previous run.
    @Test func aParameterWithoutAValueIsNullNotTheLastRunsValue() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE pairs (a TEXT, b TEXT)")
        try db.run("INSERT INTO pairs (a, b) VALUES (?, ?)", [.text("one"), .text("left over")])
        try db.run("INSERT INTO pairs (a, b) VALUES (?, ?)", [.text("two")])
        var rows: [[String?]] = []
        try db.query("SELECT a, b FROM pairs ORDER BY rowid") { rows.append([$0.optionalText(0), $0.optionalText(1)]) }
        #expect(rows == [["one", "left over"], ["two", nil]])
    }

    /// When SQLite rolls the whole transaction back by itself (as it does on an I/O error or a full disk), the items
    /// after the failed one must not run outside it: each would commit on its own while the batch reports failure.
    @Test func afterSQLiteEndedTheTransactionNoLaterItemCommitsOnItsOwn() throws {
        let db = try Database(path: path)
        try db.execute("CREATE TABLE items (name TEXT NOT NULL)")
        var outcomes: [String] = []
        #expect(throws: DatabaseError.self) {
            try db.write {
                for name in ["first", "failing", "after"] {
                    do {
                        try db.savepoint {
                            try db.run("INSERT INTO items (name) VALUES (?)", [.text(name)])
                            if name == "failing" {
                                // What SQLite does itself on an I/O error: the whole transaction is rolled back.
                                try db.execute("ROLLBACK")
                                throw Refused()
                            }
                        }
                        outcomes.append(name)
                    } catch {
                        outcomes.append("failed " + name)
                    }
                }
            }
        }
        #expect(outcomes == ["first", "failed failing", "failed after"])
        var names: [String] = []
        try Database(path: path).query("SELECT name FROM items") { names.append($0.text(0)) }
        #expect(names.isEmpty)
        // The connection is usable again.
        try db.write { try db.run("INSERT INTO items (name) VALUES ('later')") }
    }
}
