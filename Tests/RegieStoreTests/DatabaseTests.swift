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
}
