import Foundation
import Testing

@testable import RegieCore

/// A small valid workflow that each test breaks in one way.
let sampleWorkflow = """
    {
      "name": "proef",
      "version": 1,
      "states": [
        {"name": "open", "initial": true, "timers": [{"name": "termijn", "after": "5 werkdagen", "fires": "verlopen", "reminders": ["1 werkdag"]}]},
        {"name": "bezig", "timers": [{"name": "stilstand", "workingDays": 10, "fires": "stilstand"}]},
        {"name": "klaar", "final": true}
      ],
      "transitions": [
        {"event": "starten", "from": ["open"], "to": "bezig", "roles": ["regiehouder"], "requires": ["note"]},
        {"event": "verlopen", "from": ["open"], "roles": ["systeem"], "effects": [{"raiseLevel": true}]},
        {"event": "voortgang", "from": ["bezig"], "to": "bezig", "roles": ["regiehouder", "betrokken"]},
        {"event": "stilstand", "from": ["bezig"], "roles": ["systeem"], "effects": [{"raiseLevel": true}]},
        {"event": "toevoegen", "from": ["*"], "roles": ["regiehouder"], "requires": ["target"], "effects": [{"addPartner": "betrokken"}]},
        {"event": "overdragen", "from": ["*"], "roles": ["ketenregisseur", "regiehouder"], "requires": ["target", "motivation"], "effects": [{"assignRegie": true}]},
        {"event": "verwijderen", "from": ["*"], "roles": ["regiehouder"], "requires": ["target"], "effects": [{"removePartner": true}]},
        {"event": "afronden", "from": ["bezig"], "to": "klaar", "roles": ["regiehouder"]}
      ]
    }
    """

@Suite struct WorkflowLoaderTests {
    func problems(_ text: String) -> [ValidationProblem] {
        do {
            _ = try WorkflowLoader.load(Array(text.utf8), file: "proef.json")
            return []
        } catch {
            return error.problems
        }
    }

    /// The sample with `old` replaced by `new` (the replacement must apply).
    func broken(_ old: String, _ new: String) -> String {
        precondition(sampleWorkflow.contains(old), "test edit does not apply: \(old)")
        return sampleWorkflow.replacingOccurrences(of: old, with: new)
    }

