import Foundation
import RegieCore
import RegieEngine

/// `regie batch`: many commands from standard input, one JSON object per line.
enum BatchCommand: RegieCommand {
    static let path = "batch"
    static let summary = "run commands from standard input, one JSON object per line; one result line each"
    static let synopsis = "[--scheduler] < commands.jsonl"
    static let positionals = 0...0
    static let options: [OptionSpec] = [
        .flag("scheduler", "also run the timer scheduler in this process while the commands run")
    ]
    static let discussion = """
        Each line is {"op":"open","workflow":W,"regie":P,...} or {"op":"fire","case":C,"event":E,"as":"P:ROLE",...}
        with the same fields as the options of `case open` and `case fire` (note, target, motivation, timer, days,
        expect, contact, bsn, key for an idempotency key). A result line is printed only after its change is durable:
        {"line":N,"ok":true,"case":C,"sequence":S} or {"line":N,"ok":false,"exit":CODE,"error":TEXT}.
        """

    static func run(_ args: Arguments, _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var scheduler: Scheduler?
        if args.has("scheduler") {
            guard !engine.simulatedClock else { throw .usage("--scheduler needs a database with the real clock") }
            let s = try Scheduler(engine: engine)
            scheduler = s
            Thread.detachNewThread { try? s.run { _ in } }
        }
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var result = JSONObject(pairs: ["line": .int(Int64(number))])
            do {
                let outcome = try execute(line, engine)
                result["ok"] = true
                result["case"] = outcome.response["id"] ?? .null
                result["sequence"] = outcome.response["sequence"] ?? .null
                result["state"] = outcome.response["state"] ?? .null
                if outcome.replayed { result["replayed"] = true }
            } catch {
                result["ok"] = false
                result["exit"] = .int(Int64(error.exitCode))
                result["error"] = .string(error.description)
            }
            Output.print(JSONValue.object(result).compactText)
        }
        scheduler?.stop()
    }

    private static func execute(_ line: String, _ engine: Engine) throws(EngineError) -> Engine.Outcome {
        let o: JSONObject
        do {
            guard let parsed = try JSONParser.parse(line).objectValue else {
                throw EngineError.usage("each line must be a JSON object")
            }
            o = parsed
        } catch let e as JSONSyntaxError {
            throw .usage("not JSON: \(e.description)")
        } catch {
            throw EngineError.wrap(error)
        }
        func s(_ k: String) -> String? { o[k]?.stringValue }
        var actor: Actor?
        if let a = s("as") {
            var args = Arguments()
            args.values["as"] = [a]
            if let p = s("person") { args.values["person"] = [p] }
            actor = try parseActor(args)
        }
        switch s("op") {
        case "open":
            guard let workflow = s("workflow"), let regie = s("regie") else {
                throw .usage("open needs \"workflow\" and \"regie\"")
            }
            return try engine.open(
                .init(
                    workflow: workflow, regie: regie, contact: s("contact"), bsn: s("bsn"), actor: actor,
                    idempotencyKey: s("key")))
        case "fire":
            guard let caseId = s("case"), let event = s("event") else {
                throw .usage("fire needs \"case\" and \"event\"")
            }
            var who: Actor
            if let actor {
                who = actor
            } else {
                who = Actor(partner: try engine.show(caseId).regie.partner, role: .regiehouder)
            }
            let command = CaseCommand(
                event: event, actor: who, note: s("note"), target: s("target"), motivation: s("motivation"),
                timer: s("timer"),
                days: o["days"]?.intValue.map { Int($0) }, expectedSequence: o["expect"]?.intValue.map { Int($0) })
            return try engine.fire(caseId, command, idempotencyKey: s("key"))
        default:
            throw .usage("unknown op \(s("op") ?? "(none)"); use open or fire")
        }
    }
}

extension EngineError {
    static func wrap(_ error: any Error) -> EngineError {
        if let e = error as? EngineError { return e }
        return wrapStore(error)
    }
}
