import Foundation
import RegieCore
import Testing

/// Options are declared once, typed, on each command: the command line, `--help` and `regie batch` all read them
/// from there, and a wrong value is refused before anything runs.
@Suite struct OptionTests {
    @Test func typedOptionsRefuseWrongValuesBeforeTheCommandRuns() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let cases: [([String], String)] = [
            (["case", "list", "--level", "7"], "--level must be a whole number from 0 to 3, not \"7\""),
            (["case", "list", "--limit", "many"], "--limit must be a whole number, not \"many\""),
            (["timers", "due", "--within", "soon"], "--within:"),
            (["vso", "agenda", "--team", "politie-haarlem", "--date", "24-11-2026"], "--date takes YYYY-MM-DD"),
            (["case", "open", "--regie", "x"], "missing --workflow NAME"),
            (["case", "open", "--workflow", "w", "--regie", "x", "--as", "bw-aanbieder"], "--as takes PARTNER:ROLE"),
            (["case", "open", "--workflow", "w", "--regie", "x", "--as", "p:regiehoder"], "did you mean regiehouder?"),
            (
                ["case", "open", "--workflow", "w", "--regie", "x", "--field", "a=1", "--field", "a=2"],
                "--field a is given twice"
            ),
            (["workflow", "graph", "vso", "--format", "png"], "unknown --format png; use mermaid or dot"),
            (["case", "list", "--now", "yesterday"], "--now:"),
        ]
        for (args, message) in cases {
            let r = try CLI.run(args + ["--db", db])
            #expect(r.status == 2, "\(args.joined(separator: " ")) exited \(r.status)")
            #expect(r.err.contains(message), "\(args.joined(separator: " ")): \(r.err)")
        }
        // Nothing was opened by the refused commands.
        #expect(try CLI.run(["case", "list", "--db", db]).out.contains("0 case(s)"))
    }

    @Test func aRefusalByTheRulesExitsOneAndAStaleSequenceIsSuch() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
                "gemeente-velsen", "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        let sequence = try #require(opened["sequence"]?.intValue)
        let first = try CLI.run([
            "case", "fire", id, "contactpersoon", "--contact", "A. Arts", "--expect", "\(sequence)", "--db", db,
        ])
        #expect(first.status == 0)
        let stale = try CLI.run([
            "case", "fire", id, "contactpersoon", "--contact", "A. Arts", "--expect", "\(sequence)", "--db", db,
        ])
        #expect(stale.status == 1)
        #expect(stale.err.contains("refused"))
    }

    /// A command's `--as` and `--person` name who acted in its access-log record, whichever command declares them.
    @Test func theAccessLogNamesWhoTheCommandSaysActed() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
                "gemeente-velsen", "--as", "gemeente-velsen:procesregisseur", "--person", "p.pieters", "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        let hold = try CLI.run([
            "retention", "hold", id, "--reason", "klacht K-1", "--as", "gemeente-velsen", "--person", "j.jansen",
            "--db",
            db,
        ])
        #expect(hold.status == 0, "\(hold.err)")
        let records = try CLI.run(["audit", "export", "--db", db]).out.split(separator: "\n").map {
            try JSONParser.parse(String($0))
        }
        let opening = try #require(records.first { $0["resource"]?.stringValue == "regie case open" })
        #expect(opening["partner"]?.stringValue == "gemeente-velsen")
        #expect(opening["person"]?.stringValue == "p.pieters")
        let holding = try #require(records.first { $0["resource"]?.stringValue == "regie retention hold" })
        #expect(holding["partner"]?.stringValue == "gemeente-velsen")
        #expect(holding["person"]?.stringValue == "j.jansen")
    }

    /// `regie batch` takes exactly the options of `case open` and `case fire`, read by the same declarations: a key
    /// a command lacks is refused, and a value is checked as on the command line.
    @Test func batchLinesAreCheckedByTheSameDeclarations() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let lines = [
            #"{"op":"open","workflow":"netwerkcasus","regie":"bw-aanbieder","gemeente":"gemeente-velsen"}"#,
            #"{"op":"open","regie":"bw-aanbieder"}"#,
            #"{"op":"open","workflow":"netwerkcasus","regie":"bw-aanbieder","as":"nobody"}"#,
            #"{"op":"fire","case":"c-x","event":"verlengen","days":900}"#,
            #"{"op":"open","workflow":"netwerkcasus","regie":"bw-aanbieder","level":2}"#,
        ]
        let r = try CLI.run(["batch", "--db", db], input: lines.joined(separator: "\n") + "\n")
        let results = r.out.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        #expect(results.count == 5)
        #expect(results[0]["ok"] == .bool(true))
        #expect(results[1]["error"]?.stringValue?.contains("missing --workflow NAME") == true)
        #expect(results[2]["error"]?.stringValue?.contains("--as takes PARTNER:ROLE") == true)
        #expect(results[3]["error"]?.stringValue?.contains("--days must be a whole number from 1 to 365") == true)
        #expect(results[4]["error"]?.stringValue?.contains("\"open\" has no key \"level\"") == true)
        #expect(r.status == 1)
    }
}
