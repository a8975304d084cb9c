import Foundation
import RegieCore
import RegieEngine

/// `regie batch`: many commands from standard input, one JSON object per line. A line speaks the language of
/// `case open` and `case fire`: its keys are their options, read through the same option tables and turned into a
/// request by the same code, so the two can never drift apart.
struct BatchCommand: RegieCommand {
    static let path = "batch"
    static let summary = "run commands from standard input, one JSON object per line; one result line each"
    static let synopsis = "[--scheduler] < commands.jsonl"
    static let positionals = 0...0
    @Flag("scheduler", "also run the timer scheduler in this process while the commands run") var scheduler: Bool

    /// The operations a line may name, with the command whose options it takes and the keys for its arguments.
    static var operations: [(op: String, command: any ActingCommand.Type, positionals: [String], example: String)] {
        [
            (
                "open", CaseOpenCommand.self, [],
                #"{"op":"open","workflow":"netwerkcasus","regie":"bw-aanbieder","gemeente":"gemeente-velsen","contact":"J. de Vries","idempotency-key":"intake-42"}"#
            ),
            (
                "fire", CaseFireCommand.self, ["case", "event"],
                #"{"op":"fire","case":"c-...","event":"afsluiten","note":"doelen bereikt","field":{"uitkomst":"doel-bereikt","nazorg":"ja"}}"#
            ),
        ]
    }

    static var discussion: String {
        var lines = [
            "Each line is one JSON object with \"op\" and the options of that command as keys (without the dashes).",
            "\"field\" takes an object ({\"uitkomst\":\"doel-bereikt\"}) or a list of \"NAME=VALUE\"; numbers may be",
            "given as numbers. A key the command does not have is refused for that line, with the key named.",
        ]
        for o in operations {
            let keys = o.positionals + keys(of: o.command.init()).map(\.spec.name)
            lines += [
                "", "\"op\":\"\(o.op)\" (regie \(o.command.path)), keys: \(keys.joined(separator: ", "))", o.example,
            ]
        }
        lines += [
            "",
            "A result line is printed only once its change is durable:",
            #"{"line":N,"ok":true,"case":C,"sequence":S,"state":X} or {"line":N,"ok":false,"exit":CODE,"error":TEXT}."#,
            "Every line is written to the access log. The exit status is 0 when every line succeeded, else 1.",
        ]
        return lines.joined(separator: "\n")
    }

    /// The options of a command a line may use (printing options have no meaning here): the command's declared
    /// options, so a line can use exactly what the command line can.
    static func keys(of command: any RegieCommand) -> [any DeclaredOption] {
        command.declaredOptions.filter { $0.spec.name != "json" }
    }

