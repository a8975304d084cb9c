/// How webhooks are delivered in a region: from `Config/webhooks.json` when present, else these defaults.
public struct WebhookSettings: Sendable, Equatable {
    /// The API's public address, from which payloads say where to fetch a case (`BASE/v1/cases/ID`).
    public var publicBaseURL = "http://127.0.0.1:8080"
    /// Networks that may receive webhooks although their class is refused (a government network, say), as text
    /// such as `10.20.0.0/16`; checked by the deliverer.
    public var allowedNetworks: [String] = []
    public var retry = RetrySchedule.standard
    /// How long a rotated secret keeps signing beside the new one.
    public var rotationGraceSeconds: Int64 = 24 * 3600
    /// An endpoint failing this long without a success is disabled.
    public var disableAfterSeconds: Int64 = 5 * 24 * 3600
    /// Whom to tell when an endpoint is disabled: the region's functional administrator (an address or a name).
    public var administrator = "functioneel beheer"
    /// Deliveries sent at the same time.
    public var concurrency = 64
    /// How long to wait for a connection, and for a whole attempt (the answer included).
    public var connectTimeoutMilliseconds = 5_000
    public var timeoutMilliseconds = 15_000

    /// The policy that decides which addresses may receive webhooks, with `allowedNetworks`.
    public var addressPolicy: AddressPolicy { AddressPolicy(allowed: allowedNetworks.compactMap(Network.init)) }

    /// The defaults.
    public init() {}

    /// Reads a settings file.
    /// - Throws: `ValidationProblem` naming the file, the member and what is wrong.
    public static func load(_ bytes: [UInt8], file: String) throws(ValidationProblem) -> WebhookSettings {
        func problem(_ message: String) -> ValidationProblem {
            ValidationProblem(file: file, path: "$", message: message)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw problem("not valid JSON: \(error.description)") }
        guard let o = value.objectValue else { throw problem("must be a JSON object") }
        let known = [
            "$comment", "publicBaseURL", "allowedNetworks", "retrySeconds", "jitter", "rotationGraceHours",
            "disableAfterDays", "administrator", "concurrency",
            "connectTimeoutSeconds", "timeoutSeconds",
        ]
        if let k = o.keys.first(where: { !known.contains($0) }) {
            throw problem("unknown member \"\(k)\"; known: \(known.dropFirst().joined(separator: ", "))")
        }
        var s = WebhookSettings()
        if let v = o["publicBaseURL"] {
            guard let t = v.stringValue, t.hasPrefix("http://") || t.hasPrefix("https://") else {
                throw problem("publicBaseURL must be an http or https address, such as https://regie.example.nl")
            }
            s.publicBaseURL = t.hasSuffix("/") ? String(t.dropLast()) : t
        }
        if let v = o["allowedNetworks"] {
            guard let list = v.arrayValue?.compactMap(\.stringValue), list.count == v.arrayValue?.count else {
                throw problem("allowedNetworks must be a list of networks such as \"10.20.0.0/16\"")
            }
            if let bad = list.first(where: { Network($0) == nil }) {
                throw problem("allowedNetworks: \"\(bad)\" is not a network; write it as 10.20.0.0/16 or fd00:12::/32")
            }
            s.allowedNetworks = list
        }
        if let v = o["retrySeconds"] {
            guard let list = v.arrayValue?.compactMap(\.intValue), list.count == v.arrayValue?.count, !list.isEmpty,
                list.allSatisfy({ $0 >= 0 })
            else { throw problem("retrySeconds must be a non-empty list of seconds, such as [0, 5, 300]") }
            s.retry.delays = list
        }
        if let v = o["jitter"] {
            let number: Double? =
                switch v {
                case .int(let i): Double(i)
                case .double(let d): d
                default: nil
                }
            guard let d = number, (0...1).contains(d) else { throw problem("jitter must be from 0 to 1") }
            s.retry.jitter = d
        }
        if let v = o["rotationGraceHours"] {
            guard let n = v.intValue, n >= 0 else { throw problem("rotationGraceHours must be 0 or more") }
            s.rotationGraceSeconds = n * 3600
        }
        if let v = o["disableAfterDays"] {
            guard let n = v.intValue, n >= 1 else { throw problem("disableAfterDays must be 1 or more") }
            s.disableAfterSeconds = n * 24 * 3600
        }
        if let v = o["administrator"] {
            guard let t = v.stringValue, !t.isEmpty else { throw problem("administrator must be a non-empty string") }
            s.administrator = t
        }
        if let v = o["concurrency"] {
            guard let n = v.intValue, (1...1024).contains(n) else {
                throw problem("concurrency must be a number from 1 to 1024")
            }
            s.concurrency = Int(n)
        }
        if let v = o["connectTimeoutSeconds"] {
            guard let n = v.intValue, (1...60).contains(n) else {
                throw problem("connectTimeoutSeconds must be a number of seconds from 1 to 60")
            }
            s.connectTimeoutMilliseconds = Int(n) * 1000
        }
        if let v = o["timeoutSeconds"] {
            guard let n = v.intValue, (1...300).contains(n) else {
                throw problem("timeoutSeconds must be a number of seconds from 1 to 300")
            }
            s.timeoutMilliseconds = Int(n) * 1000
        }
        return s
    }
}
