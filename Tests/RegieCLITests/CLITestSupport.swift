import Foundation
import RegieCore
import Testing

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

extension CLI {
    /// A running `regie serve` on a free port.
    struct Server {
        let process: Process
        let port: Int
        /// What it printed when it started.
        let banner: String
        var base: String { "http://127.0.0.1:\(port)" }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Starts `regie serve` on `db` and waits for its banner. `shell`, when given, runs first in the same shell
    /// (`ulimit`, `trap`), which then becomes the server.
    static func serve(
        _ db: String, _ arguments: [String] = ["--no-deliverer"], shell: String? = nil,
        environment: [String: String] = [:]
    ) throws -> Server {
        let p = Process()
        let args = ["serve", "--db", db, "--port", "0"] + arguments
        if let shell {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", shell + "; exec \"$0\" \"$@\"", binary] + args
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        env["REGIE_WORKFLOWS"] = root.appendingPathComponent("Workflows").path
        env["REGIE_CONFIG"] = root.appendingPathComponent("Config").path
        env.removeValue(forKey: "REGIE_DB")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let line = firstLine(of: out)
        guard let port = line.split(separator: ":").dropFirst(2).first.flatMap({ Int($0.prefix { $0.isNumber }) })
        else {
            p.terminate()
            throw CLIError(description: "no banner from regie serve: \(line)")
        }
        return Server(process: p, port: port, banner: line)
    }

    /// A netwerkcasus held by the BW provider with its plan agreed, on `db` (made already), and an API key for the
    /// provider. `open` adds options to `case open`.
    static func planAgreed(_ db: String, open extra: [String] = []) throws -> (id: String, key: String) {
        let opened = try run(
            ["case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--json"] + extra)
        let id = try #require(try JSONParser.parse(opened.out)["id"]?.stringValue, "\(opened.err)")
        #expect(try run(["case", "fire", id, "plan-vastgesteld", "--note", "plan", "--db", db]).status == 0)
        let key = try #require(
            try JSONParser.parse(try run(["partner", "key", "create", "bw-aanbieder", "--db", db, "--json"]).out)[
                "key"]?.stringValue)
        return (id, key)
    }

    /// A test setup that failed.
    struct CLIError: Error, CustomStringConvertible {
        var description: String
    }

    /// curl's status and body.
    static func http(_ args: [String]) throws -> (status: Int, body: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "20", "-w", "\n%{http_code}"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}
