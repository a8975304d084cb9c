import Foundation
import RegieCore
import Testing

@Suite struct CLITests {
    @Test func helpForEveryCommand() throws {
        let overview = try CLI.run(["--help"])
        #expect(overview.status == 0)
        for command in [
            "init", "workflow validate", "case open", "case fire", "case show", "case timeline", "case list",
            "timers due", "timers run", "batch", "serve", "partner key create", "partner key list",
            "partner key revoke", "audit verify", "audit client", "audit export",
        ] {
            #expect(overview.out.contains(command))
            let help = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"])
            #expect(help.status == 0, "\(command) --help")
            #expect(help.out.contains("Usage: regie \(command)"))
            #expect(help.out.contains("Exit codes:"))
        }
    }

    /// `regie report`: aggregates as a table, CSV or JSON; wrong options are named; the run is in the access log.
    @Test func theMonitorOnTheCommandLine() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        for _ in 0..<6 {
            let opened = try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
                "gemeente-velsen",
            ])
            #expect(opened.status == 0, "\(opened.err)")
        }
        let table = try CLI.run([
            "report", "--db", db, "--from", "2026-11", "--to", "2026-11", "--gemeente", "gemeente-velsen",
        ])
        #expect(table.status == 0, "\(table.err)")
        #expect(table.out.contains("Instroom: casussen geopend, naar bron"))
        #expect(table.out.contains("2026-11                6       6"))
        let csv = try CLI.run(["report", "--db", db, "--from", "2026-11", "--to", "2026-11", "--format", "csv"])
        #expect(csv.out.hasPrefix("werkstroom,figuur,periode,categorie,waarde\n"))
        #expect(csv.out.contains("netwerkcasus,instroom.bron,2026-11,totaal,6\n"))
        let json = try JSONParser.parse(
            try CLI.run(["report", "--db", db, "--from", "2026-11", "--to", "2026-11", "--format", "json"]).out)
        #expect(json["threshold"] == .int(5))
        for (args, message) in [
            (["--from", "2026-13"], "--from takes a month as YYYY-MM"), (["--by", "week"], "--by is month or quarter"),
            (["--gemeente", "bw-aanbieder"], "is not a municipality"), (["--workflow", "x"], "is not a workflow"),
            (["--from", "2026-12", "--to", "2026-11"], "is after --to"),
        ] {
            let r = try CLI.run(["report", "--db", db] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
        }
        let log = try CLI.run(["audit", "export", "--db", db])
        #expect(log.out.contains("\"action\":\"report\""))
    }

    @Test func fieldsMunicipalityAndLinkedCasesOnTheCommandLine() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let signal = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "vso", "--regie", "gemeente-haarlem", "--as",
                "politie-haarlem:melder", "--field", "basisteam=politie-haarlem", "--json",
            ]).out)
        #expect(signal["agenda"]?.stringValue == "2026-11-24T09:00:00.000Z")
        let vso = try #require(signal["id"]?.stringValue)
        let wrongField = try CLI.run([
            "case", "open", "--db", db, "--workflow", "vso", "--regie", "gemeente-haarlem", "--field",
            "basisteam=nergens",
        ])
        #expect(wrongField.status == 1)
        #expect(wrongField.err.contains("basisteams: politie-haarlem"))
        #expect(
            try CLI.run(["case", "open", "--db", db, "--workflow", "vso", "--regie", "x", "--field", "basisteam"])
                .status
                == 2)
        let notAMunicipality = try CLI.run([
            "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
            "ggz-aanbieder",
        ])
        #expect(notAMunicipality.status == 1)
        #expect(notAMunicipality.err.contains("not a municipality"))
        let linked = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
                "gemeente-velsen", "--from", vso, "--json",
            ]).out)
        #expect(linked["municipality"]?.stringValue == "gemeente-velsen")
        #expect(linked["links"]?.arrayValue?.first?["case"]?.stringValue == vso)
        let shown = try CLI.run(["case", "show", vso, "--db", db])
        #expect(shown.out.contains("links"))
        #expect(shown.out.contains(linked["id"]?.stringValue ?? "?"))
        #expect(shown.out.contains("agenda      VSO meeting 2026-11-24 10:00"))
        #expect(try CLI.run(["case", "timeline", vso, "--db", db]).out.contains("gekoppeld"))
    }

    @Test func theReadmeShowsEachWorkflowAsItIs() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../README.md"), encoding: .utf8)
        for name in ["netwerkcasus", "opschaling", "warme-overdracht", "bemoeizorg", "vso", "wvggz-melding"] {
            let graph = try CLI.run(["workflow", "graph", name])
            #expect(graph.status == 0)
            #expect(
                readme.contains("```mermaid\n" + graph.out), "README's picture of \(name) is out of date; regenerate it"
            )
        }
    }

    @Test func usageErrorsExitTwoWithAOneLineReason() throws {
        let unknown = try CLI.run(["cas", "show"])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("did you mean `case`?"))
        let option = try CLI.run(["case", "list", "--stalld"])
        #expect(option.status == 2)
        #expect(option.err.contains("did you mean --stalled?"))
        #expect(try CLI.run(["case", "show"]).status == 2)
    }

    @Test func aScenarioWithEveryExitCode() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["case", "list", "--db", db]).status == 4)
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let opened = try CLI.run([
            "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "gemeente-haarlem", "--contact",
            "J. Jansen", "--bsn", "111222333", "--json",
        ])
        #expect(opened.status == 0, "\(opened.err)")
        let json = try JSONParser.parse(opened.out)
        for key in [
            "id", "workflow", "version", "state", "regie", "level", "partners", "suspended", "sequence", "timers",
        ] {
            #expect(json[key] != nil, "case open --json lacks \(key)")
        }
        #expect(json["regie"]?["partner"]?.stringValue == "gemeente-haarlem")
        #expect(json["timers"]?.arrayValue?.first?["dueAt"]?.stringValue == "2026-12-07T23:00:00.000Z")
        #expect(!opened.out.contains("111222333"))
        let id = try #require(json["id"]?.stringValue)
        let refused = try CLI.run(["case", "fire", id, "voortgang", "--db", db, "--note", "x"])
        #expect(refused.status == 1)
        #expect(refused.err.contains("not allowed in state aangemeld"))
        #expect(try CLI.run(["case", "fire", "c-nope", "voortgang", "--db", db]).status == 3)
        #expect(try CLI.run(["case", "fire", id, "plan-vastgesteld", "--db", db, "--note", "plan"]).status == 0)
        let later = try CLI.run(["timers", "run", "--once", "--db", db, "--now", "2026-12-20T10:00", "--json"])
        #expect(try JSONParser.parse(later.out)["fired"] == .int(2))
        let shown = try JSONParser.parse(try CLI.run(["case", "show", id, "--db", db, "--json"]).out)
        #expect(shown["level"] == .int(1))
        let timeline = try JSONParser.parse(try CLI.run(["case", "timeline", id, "--db", db, "--json"]).out)
        #expect(
            timeline["events"]?.arrayValue?.compactMap { $0["event"]?.stringValue } == [
                "geopend", "plan-vastgesteld", "herinnering", "stagnatie-gesignaleerd",
            ])
        let stalled = try CLI.run(["case", "list", "--stalled", "--db", db, "--json"])
        #expect(try JSONParser.parse(stalled.out)["cases"]?.arrayValue?.count == 1)
        #expect(try CLI.run(["timers", "run", "--once", "--db", db, "--now", "2026-12-01T10:00"]).status == 2)
    }

    @Test func nowIsRefusedOnARealClockDatabase() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("prod.db").path
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let r = try CLI.run(["case", "list", "--db", db, "--now", "2026-12-01T10:00"])
        #expect(r.status == 2)
        #expect(r.err.contains("backdated"))
        let secret = dir.appendingPathComponent("prod.db.secret").path
        let attributes = try FileManager.default.attributesOfItem(atPath: secret)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func webhookEndpointsAreAddedListedRotatedAndDisabled() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("wh.db").path
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let added = try CLI.run(
            ["webhook", "add", "ggz-aanbieder", "https://ggz.example.nl/hook", "--events", "escalation.*", "--db", db])
        #expect(added.status == 0)
        let secret = try #require(added.out.split(separator: " ").first { $0.hasPrefix("whsec_") })
        let list = try CLI.run(["webhook", "list", "--db", db, "--json"])
        #expect(list.status == 0 && !list.out.contains(secret.dropFirst(6).prefix(10)))
        let id = try #require(try JSONParser.parse(list.out)["endpoints"]?.arrayValue?.first?["id"]?.stringValue)
        let rotated = try CLI.run(["webhook", "rotate", id, "--db", db])
        #expect(rotated.status == 0 && rotated.out.contains("whsec_") && !rotated.out.contains(secret))
        #expect(try CLI.run(["webhook", "disable", id, "--db", db]).status == 0)
        #expect(try CLI.run(["webhook", "list", "--db", db]).out.contains("disabled"))
        let refused = try CLI.run(["webhook", "add", "ggz-aanbieder", "ftp://x.nl/h", "--events", "*", "--db", db])
        #expect(refused.status != 0 && refused.err.contains("only http and https"))
        let missing = try CLI.run(["webhook", "add", "ggz-aanbieder", "https://x.nl/h", "--db", db])
        #expect(missing.status == 2 && missing.err.contains("--events"))
    }

    @Test func validateReportsEveryProblemWithFileAndPath() throws {
        let dir = try CLI.temporaryFolder()
        let file = dir.appendingPathComponent("kapot.json").path
        try Data(
            #"{"name": "kapot", "version": 1, "states": [{"name": "a", "initial": true}], "transitions": [{"event": "x", "from": ["b"], "to": "a", "roles": ["baas"]}], "extra": 1}"#
                .utf8
        ).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["workflow", "validate", file])
        #expect(r.status == 1)
        let lines = r.out.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix(file) })
        #expect(r.out.contains("$.extra: unknown key"))
        #expect(r.out.contains("$.transitions[0].roles[0]: unknown role \"baas\""))
        #expect(r.out.contains("$.transitions[0].from[0]: transition \"x\" starts from unknown state \"b\""))
        #expect(r.out.contains("no final state"))
        #expect(try CLI.run(["workflow", "validate"]).status == 0)
    }

    @Test func theShippedConfigurationValidatesAndShows() throws {
        let validate = try CLI.run(["config", "validate"])
        #expect(validate.status == 0, "\(validate.err)")
        let show = try JSONParser.parse(try CLI.run(["config", "show", "--json"]).out)
        #expect(
            show["ladder"]?.arrayValue?.compactMap { $0["owner"]?.stringValue } == [
                "regiehouder", "procesregisseur", "ketenregisseur", "bestuurlijk",
            ])
        #expect(show["procesregisseurs"]?["gemeente-velsen"]?.stringValue == "gemeente-velsen")
        let partners =
            try JSONParser.parse(try CLI.run(["partner", "list", "--json"]).out)["partners"]?.arrayValue ?? []
        #expect(partners.count >= 20)
        #expect(
            partners.allSatisfy { $0["id"] != nil && $0["name"] != nil && $0["domain"] != nil && $0["kind"] != nil })
        // A broken configuration is refused with file, path and fix, and nothing runs on it.
        let dir = try CLI.temporaryFolder()
        try Data(#"{"region": "X", "mandates": {"ketenregisseur": []}}"#.utf8).write(
            to: dir.appendingPathComponent("region.json"))
        let broken = try CLI.run(["config", "validate"], environment: ["REGIE_CONFIG": dir.path])
        #expect(broken.status == 4)
        let reason = "region.json:1: $.mandates.ketenregisseur: mandate ketenregisseur has nobody holding it"
        #expect(broken.err.contains(reason))
    }

    /// `regie batch` takes every option of `case open` and `case fire` as a JSON key, refuses a key a command does
    /// not have (naming it), exits 1 when any line failed, and writes every line to the access log.
    @Test func batchSpeaksTheWholeLanguage() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("b.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T11:00"]).status == 0)
        let help = try CLI.run(["batch", "--help"])
        for key in ["workflow", "gemeente", "from", "field", "contact", "bsn", "timer", "days", "expect", "as"] {
            #expect(help.out.contains(" \(key),") || help.out.contains(" \(key)\n"), "batch --help lacks \(key)")
        }
        #expect(help.out.contains(#"{"op":"open","#) && help.out.contains(#"{"op":"fire","#))

        let opens = [
            #"{"op":"open","workflow":"vso","regie":"gemeente-haarlem","as":"politie-haarlem:melder","field":{"basisteam":"politie-haarlem"}}"#,
            #"{"op":"open","workflow":"netwerkcasus","regie":"bw-aanbieder","gemeente":"gemeente-velsen","contact":"J. de Vries","idempotency-key":"intake-1"}"#,
        ]
        let first = try CLI.run(["batch", "--db", db], input: opens.joined(separator: "\n") + "\n")
        #expect(first.status == 0, "\(first.out) \(first.err)")
        let results = first.out.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
        let vso = try #require(results.first?["case"]?.stringValue)
        let netwerk = try #require(results.last?["case"]?.stringValue)
        let signal = try JSONParser.parse(try CLI.run(["case", "show", vso, "--db", db, "--json"]).out)
        #expect(signal["fields"]?["basisteam"] == "politie-haarlem")
        #expect(signal["agenda"]?.stringValue == "2026-11-24T09:00:00.000Z")
        let shown = try JSONParser.parse(try CLI.run(["case", "show", netwerk, "--db", db, "--json"]).out)
        #expect(shown["municipality"] == "gemeente-velsen" && shown["regie"]?["contact"] == "J. de Vries")

        let lines = [
            #"{"op":"fire","case":"\#(netwerk)","event":"plan-vastgesteld","note":"plan"}"#,
            #"{"op":"open","workflow":"bemoeizorg","regie":"ggd-vangnet","from":"\#(netwerk)","fields":{"ernstige-problematiek":"ja"}}"#,
            #"{"op":"fire","case":"\#(netwerk)","event":"opschalen","motivation":"geen plek","field":["vraag=een plek"]}"#,
            #"{"op":"fire","case":"\#(netwerk)","event":"verlengen","timer":"niveau-termijn","days":5,"motivation":"x"}"#,
            #"{"op":"open","workflow":"bemoeizorg","regie":"ggd-vangnet","from":"\#(netwerk)","field":{"ernstige-problematiek":"ja","meerdere-domeinen":"ja","geen-hulpvraag":"ja","outreach-nodig":"ja"}}"#,
        ]
        let second = try CLI.run(["batch", "--db", db], input: lines.joined(separator: "\n") + "\n")
        #expect(second.status == 1)
        let answers = second.out.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
        #expect(answers.map { $0["ok"] } == [true, false, true, false, true])
        #expect(answers[1]["exit"] == 2)
        #expect(answers[1]["error"]?.stringValue?.contains(#"no key "fields"; did you mean "field"?"#) == true)
        #expect(answers[3]["exit"] == 1)
        #expect(answers[3]["error"]?.stringValue?.contains("belongs to level 1 (procesregie)") == true)
        let linked = try JSONParser.parse(try CLI.run(["case", "show", netwerk, "--db", db, "--json"]).out)
        #expect(linked["level"] == 1)
        #expect(linked["links"]?.arrayValue?.first?["case"] == answers[4]["case"])
        let log = try CLI.run(["audit", "export", "--db", db]).out.split(separator: "\n")
            .compactMap { try? JSONParser.parse(String($0)) }.filter { $0["resource"] == "regie batch" }
        #expect(log.count == 6)
        #expect(log.filter { $0["outcome"] == "refused" }.count == 1)
    }

    /// Deadlines read as people read them, each with whose it is, whether the law sets it and which calendar counts.
    @Test func caseShowReadsDeadlinesAsPeopleDo() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("w.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-03-20T10:00"]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "wvggz-melding", "--regie", "gemeente-haarlem", "--gemeente",
                "gemeente-haarlem", "--as", "sociaal-wijkteam:melder", "--field", "melder-naaste=nee", "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        let timer = try #require(opened["timers"]?.arrayValue?.first)
        #expect(timer["dueDate"] == "2026-04-07" && timer["calendar"] == "wet" && timer["statutory"] == true)
        let text = try CLI.run(["case", "show", id, "--db", db]).out
        #expect(text.contains("onderzoekstermijn: end of Tuesday 7 April 2026 -> termijn-verstreken"))
        #expect(text.contains("statutory: Wvggz art. 5:3"))
        #expect(text.contains("wet calendar"))
        #expect(text.contains("reminders   onderzoekstermijn: end of Tuesday 31 March 2026"))
        let stretch = try CLI.run([
            "case", "fire", id, "verlengen", "--timer", "onderzoekstermijn", "--days", "10", "--motivation", "druk",
            "--db", db,
        ])
        #expect(stretch.status == 1)
        #expect(stretch.err.contains("statutory deadline"))
    }

    /// Households, shielding and the VSO agenda on the command line.
    @Test func householdsShieldingAndTheAgendaOnTheCommandLine() throws {
        let dir = try CLI.temporaryFolder()
        let db = dir.appendingPathComponent("h.db").path
        #expect(try CLI.run(["init", "--db", db, "--simulated-clock", "--now", "2026-11-23T09:00"]).status == 0)
        let opened = try JSONParser.parse(
            try CLI.run([
                "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--bsn",
                "111222333", "--relation", "ouder", "--household", "kind:123456782", "--household", "kind",
                "--shield", "dreiging ex-partner", "--json",
            ]).out)
        let id = try #require(opened["id"]?.stringValue)
        #expect(opened["shield"]?["motivation"] == "dreiging ex-partner")
        let shown = try CLI.run(["case", "show", id, "--db", db]).out
        #expect(shown.contains("shielded") && shown.contains("members     ouder-1, kind-1, kind-2 (no BSN)"))
        let added = try CLI.run([
            "case", "fire", id, "partner-toevoegen", "--target", "ggz-aanbieder", "--for", "kind-1", "--db", db,
        ])
        #expect(added.status == 0 && added.out.contains("ggz-aanbieder (betrokken, for kind-1)"))
        #expect(
            try CLI.run(["case", "fire", id, "lid-toevoegen", "--relation", "kind", "--bsn", "100000009", "--db", db])
                .status == 0)
        let child = try CLI.run(["audit", "client", "100000009", "--db", db])
        #expect(child.status == 0 && child.out.contains(id))

        let signal = [
            "case", "open", "--db", db, "--workflow", "vso", "--regie", "gemeente-haarlem", "--as",
            "politie-haarlem:melder", "--field", "basisteam=politie-haarlem", "--bsn", "100000022", "--json",
        ]
        let first = try #require(try JSONParser.parse(try CLI.run(signal).out)["id"]?.stringValue)
        let second = try #require(try JSONParser.parse(try CLI.run(signal).out)["id"]?.stringValue)
        let agenda = try CLI.run(["vso", "agenda", "--team", "politie-haarlem", "--db", db])
        #expect(agenda.status == 0)
        #expect(agenda.out.contains("Tuesday 24 November 2026") && agenda.out.contains("1 item(s), 2 signal(s)"))
        #expect(agenda.out.contains(first) && agenda.out.contains(second))
        #expect(try CLI.run(["vso", "agenda", "--team", "politie-nergens", "--db", db]).status == 3)
    }

    @Test func graphsInBothFormats() throws {
        let mermaid = try CLI.run(["workflow", "graph", "netwerkcasus"])
        #expect(mermaid.status == 0 && mermaid.out.hasPrefix("stateDiagram-v2"))
        let dot = try CLI.run(["workflow", "graph", "netwerkcasus", "--format", "dot"])
        #expect(dot.status == 0 && dot.out.hasPrefix("digraph"))
        #expect(try CLI.run(["workflow", "graph", "netwerkcasus", "--format", "png"]).status == 2)
    }
}