    func expectProblem(
        _ text: String, path: String, contains message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let found = problems(text)
        #expect(
            found.contains { $0.path == path && $0.description.contains(message) },
            "expected \(path): \(message); got:\n\(found.map(\.description).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    }

    /// Who owns a deadline is part of the workflow and checked: a known owner, none on a statutory deadline, the
    /// level's own on an opdracht's deadline, and opdrachten given and ended only where the rules allow.
    @Test func timerOwnersAndOpdrachtenAreChecked() {
        let timer = #"{"name": "termijn", "after": "5 werkdagen", "fires": "verlopen", "reminders": ["1 werkdag"]}"#
        expectProblem(
            broken(timer, #"{"name": "termijn", "after": "5 werkdagen", "fires": "verlopen", "owner": "baas"}"#),
            path: "$.states[0].timers[0].owner", contains: "unknown owner \"baas\"")
        expectProblem(
            broken(
                timer,
                #"{"name": "termijn", "after": "P14D", "fires": "verlopen", "statutory": true, "legalBasis": "Wvggz art. 5:3", "owner": "levelOwner"}"#
            ), path: "$.states[0].timers[0].owner", contains: "a statutory deadline has no owner")
        let opdracht = #"{"event": "afronden", "from": ["bezig"], "to": "klaar", "roles": ["regiehouder"]}"#
        var withOpdracht = broken(
            opdracht,
            opdracht
                + #", {"event": "besluit", "from": ["*"], "roles": ["ketenregisseur"], "requires": ["target"], "effects": [{"giveOpdracht": "opdracht-termijn"}]}, {"event": "opdracht-verstreken", "from": ["*"], "roles": ["regiehouder"], "effects": [{"endOpdracht": true}]}"#
        )
        let end = withOpdracht.range(of: "}", options: .backwards)?.lowerBound ?? withOpdracht.endIndex
        withOpdracht.insert(
            contentsOf:
                #", "timers": [{"name": "opdracht-termijn", "workingDays": 5, "fires": "opdracht-verstreken"}]"#,
            at: end)
        expectProblem(
            withOpdracht, path: "$.transitions[8].effects[0]",
            contains: "the deadline of an opdracht belongs to the level that gives it")
        expectProblem(
            withOpdracht, path: "$.transitions[8].effects[0]", contains: "only the owner of an escalation level gives")
        expectProblem(
            withOpdracht, path: "$.transitions[9].effects[0]",
            contains: "\"endOpdracht\" ends the opdracht whose deadline passed")
    }

    @Test func theSampleAndTheShippedWorkflowsAreValid() throws {
        #expect(problems(sampleWorkflow).isEmpty)
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Workflows"
        ).standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".json") && !$0.hasSuffix("schema.json")
        }
        #expect(!files.isEmpty)
        let texts = try files.map { f in
            (f, Array(try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(f).path))))
        }
        var modules: [String: WorkflowModule] = [:]
        for (f, text) in texts where WorkflowLoader.isModule(text) {
            let m = try WorkflowLoader.loadModule(text, file: f)
            modules[m.name] = m
        }
        #expect(Set(modules.keys) == ["opschaling", "warme-overdracht"])
        var names: Set<String> = []
        for (f, text) in texts where !WorkflowLoader.isModule(text) {
            #expect(throws: Never.self) { names.insert(try WorkflowLoader.load(text, file: f, modules: modules).name) }
        }
        #expect(names == ["netwerkcasus", "bemoeizorg", "vso", "wvggz-melding"])
    }

    @Test func syntaxErrorGivesLineAndColumn() {
        let found = problems(broken(#""version": 1,"#, #""version": 1"#))
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.description.hasPrefix("proef.json:4:3: $: JSON syntax error") == true)
    }

    @Test func unknownKeySuggestsTheClosestOne() {
        expectProblem(
            broken(#""transitions": ["#, #""transitons": [], "transitions": ["#), path: "$.transitons",
            contains: "did you mean \"transitions\"?")
        expectProblem(
            broken(#""initial": true,"#, #""initail": true,"#), path: "$.states[0].initail", contains: "unknown key")
    }

    @Test func missingInitialState() {
        expectProblem(broken(#""initial": true, "#, ""), path: "$.states", contains: "no initial state")
    }

    @Test func transitionsToOrFromUnknownStates() {
        expectProblem(
            broken(#""from": ["open"], "to": "bezig""#, #""from": ["opn"], "to": "bezig""#),
            path: "$.transitions[0].from[0]", contains: "unknown state \"opn\"; did you mean \"open\"?")
        expectProblem(
            broken(#""to": "klaar""#, #""to": "klar""#), path: "$.transitions[7].to", contains: "unknown state \"klar\""
        )
    }

    @Test func unreachableStates() {
        let text = broken(
            #"{"name": "klaar", "final": true}"#,
            #"{"name": "klaar", "final": true}, {"name": "vergeten", "final": true}"#)
        expectProblem(text, path: "$.states[3]", contains: "state \"vergeten\" is unreachable")
    }

    @Test func nonFinalStateWithoutAWayOut() {
        let text = broken(
            #"{"event": "afronden", "from": ["bezig"], "to": "klaar""#,
            #"{"event": "afronden", "from": ["open"], "to": "klaar""#)
        expectProblem(text, path: "$.states[1]", contains: "non-final state \"bezig\" has no way out")
    }

    @Test func timerFiringAnEventTheStateDoesNotAccept() {
        expectProblem(
            broken(#""fires": "verlopen""#, #""fires": "afronden""#), path: "$.states[0].timers",
            contains: "state \"open\" has no transition for that event")
        expectProblem(
            broken(#""fires": "stilstand"}"#, #""fires": "voortgang"}"#), path: "$.states[1].timers",
            contains: "does not allow role \"systeem\"")
    }

    @Test func unknownRoles() {
        expectProblem(
            broken(#""roles": ["regiehouder", "betrokken"]"#, #""roles": ["regiehouder", "betrokkene"]"#),
            path: "$.transitions[2].roles[1]", contains: "unknown role \"betrokkene\"; did you mean \"betrokken\"?")
    }

    @Test func duplicateNames() {
        expectProblem(
            broken(
                #"{"name": "klaar", "final": true}"#,
                #"{"name": "klaar", "final": true}, {"name": "open", "final": true}"#), path: "$.states[3].name",
            contains: "duplicate state name \"open\"")
        expectProblem(
            broken(#""name": "stilstand""#, #""name": "termijn""#), path: "$.states[1].timers",
            contains: "duplicate timer name \"termijn\"")
        expectProblem(
            broken(#"{"event": "afronden", "from": ["bezig"]"#, #"{"event": "voortgang", "from": ["bezig"]"#),
            path: "$.transitions[7]", contains: "duplicate transition: \"voortgang\" from \"bezig\"")
        expectProblem(
            broken(#""name": "proef","#, #""name": "proef", "name": "twee","#), path: "$",
            contains: "duplicate key \"name\"")
    }

    @Test func badDurations() {
        expectProblem(
            broken(#""after": "5 werkdagen""#, #""after": "5 dagen""#), path: "$.states[0].timers[0].after",
            contains: "bad duration")
        expectProblem(
            broken(#""reminders": ["1 werkdag"]"#, #""reminders": ["P1M"]"#),
            path: "$.states[0].timers[0].reminders[0]", contains: "no fixed length")
        expectProblem(
            broken(#""reminders": ["1 werkdag"]"#, #""reminders": ["6 werkdagen"]"#), path: "$.states[0].timers",
            contains: "make the reminder shorter")
    }

    @Test func effectsMustHaveWhatTheyNeed() {
        expectProblem(
            broken(#""requires": ["target"], "effects": [{"addPartner""#, #""effects": [{"addPartner""#),
            path: "$.transitions[4].effects[0]", contains: "add \"target\" to \"requires\"")
        expectProblem(
            broken(#"{"raiseLevel": true}]}"#, #"{"startTimer": "nergens"}]}"#), path: "$.transitions[1].effects[0]",
            contains: "starts unknown timer \"nergens\"")
    }

    @Test func everyProblemIsReportedAndNothingIsLoaded() {
        let text = broken(#""version": 1,"#, #""version": 0, "extra": 1,"#)
        let found = problems(text)
        #expect(found.count >= 2)
        #expect(found.allSatisfy { $0.file == "proef.json" })
    }

    @Test func graphsDrawStatesTransitionsAndTimers() throws {
        let w = try WorkflowLoader.load(Array(sampleWorkflow.utf8), file: "proef.json")
        #expect(w.mermaid.hasPrefix("stateDiagram-v2"))
        #expect(w.mermaid.contains("[*] --> s_open"))
        #expect(w.mermaid.contains("s_bezig --> s_klaar : afronden [regiehouder]"))
        #expect(w.mermaid.contains("termijn 5 werkdagen"))
        #expect(w.dot.hasPrefix("digraph \"proef\""))
        #expect(w.dot.contains("\"bezig\" -> \"klaar\""))
        #expect(w.dot.contains("style=dashed"))
    }
}
