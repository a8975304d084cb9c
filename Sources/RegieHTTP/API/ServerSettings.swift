import RegieCore

/// How `regie serve` listens: from `Config/server.json` when present, with command-line flags taking precedence.
public struct ServerSettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: [String] = []
    /// Addresses besides loopback that may read `/metrics` (a Prometheus server elsewhere).
    public var metricsFrom: [String] = []
    /// Threads running requests; nil leaves the server's default (two per core).
    public var workers: Int?
    public var limits = ServerLimits()

    /// The defaults: loopback, port 8080.
    public init() {}

    /// Reads a settings file.
    /// - Throws: `ServerSettingsError` naming the file, the member and what is wrong.
    public static func load(_ bytes: [UInt8], file: String) throws(ServerSettingsError) -> ServerSettings {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw ServerSettingsError("\(file): not valid JSON: \(error.description)")
        }
        guard let o = value.objectValue else { throw ServerSettingsError("\(file): must be a JSON object") }
        var s = ServerSettings()
        let known = ["$comment", "host", "port", "trustedProxies", "metricsFrom", "workers", "limits"]
        if let k = o.keys.first(where: { !known.contains($0) }) {
            throw ServerSettingsError(
                "\(file): unknown member \"\(k)\"; known: \(known.dropFirst().joined(separator: ", "))")
        }
        if let h = o["host"] {
            guard let t = h.stringValue else { throw ServerSettingsError("\(file): host must be a string") }
            s.host = t
        }
        if let p = o["port"] {
            guard let n = p.intValue, (0...65535).contains(n) else {
                throw ServerSettingsError("\(file): port must be a number from 0 to 65535")
            }
            s.port = Int(n)
        }
        if let t = o["trustedProxies"] {
            guard let list = t.arrayValue?.compactMap(\.stringValue), list.count == t.arrayValue?.count else {
                throw ServerSettingsError("\(file): trustedProxies must be a list of IP addresses")
            }
            s.trustedProxies = list
        }
        if let t = o["metricsFrom"] {
            guard let list = t.arrayValue?.compactMap(\.stringValue), list.count == t.arrayValue?.count else {
                throw ServerSettingsError("\(file): metricsFrom must be a list of IP addresses")
            }
            s.metricsFrom = list
        }
        if let w = o["workers"] {
            guard let n = w.intValue, (1...1024).contains(n) else {
                throw ServerSettingsError("\(file): workers must be a number from 1 to 1024")
            }
            s.workers = Int(n)
        }
        if let l = o["limits"] {
            guard let lo = l.objectValue else { throw ServerSettingsError("\(file): limits must be an object") }
            for m in lo.members {
                guard let n = m.value.intValue, n > 0 else {
                    throw ServerSettingsError("\(file): limits.\(m.key) must be a positive number")
                }
                switch m.key {
                case "maxBodyBytes": s.limits.maxBodyBytes = Int(n)
                case "maxHeaderBytes": s.limits.maxHeaderBytes = Int(n)
                case "maxHeaderCount": s.limits.maxHeaderCount = Int(n)
                case "maxRequestLine": s.limits.maxRequestLine = Int(n)
                case "maxConnections": s.limits.maxConnections = Int(n)
                case "maxConnectionsPerAddress": s.limits.maxConnectionsPerAddress = Int(n)
                case "idleTimeoutSeconds": s.limits.idleTimeout = Double(n)
                case "headerTimeoutSeconds": s.limits.headerTimeout = Double(n)
                case "requestTimeoutSeconds": s.limits.requestTimeout = Double(n)
                case "writeTimeoutSeconds": s.limits.writeTimeout = Double(n)
                default:
                    throw ServerSettingsError(
                        "\(file): unknown limit \"\(m.key)\"; known: maxBodyBytes, maxHeaderBytes, maxHeaderCount, maxRequestLine, maxConnections, maxConnectionsPerAddress, idleTimeoutSeconds, headerTimeoutSeconds, requestTimeoutSeconds, writeTimeoutSeconds"
                    )
                }
            }
        }
        return s
    }
}

/// A problem in the server settings file.
public struct ServerSettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
