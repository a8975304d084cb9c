public import RegieCore
internal import Foundation

/// The workflows found in a folder: the valid ones loaded whole, each invalid file with its problems.
public struct WorkflowCatalog: Sendable {
    /// Valid workflows by name (the version found in the files).
    public private(set) var workflows: [String: Workflow] = [:]
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
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                let workflow = try Self.load(path: path)
                if let other = seen[workflow.name] {
                    failures[path] = ValidationFailure([
                        ValidationProblem(
                            file: path, path: "$.name",
                            message: "workflow name \"\(workflow.name)\" is also used by \(other)",
                            fix:
                                "each workflow lives in one file; give a new version a higher \"version\" in the same file"
                        )
                    ])
                    continue
                }
                seen[workflow.name] = path
                workflows[workflow.name] = workflow
            } catch {
                failures[path] = error
            }
        }
    }

    /// Loads and validates one file.
    /// - Throws: `ValidationFailure` with every problem.
    public static func load(path: String) throws(ValidationFailure) -> Workflow {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure([
                ValidationProblem(
                    file: path, path: "$", message: "cannot read the file", fix: "check the path and permissions")
            ])
        }
        return try WorkflowLoader.load(Array(data), file: path)
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
