import Foundation
import RegieCore

#if canImport(Glibc)
    import Glibc
#endif

/// The partner API under load: `regie serve` as its own process, `wrk` as the client on loopback, and nginx serving
/// a static file of the same size under the same load, for the ratio that says what this machine allows.
enum HTTPBench {
    struct Figures {
        var regieRate = Double.nan
        var regieP99ms = Double.nan
        var nginxRate = Double.nan
        var nginxP99ms = Double.nan
        var idleBaselineMB = Double.nan
        var idleWithConnectionsMB = Double.nan
        var audited = 0
        var skipped: String?
    }

    static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"] {
            let path = dir + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    @discardableResult
    static func run(_ exe: String, _ args: [String], env: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Requests/s and p99 in ms from wrk's `--latency` output.
    static func measureWrk(_ wrk: String, url: String, header: String?, seconds: Int) throws -> (Double, Double) {
        var args = ["-t2", "-c64", "-d\(seconds)s", "--latency"]
        if let header { args += ["-H", header] }
        let out = try run(wrk, args + [url])
        var rate = Double.nan
        var p99 = Double.nan
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.first == "Requests/sec:", parts.count > 1 { rate = Double(parts[1]) ?? .nan }
            if parts.first == "99%", parts.count > 1 {
                let t = String(parts[1])
                let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000)]
                for (u, f) in units where t.hasSuffix(u) {
                    p99 = (Double(t.dropLast(u.count)) ?? .nan) * f
                    break
                }
            }
            if line.contains("Non-2xx") { rate = .nan }
        }
        return (rate, p99)
    }

    static func rssMB(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .nan }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap {
                Double($0)
            }
            return (kb ?? .nan) / 1024
        }
        return .nan
    }

    static func measure(quick: Bool, log: (String) -> Void) throws -> Figures {
        var f = Figures()
        guard let wrk = which("wrk"), let nginx = which("nginx") else {
            f.skipped = "wrk or nginx is missing; install them with `scripts/setup --bench`"
            return f
        }
        let seconds = quick ? 3 : 10
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let regie = bench.appendingPathComponent("regie").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regie-http-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("bench.db").path
        try run(regie, ["init", "--db", db])
        let opened = try JSONParser.parse(
            try run(
                regie,
                [
                    "case", "open", "--db", db, "--workflow", "netwerkcasus", "--regie", "bw-aanbieder", "--gemeente",
                    "gemeente-haarlem", "--json",
                ]))
        guard let id = opened["id"]?.stringValue,
            let key = try JSONParser.parse(
                try run(regie, ["partner", "key", "create", "bw-aanbieder", "--db", db, "--json"]))["key"]?.stringValue
        else { throw BenchError(description: "could not prepare the case and key with \(regie)") }

        let port = 18000 + Int.random(in: 0..<1000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: regie)
        // As behind the documented nginx front: loopback is the trusted proxy, so the per-address connection limit
        // does not stop the 1,000 idle connections.
        server.arguments = [
            "serve", "--db", db, "--port", String(port), "--no-scheduler", "--trusted-proxy", "127.0.0.1",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
        }
        let url = "http://127.0.0.1:\(port)/v1/cases/\(id)"
        var body = ""
        for _ in 0..<50 {
            usleep(100_000)
            body = (try? run("/usr/bin/curl", ["-sf", url, "-H", "Authorization: Bearer \(key)"])) ?? ""
            if !body.isEmpty { break }
        }
        guard !body.isEmpty else { throw BenchError(description: "regie serve did not answer on port \(port)") }

        // Idle connections: the server's memory before and with 1,000 keep-alive connections open.
        usleep(200_000)
        f.idleBaselineMB = rssMB(server.processIdentifier)
        log("1,000 idle keep-alive connections ...")
        var sockets: [Int32] = []
        for _ in 0..<1000 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = UInt16(port).bigEndian
            a.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard ok == 0 else { break }
            let request = "GET /v1/health HTTP/1.1\r\nHost: bench\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = recv(fd, &buffer, 4096, 0)
            sockets.append(fd)
        }
        usleep(300_000)
        f.idleWithConnectionsMB = rssMB(server.processIdentifier)
        if sockets.count < 1000 { log("only \(sockets.count) connections could be opened") }
        for fd in sockets { close(fd) }

        log("wrk: one case's status, 64 keep-alive connections, \(seconds) s, against regie serve ...")
        _ = try measureWrk(wrk, url: url, header: "Authorization: Bearer \(key)", seconds: 1)
        let before = try run(regie, ["audit", "export", "--db", db]).split(separator: "\n").count
        (f.regieRate, f.regieP99ms) = try measureWrk(
            wrk, url: url, header: "Authorization: Bearer \(key)", seconds: seconds)
        server.terminate()
        server.waitUntilExit()
        f.audited = try run(regie, ["audit", "export", "--db", db]).split(separator: "\n").count - before

        log("wrk: the same against nginx serving a static file of \(body.utf8.count) bytes ...")
        let root = dir.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data(body.utf8).write(to: root.appendingPathComponent("case.json"))
        let nginxPort = port + 1
        let conf = """
            worker_processes auto;
            daemon off;
            pid \(dir.path)/nginx.pid;
            error_log \(dir.path)/error.log;
            events { worker_connections 1024; }
            http {
                access_log \(dir.path)/access.log;
                keepalive_requests 1000000;
                server {
                    listen 127.0.0.1:\(nginxPort);
                    root \(root.path);
                    default_type application/json;
                }
            }
            """
        try Data(conf.utf8).write(to: dir.appendingPathComponent("nginx.conf"))
        let n = Process()
        n.executableURL = URL(fileURLWithPath: nginx)
        n.arguments = ["-c", dir.appendingPathComponent("nginx.conf").path, "-p", dir.path]
        n.standardOutput = FileHandle.nullDevice
        n.standardError = FileHandle.nullDevice
        try n.run()
        defer {
            n.terminate()
            n.waitUntilExit()
        }
        usleep(500_000)
        let staticURL = "http://127.0.0.1:\(nginxPort)/case.json"
        _ = try measureWrk(wrk, url: staticURL, header: nil, seconds: 1)
        (f.nginxRate, f.nginxP99ms) = try measureWrk(wrk, url: staticURL, header: nil, seconds: seconds)
        return f
    }
}