    func run(_ arguments: [String], _ context: Context) throws(EngineError) {
        let engine = try context.engine()
        var running: Scheduler?
        if scheduler {
            let s = try Scheduler(engine: engine)
            running = s
            Thread.detachNewThread { try? s.run { _ in } }
        }
        var number = 0
        var failed = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var result = JSONObject(pairs: ["line": .int(Int64(number))])
            do throws(EngineError) {
                let outcome = try Self.execute(line, engine, context)
                result["ok"] = true
                result["case"] = outcome.response["id"] ?? .null
                result["sequence"] = outcome.response["sequence"] ?? .null
                result["state"] = outcome.response["state"] ?? .null
                if outcome.replayed { result["replayed"] = true }
            } catch {
                failed += 1
                result["ok"] = false
                result["exit"] = .int(Int64(error.exitCode))
                result["error"] = .string(error.description)
            }
            Output.print(JSONValue.object(result).compactText)
        }
        running?.stop()
        if failed > 0 {
            throw .refused(Refusal(.invalidArgument, "\(failed) of \(number) line(s) failed; see their result lines"))
        }
    }

    /// Runs one line; its access-log record commits with its change, or records its refusal.
    private static func execute(_ line: String, _ engine: Engine, _ context: Context) throws(EngineError)
        -> Engine.Outcome
    {
        let (command, positionals) = try parse(line)
        var entry = AuditEntry(
            at: engine.clock.now(), channel: .cli, action: "write", resource: "regie batch", caseId: nil,
            clientKey: nil, partner: command.statedPartner ?? "beheer",
            person: command.statedPerson ?? context.auditPerson, outcome: .ok, status: 0, detail: nil,
            address: ProcessInfo.processInfo.hostName)
        do throws(EngineError) {
            if let open = command as? CaseOpenCommand {
                let request = open.request
                entry.detail = "open \(request.workflow)"
                return try engine.open(request, audit: entry)
            }
            guard let fire = command as? CaseFireCommand else {
                throw .invalid("\"op\" names a command batch does not run")
            }
            let record = try engine.show(positionals[0])
            (entry.caseId, entry.clientKey, entry.detail) = (record.id, record.clientKey, "event \(positionals[1])")
            return try engine.fire(
                record.id, try fire.command(positionals[1], on: record, engine),
                idempotencyKey: fire.acting.idempotencyKey, audit: entry)
        } catch {
            entry.outcome = error.auditOutcome
            entry.status = Int(error.exitCode)
            try? engine.audit(entry)
            throw error
        }
    }

    /// A line as its command with the options given, checked as the command line checks them; and the positional
    /// arguments.
    static func parse(_ line: String) throws(EngineError) -> (command: any ActingCommand, positionals: [String]) {
        let o: JSONObject
        do {
            guard let parsed = try JSONParser.parse(line).objectValue else {
                throw EngineError.invalid("each line must be a JSON object")
            }
            o = parsed
        } catch let e as JSONSyntaxError {
            throw .invalid("not JSON: \(e.description)")
        } catch {
            throw EngineError.wrap(error)
        }
        let ops = operations.map(\.op)
        guard let op = o["op"]?.stringValue, let operation = operations.first(where: { $0.op == op }) else {
            throw .invalid(
                "\"op\" must be \(ops.map { "\"\($0)\"" }.joined(separator: " or ")), not \(o["op"]?.compactText ?? "missing")"
            )
        }
        let command = operation.command.init()
        let declared = keys(of: command)
        let specs = declared.map(\.spec)
        var positionals: [String: String] = [:]
        for m in o.members where m.key != "op" {
            if operation.positionals.contains(m.key) {
                guard let text = m.value.stringValue, !text.isEmpty else {
                    throw .invalid("\"\(m.key)\" must be a non-empty string")
                }
                positionals[m.key] = text
                continue
            }
            guard let option = declared.first(where: { $0.spec.name == m.key }) else {
                let known = operation.positionals + specs.map(\.name)
                let hint = closest(m.key, in: known).map { "did you mean \"\($0)\"? " } ?? ""
                throw .invalid(
                    "\"\(op)\" has no key \"\(m.key)\"; \(hint)its keys: \(known.joined(separator: ", "))")
            }
            let spec = option.spec
            if spec.value == nil {
                guard m.value == .bool(true) || m.value == .bool(false) else {
                    throw .invalid("\"\(m.key)\" is a flag: true or false")
                }
                option.slot.flag = m.value == .bool(true)
                continue
            }
            switch m.value {
            case .string(let text): option.slot.texts = [text]
            case .int(let n): option.slot.texts = [String(n)]
            case .object(let fields) where spec.repeatable:
                var list: [String] = []
                for f in fields.members {
                    guard let value = f.value.stringValue else {
                        throw .invalid("\"\(m.key)\".\(f.key) must be a string")
                    }
                    list.append("\(f.key)=\(value)")
                }
                option.slot.texts = list
            case .array(let items) where spec.repeatable:
                let list = items.compactMap(\.stringValue)
                guard list.count == items.count else { throw .invalid("\"\(m.key)\" must list strings") }
                option.slot.texts = list
            default:
                throw .invalid(
                    "\"\(m.key)\" must be \(spec.repeatable ? "an object or a list of \"NAME=VALUE\"" : "a string (\(spec.value ?? "VALUE"))"), not \(m.value.kindDescription)"
                )
            }
        }
        var ordered: [String] = []
        for name in operation.positionals {
            guard let value = positionals[name] else {
                throw .invalid(
                    "\"\(op)\" needs \(operation.positionals.map { "\"\($0)\"" }.joined(separator: " and "))")
            }
            ordered.append(value)
        }
        // The same checks as on the command line: required options, forms and ranges.
        for option in declared {
            do throws(CLIError) { try option.validate() } catch { throw .invalid(error.description) }
        }
        return (command, ordered)
    }
}
