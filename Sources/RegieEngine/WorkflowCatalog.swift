public import RegieCore
internal import Foundation

/// The workflows found in a folder: the valid ones loaded whole, each invalid file with its problems.
public struct WorkflowCatalog: Sendable {
    /// Valid workflows by name (the version found in the files), with their modules merged in.
    public private(set) var workflows: [String: Workflow] = [:]
    /// Valid modules by name (`"module": true`): transitions and timers that workflows include.
    public private(set) var modules: [String: WorkflowModule] = [:]
    /// Files that failed validation; none of their content is loaded.
    public private(set) var failures: [String: ValidationFailure] = [:]
    /// The folder read.
    public let folder: String

    /// Reads every `*.json` file in `folder` except the JSON Schema.
    /// - Throws: `EngineError.environment` when the folder cannot be read.
    public init(folder: String) throws(EngineError) {
        self.folder = folder
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json")
            }.sorted()
        } catch {
            throw .environment(
                "cannot read the workflow folder \(folder); set REGIE_WORKFLOWS or --workflows to the folder with the workflow files"
            )
        }
        let paths = names.map { (folder as NSString).appendingPathComponent($0) }
        var seen: [String: String] = [:]
        let texts = paths.map { (path: $0, text: FileManager.default.contents(atPath: $0).map { Array($0) }) }
        for (path, text) in texts {
            guard let text, WorkflowLoader.isModule(text) else { continue }
            do {
                let module = try WorkflowLoader.loadModule(text, file: path)
                if let other = seen[module.name] {
                    failures[path] = Self.duplicate(path, module.name, other)
                    continue
                }
                seen[module.name] = path
                modules[module.name] = module
            } catch {
                failures[path] = error
            }
        }
        for (path, text) in texts where text.map({ !WorkflowLoader.isModule($0) }) ?? true {
            do {
                let workflow = try Self.load(path: path, modules: modules)
                if let other = seen[workflow.name] {
                    failures[path] = Self.duplicate(path, workflow.name, other)
                    continue
                }
                seen[workflow.name] = path
                workflows[workflow.name] = workflow
            } catch {
                failures[path] = error
            }
        }
        // A workflow that opens another must name one that exists.
        for (name, workflow) in workflows {
            let opened = workflow.transitions.flatMap { t in t.effects.compactMap { $0.unconditional.openedWorkflow } }
            for target in Set(opened) where workflows[target] == nil {
                let path = seen[name] ?? name
                failures[path] = ValidationFailure([
                    ValidationProblem(
                        file: path, path: "$.transitions",
                        message: "opens workflow \"\(target)\", which is not among the valid workflows in \(folder)",
                        fix: "add \(target).json, fix its problems, or correct the name")
                ])
                workflows[name] = nil
            }
        }
    }

    private static func duplicate(_ path: String, _ name: String, _ other: String) -> ValidationFailure {
        ValidationFailure([
            ValidationProblem(
                file: path, path: "$.name", message: "name \"\(name)\" is also used by \(other)",
                fix:
                    "each workflow or module lives in one file; give a new version a higher \"version\" in the same file"
            )
        ])
    }

    /// Loads and validates one workflow file, with the modules beside it.
    /// - Throws: `ValidationFailure` with every problem.
    public static func load(path: String) throws(ValidationFailure) -> Workflow {
        let folder = (path as NSString).deletingLastPathComponent
        var modules: [String: WorkflowModule] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        where name.hasSuffix(".json") && !name.hasSuffix(".schema.json") {
            let p = (folder as NSString).appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: p), WorkflowLoader.isModule(Array(data)),
                let m = try? WorkflowLoader.loadModule(Array(data), file: p)
            {
                modules[m.name] = m
            }
        }
        return try load(path: path, modules: modules)
    }

    /// Loads and validates one workflow file with the given modules.
    /// - Throws: `ValidationFailure` with every problem.
    static func load(path: String, modules: [String: WorkflowModule]) throws(ValidationFailure) -> Workflow {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure([
                ValidationProblem(
                    file: path, path: "$", message: "cannot read the file", fix: "check the path and permissions")
            ])
        }
        return try WorkflowLoader.load(Array(data), file: path, modules: modules)
    }

    /// The workflow named `name`.
    /// - Throws: `EngineError.notFound` listing what exists, or naming the file's problems.
    public func workflow(_ name: String) throws(EngineError) -> Workflow {
        if let w = workflows[name] { return w }
        if let (file, _) = failures.first(where: { $0.key.hasSuffix("/\(name).json") }) {
            throw .environment(
                "workflow \(name) is not loaded because \(file) has problems; run `regie workflow validate \(file)`")
        }
        throw .notFound("no workflow named \"\(name)\"; available: \(workflows.keys.sorted().joined(separator: ", "))")
    }
}
