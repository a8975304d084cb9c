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
        var seen: [String: String] = [:]
        // Each file is read once; modules first, so that the workflows including them can be loaded.
        let files = names.map { name in
            let path = (folder as NSString).appendingPathComponent(name)
            let text = FileManager.default.contents(atPath: path).map { Array($0) }
            return (path: path, text: text, module: text.map(WorkflowLoader.isModule) ?? false)
        }
        for file in files where file.module {
            do {
                let module = try WorkflowLoader.loadModule(file.text ?? [], file: file.path)
                if let other = seen[module.name] {
                    failures[file.path] = Self.duplicate(file.path, module.name, other)
                    continue
                }
                seen[module.name] = file.path
                modules[module.name] = module
            } catch {
                failures[file.path] = error
            }
        }
        for file in files where !file.module {
            guard let text = file.text else {
                failures[file.path] = Self.unreadable(file.path)
                continue
            }
            do {
                let workflow = try WorkflowLoader.load(text, file: file.path, modules: modules)
                if let other = seen[workflow.name] {
                    failures[file.path] = Self.duplicate(file.path, workflow.name, other)
                    continue
                }
                seen[workflow.name] = file.path
                workflows[workflow.name] = workflow
            } catch {
                failures[file.path] = error
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

    private static func unreadable(_ path: String) -> ValidationFailure {
        ValidationFailure([
            ValidationProblem(
                file: path, path: "$", message: "cannot read the file", fix: "check the path and permissions")
        ])
    }

    /// The valid modules in a folder (a module with problems is left out; validating it reports them).
    public static func modules(in folder: String) -> [String: WorkflowModule] {
        var modules: [String: WorkflowModule] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasSuffix(".json") && !name.hasSuffix(".schema.json") {
            let path = (folder as NSString).appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: path), WorkflowLoader.isModule(Array(data)),
                let m = try? WorkflowLoader.loadModule(Array(data), file: path)
            {
                modules[m.name] = m
            }
        }
        return modules
    }

    /// Loads and validates one workflow file with `modules`, by default those of the folder it is in.
    /// - Throws: `ValidationFailure` with every problem.
    public static func load(path: String, modules: [String: WorkflowModule]? = nil) throws(ValidationFailure)
        -> Workflow
    {
        let folder = (path as NSString).deletingLastPathComponent
        let modules = modules ?? Self.modules(in: folder.isEmpty ? "." : folder)
        guard let data = FileManager.default.contents(atPath: path) else { throw unreadable(path) }
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
