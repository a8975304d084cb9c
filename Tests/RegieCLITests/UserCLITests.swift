import Foundation
import RegieCore
import Testing

/// A functional administrator manages people on the server with `regie user`; every change is in the access log
/// under the operating-system account that made it.
@Suite struct UserCLITests {
    static func database() throws -> String {
        let db = try CLI.temporaryFolder().appendingPathComponent("regie.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        return db
    }

    static func auditLog(_ db: String) throws -> [JSONValue] {
        try CLI.run(["audit", "export", "--db", db]).out.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test func peopleAreAddedChangedAndLoggedByTheirAdministrator() throws {
        let db = try Self.database()
        let added = try CLI.run(
            [
                "user", "add", "j.devries", "--name", "Jan de Vries", "--partner", "gemeente-haarlem", "--role",
                "casusregisseur", "--role", "procesregisseur", "--db", db, "--json",
            ])
        #expect(added.status == 0, "\(added.err)")
        let person = try JSONParser.parse(added.out)
        #expect(person["roles"] == ["casusregisseur", "procesregisseur"])
        let password = try #require(person["temporaryPassword"]?.stringValue)
        #expect(password.count == 23 && password.split(separator: "-").count == 4)
        #expect(person["mustChangePassword"] == true && person["secondFactorSince"] == .null)

        // A mandate the organisation does not hold, a bad login name, a taken one: refused, each saying why.
        let mandate = try CLI.run(
            [
                "user", "add", "k.bakker", "--name", "K", "--partner", "ggz-aanbieder", "--role", "ketenregisseur",
                "--db", db,
            ])
        #expect(mandate.status == 2 && mandate.err.contains("does not hold the ketenregisseur mandate"))
        let bad = try CLI.run(
            [
                "user", "add", "Jan de Vries", "--name", "J", "--partner", "ggz-aanbieder", "--role", "casusregisseur",
                "--db", db,
            ])
        #expect(bad.status == 2 && bad.err.contains("cannot be a login name"))
        let taken = try CLI.run(
            [
                "user", "add", "j.devries", "--name", "J", "--partner", "ggz-aanbieder", "--role", "casusregisseur",
                "--db", db,
            ])
        #expect(taken.status == 1 && taken.err.contains("exists"))
        #expect(
            try CLI.run(["user", "add", "x.y", "--name", "X", "--partner", "ggz-aanbieder", "--db", db]).status == 2)

        #expect(try CLI.run(["user", "disable", "j.devries", "--db", db]).status == 0)
        #expect(try CLI.run(["user", "list", "--db", db]).out.contains("disabled"))
        #expect(try CLI.run(["user", "enable", "j.devries", "--db", db]).status == 0)
        #expect(try CLI.run(["user", "roles", "j.devries", "--role", "casusregisseur", "--db", db]).status == 0)
        #expect(try CLI.run(["user", "unlock", "j.devries", "--db", db]).status == 1)  // not locked
        let reset = try CLI.run(["user", "reset", "j.devries", "--db", db])
        #expect(reset.status == 0 && reset.out.contains("New one-time password") && !reset.out.contains(password))
        let shown = try JSONParser.parse(try CLI.run(["user", "show", "j.devries", "--db", db]).out)
        #expect(shown["roles"] == ["casusregisseur"] && shown["status"] == "active")
        #expect(try CLI.run(["user", "show", "niemand", "--db", db]).status == 3)

        let log = try Self.auditLog(db).filter { $0["action"] == "people" }
        let osUser = try CLI.run(["audit", "export", "--db", db]).out.contains("\"person\":\"\(NSUserName())\"")
        #expect(osUser)
        #expect(log.allSatisfy { $0["identity"] == "os-user" && $0["partner"] == "beheer" && $0["channel"] == "cli" })
        let details = log.compactMap { $0["detail"]?.stringValue }
        #expect(details.contains("added j.devries (gemeente-haarlem; casusregisseur, procesregisseur)"))
        #expect(details.contains("disabled j.devries; their sessions ended"))
        #expect(details.contains("reset the password and second factor of j.devries; their sessions ended"))
        let everything = try CLI.run(["audit", "export", "--db", db]).out
        #expect(!everything.contains(password))
        #expect(try CLI.run(["audit", "verify", "--db", db]).status == 0)
    }

    /// `--as` stays for administration and tests; the log says the partner and person were stated, and by which
    /// operating-system account.
    @Test func actingAsSomeoneIsRecordedAsSuch() throws {
        let db = try Self.database()
        let opened = try CLI.run(
            [
                "case", "open", "--workflow", "netwerkcasus", "--regie", "gemeente-haarlem", "--as",
                "gemeente-haarlem:regiehouder", "--person", "a.arts", "--db", db, "--json",
            ])
        #expect(opened.status == 0, "\(opened.err)")
        let record = try #require(try Self.auditLog(db).last)
        #expect(record["identity"] == "as" && record["person"] == "a.arts" && record["role"] == "regiehouder")
        #expect(record["via"]?.stringValue == "os-user \(NSUserName())")
        _ = try CLI.run(["case", "list", "--db", db])
        let plain = try #require(try Self.auditLog(db).last)
        #expect(plain["identity"] == "os-user" && plain["via"] == .null)
    }
}
