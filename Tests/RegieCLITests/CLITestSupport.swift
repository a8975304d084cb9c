import Foundation

/// Runs the built `regie` binary as a person or script would.
enum CLI {
    /// The `regie` executable next to the test bundle.
    static var binary: String {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("regie").path
    }

    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs `regie` with arguments and optional standard input.
    @discardableResult
    static func run(_ args: [String], input: String? = nil, environment: [String: String] = [:], in folder: URL? = nil)
        throws -> Result
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["REGIE_WORKFLOWS"] = root.appendingPathComponent("Workflows").path
        env["REGIE_CONFIG"] = root.appendingPathComponent("Config").path
        env.removeValue(forKey: "REGIE_DB")
        env.removeValue(forKey: "REGIE_PSEUDONYM_SECRET")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if let folder { p.currentDirectoryURL = folder }
        let out = Pipe()
        let err = Pipe()
        let inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
            err: String(decoding: e, as: UTF8.self))
    }

    /// What a child process wrote up to its first line break (its banner), waiting for it.
    static func firstLine(of pipe: Pipe) -> String {
        var text = ""
        while !text.contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        return text
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("regie-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
