import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// The shipped region on a fresh database, served by the partner API on a loopback port. Every response a test
/// receives is checked against the OpenAPI description: its status must be described for the operation and its body
/// must fit the described schema.
final class APIHarness: @unchecked Sendable {
    let clock: TestClock
    let engine: Engine
    let api: PartnerAPI
    let server: HTTPServer
    let database: String
    let validator: SchemaValidator
    private var keys: [String: String] = [:]
    private var client: RawClient?

    init(at start: String = "2026-11-23T09:00", limits: ServerLimits = ServerLimits()) throws {
        let region = try ShippedRegion(at: start)
        (clock, engine, database) = (region.clock, region.engine, region.database)
        api = PartnerAPI(engine: engine, trustedProxies: ["127.0.0.1"])
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.workers = 8
        configuration.limits = limits
        let api = self.api
        server = HTTPServer(configuration: configuration, handler: api.handle, errorResponse: api.errorResponse)
        try server.start()
        validator = SchemaValidator(document: try JSONParser.parse(OpenAPIDocument.text))
    }

    deinit { server.shutdown() }

    /// A (cached) key for a partner.
    func key(_ partner: String) throws -> String {
        if let k = keys[partner] { return k }
        let k = try engine.createKey(partner: partner, label: "test").secret
        keys[partner] = k
        return k
    }

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue
    }

    /// Sends a request over loopback as `partner` (or with `rawKey`, or none) and checks the answer against the
    /// description.
    @discardableResult
    func call(
        _ method: String, _ path: String, as partner: String? = nil, rawKey: String? = nil, json body: String? = nil,
        headers extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: regie.test\r\n"
        if let partner { text += "Authorization: Bearer \(try key(partner))\r\n" }
        if let rawKey { text += "Authorization: \(rawKey)\r\n" }
        for (n, v) in extra { text += "\(n): \(v)\r\n" }
        if let body {
            if extra["Content-Type"] == nil { text += "Content-Type: application/json\r\n" }
            text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        let raw = RawClient.exchange(text, over: &client, port: server.port)
        let r = try #require(raw, "no response to \(method) \(path)", sourceLocation: sourceLocation)
        let json = (try? JSONParser.parse(r.body)) ?? .null
        check(method, path, r, json, sourceLocation: sourceLocation)
        return Response(status: r.status, headers: r.headers, body: r.body, json: json)
    }

    /// The response's status is described for the operation, and its body fits the described schema.
    private func check(
        _ method: String, _ path: String, _ r: RawClient.Response, _ json: JSONValue, sourceLocation: SourceLocation
    ) {
        #expect(r.headers["api-version"] == PartnerAPI.version, sourceLocation: sourceLocation)
        let bare = (path.split(separator: "?", maxSplits: 1).first ?? "").split(
            separator: "/", omittingEmptySubsequences: false)
        guard let route = PartnerAPI.routes.first(where: { $0.method == method && $0.match(bare) != nil }) else {
            return  // 404 and 405 for unknown paths are checked by the tests themselves
        }
        let operation = validator.document["paths"]?[route.template]?[method.lowercased()]
        guard let described = operation?["responses"]?[String(r.status)].map(validator.resolve) else {
            Issue.record(
                "\(route.name) answered \(r.status), which the description does not list",
                sourceLocation: sourceLocation)
            return
        }
        let type = r.headers["content-type"]?.split(separator: ";").first.map(String.init) ?? ""
        if described["content"] == nil {
            #expect(
                r.body.isEmpty && type.isEmpty, "\(route.name) \(r.status) has no content",
                sourceLocation: sourceLocation)
            return
        }
        guard let schema = described["content"]?[type]?["schema"] else {
            Issue.record(
                "\(route.name) \(r.status): content type \(type) is not described", sourceLocation: sourceLocation)
            return
        }
        guard type.hasSuffix("json") else { return }
        for problem in validator.problems(json, schema) {
            Issue.record("\(route.name) \(r.status): \(problem)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Story helpers

    @discardableResult
    func open(
        _ workflow: String, regie: String, as actor: Actor? = nil, gemeente: String? = nil,
        fields: [String: String] = [:], bsn: String? = nil
    ) throws -> String {
        let outcome = try engine.open(
            .init(workflow: workflow, regie: regie, bsn: bsn, actor: actor, fields: fields, municipality: gemeente))
        return try #require(outcome.record?.id)
    }

    @discardableResult
    func fire(
        _ id: String, _ event: String, as actor: Actor, target: String? = nil, motivation: String? = nil,
        note: String? = nil, fields: [String: String] = [:]
    ) throws -> CaseRecord {
        try #require(
            try engine.fire(
                id,
                CaseCommand(
                    event: event, actor: actor, note: note, target: target, motivation: motivation, fields: fields)
            ).record)
    }

    /// The access log's records, oldest first.
    func auditLog() throws -> [AuditEntry] {
        var filter = CaseStore.AuditFilter()
        filter.limit = 100_000
        return try engine.auditRecords(filter)
    }
}
