import RegieCore
public import RegieEngine
internal import Foundation

/// The partner API (`/v1`): routes each request, authenticates the partner, lets it see and do only what its part in
/// a case allows, logs every access of a case to the access log, and answers errors as problem+json.
public final class PartnerAPI: Sendable {
    /// The full version, sent as `API-Version` on every response; the major version is in the path.
    public static let version = "1.1.0"

    let engine: Engine
    let trustedProxies: Set<String>
    /// Addresses besides loopback that may read `/metrics`.
    let metricsFrom: Set<String>
    let metrics: APIMetrics
    /// When the API started, for health.
    let startedAt: Instant
    /// Threads for the requests that wait for a commit (writes and lookups), so that they never hold up the
    /// server's workers, which answer reads.
    let writers: WorkerPool
    /// The last write probe of `/v1/health`.
    let probes = HealthProbes()

    /// Every operation, with its handler. The OpenAPI description describes exactly these (a test checks it).
    static let routes: [Route] = [
        Route("GET", "/v1/openapi.json", "getOpenAPI", .service, authenticated: false) { _, _ in
            Reply(body: .null, rawBody: Array(OpenAPIDocument.text.utf8))
        },
        Route("GET", "/v1/health", "getHealth", .service, authenticated: false) { api, _ throws(APIProblem) in
            try api.health()
        },
        Route("GET", "/v1/health/live", "getLiveness", .service, authenticated: false) { api, _ in api.liveness() },
        Route("GET", "/metrics", "getMetrics", .service, authenticated: false) { api, call throws(APIProblem) in
            try api.metrics(call)
        },
        Route("GET", "/v1/cases", "listCases", .read) { api, call throws(APIProblem) in try api.listCases(&call) },
        Route("POST", "/v1/cases", "openCase", .write) { api, call throws(APIProblem) in try api.openCase(&call) },
        Route("GET", "/v1/cases/{caseId}", "getCase", .read) { api, call throws(APIProblem) in
            try api.getCase(&call)
        },
        Route("GET", "/v1/cases/{caseId}/events", "listCaseEvents", .read) { api, call throws(APIProblem) in
            try api.listEvents(&call)
        },
        Route("POST", "/v1/cases/{caseId}/events", "fireCaseEvent", .write) { api, call throws(APIProblem) in
            try api.fireEvent(&call)
        },
        Route("GET", "/v1/escalations", "listEscalations", .read) { api, call throws(APIProblem) in
            try api.escalations(&call)
        },
        Route("GET", "/v1/reports/monitor", "getMonitorReport", .report) { api, call throws(APIProblem) in
            try api.monitorReport(&call)
        },
        Route("POST", "/v1/lookups", "lookupPerson", .lookup) { api, call throws(APIProblem) in
            try api.lookup(&call)
        },
        Route("GET", "/v1/vso/{basisteam}/agenda", "getVsoAgenda", .read) { api, call throws(APIProblem) in
            try api.vsoAgenda(&call)
        },
        Route("GET", "/v1/webhooks", "listWebhooks", .read) { api, call throws(APIProblem) in
            try api.listWebhooks(&call)
        },
        Route("POST", "/v1/webhooks", "createWebhook", .write) { api, call throws(APIProblem) in
            try api.createWebhook(&call)
        },
        Route("DELETE", "/v1/webhooks/{webhookId}", "deleteWebhook", .write) { api, call throws(APIProblem) in
            try api.deleteWebhook(&call)
        },
        Route("POST", "/v1/webhooks/{webhookId}/secret", "rotateWebhookSecret", .write) {
            api, call throws(APIProblem) in try api.rotateWebhookSecret(&call)
        },
        Route("GET", "/v1/webhooks/{webhookId}/deliveries", "listWebhookDeliveries", .read) {
            api, call throws(APIProblem) in try api.listWebhookDeliveries(&call)
        },
    ]

    /// What an operation does with a call: its reply, or the problem to answer.
    typealias Handler = @Sendable (PartnerAPI, inout Call) throws(APIProblem) -> Reply

    /// What every request passes through, outermost first: metrics see the final status, the access log records
    /// every routed request (an unauthenticated one too), authentication runs before any operation.
    let middleware: [any APIMiddleware]

    /// Creates the API on an engine.
    /// - Parameter trustedProxies: addresses whose `X-Forwarded-For` is believed (the reverse proxy's).
    /// - Parameter metricsFrom: addresses besides loopback that may read `/metrics`.
    public init(engine: Engine, trustedProxies: Set<String> = [], metricsFrom: Set<String> = []) {
        self.engine = engine
        self.trustedProxies = trustedProxies
        self.metricsFrom = metricsFrom
        let metrics = APIMetrics(routes: Self.routes.map(\.name))
        self.metrics = metrics
        self.startedAt = engine.clock.now()
        middleware = [
            MetricsMiddleware(metrics: metrics), AccessLogMiddleware(engine: engine),
            AuthenticationMiddleware(engine: engine),
        ]
        writers = WorkerPool(threads: 16, name: "regie-api-writer")
    }

    deinit { writers.stop(wait: false) }

    /// One request being answered: who asks, about what, and what the access log should say.
    struct Call: Sendable {
        let request: HTTPRequest
        let route: Route
        let params: [String: String]
        let address: String
        let person: String?
        /// When the request was routed (monotonic seconds), for its latency.
        let receivedAt: Double
        var key: Engine.PartnerKey?
        var partner: Partner?
        /// The cases this request touched, for the access log (one record each).
        var touched: [(caseId: String, clientKey: String?)] = []
        var detail: String?
        /// Set when the engine already wrote the access-log record in the transaction of the change.
        var audited = false

        var partnerId: String { partner?.id ?? key?.partner ?? "-" }

        func auditEntry(
            at: Instant, outcome: AuditEntry.Outcome, status: Int, caseId: String? = nil, clientKey: String? = nil
        ) -> AuditEntry {
            AuditEntry(
                at: at, channel: .api, action: route.access.rawValue, resource: route.name, caseId: caseId,
                clientKey: clientKey, partner: partnerId, person: person,
                // The key authenticates the partner's system; a person it names is its statement, not Regie's.
                identity: person == nil ? nil : .stated, outcome: outcome, status: status,
                detail: detail, address: address)
        }
    }

    /// A successful answer.
    struct Reply: Sendable {
        var status = 200
        var body: JSONValue
        var headers: [(String, String)] = []
        var contentType = "application/json"
        var rawBody: [UInt8]?
    }

    /// Answers one request through `respond`: at once, or, when the request touched cases and the engine has not
    /// logged it already, once its access-log record is durable. Never fails: every failure becomes a problem
    /// response, and when the access cannot be logged the answer is withheld (500).
    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let started = monotonicSeconds()
        let path = Substring(request.path)
        var matched: (Route, [String: String])?
        var allowed: [String] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for route in Self.routes {
            guard let params = route.match(parts) else { continue }
            if route.method == request.method || (request.method == "HEAD" && route.method == "GET") {
                matched = (route, params)
                break
            }
            allowed.append(route.method)
        }
        guard let (route, params) = matched else {
            let problem: APIProblem
            if !allowed.isEmpty {
                problem = APIProblem(
                    405, "method-not-allowed", "Method not allowed",
                    "\(request.method) is not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))",
                    headers: [("Allow", allowed.joined(separator: ", "))])
            } else if path.count > 1 && path.hasSuffix("/") {
                problem = .notFound("\(request.path) has a trailing slash; use \(path.dropLast())")
            } else {
                problem = .notFound("no resource at \(request.path); the API is described at /v1/openapi.json")
            }
            metrics.record(route: nil, status: problem.status, seconds: monotonicSeconds() - started)
            return respond(Self.render(problem, instance: request.path))
        }
        guard route.access == .read || route.access == .service else {
            return writers.submit { self.answer(request, route, params, started: started, respond: respond) }
        }
        answer(request, route, params, started: started, respond: respond)
    }

    /// Answers a routed request: passes it through the middleware to its handler, and renders the answer.
    private func answer(
        _ request: HTTPRequest, _ route: Route, _ params: [String: String], started: Double,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let call = Call(
            request: request, route: route, params: params,
            address: request.clientAddress(trustedProxies: trustedProxies),
            person: request.headers["x-regie-user"].map { String($0.prefix(200)) }, receivedAt: started)
        pass(call, through: 0) { respond($0.response) }
    }

    /// Hands the call to the middleware at `index`, or, past the last, to the route's handler.
    private func pass(_ call: Call, through index: Int, done: @escaping Done) {
        guard index < middleware.count else {
            var call = call
            let result: Result<Reply, APIProblem>
            do throws(APIProblem) {
                result = .success(try call.route.handler(self, &call))
            } catch {
                result = .failure(error)
            }
            return done(Answer(call: call, result: result))
        }
        middleware[index].handle(call, next: { [self] in pass($0, through: index + 1, done: $1) }, done: done)
    }

    /// The metrics, for loopback and the addresses in `metricsFrom`.
    private func metrics(_ call: Call) throws(APIProblem) -> Reply {
        guard metricsAllowed(call) else {
            throw APIProblem(
                403, "forbidden", "Forbidden",
                "the metrics are shown to loopback and to the addresses in server.json metricsFrom only; \(call.address) is neither"
            )
        }
        return Reply(
            body: .null, contentType: "text/plain; version=0.0.4; charset=utf-8",
            rawBody: Array(metrics.exposition(engine: engine).utf8))
    }

    /// Whether the caller may read `/metrics`: the client (behind a trusted proxy, the one its X-Forwarded-For
    /// names, which the documented nginx front always sets) is on loopback or listed in `metricsFrom`.
    private func metricsAllowed(_ call: Call) -> Bool {
        let client = call.address
        return metricsFrom.contains(client) || client == "::1" || client.hasPrefix("127.")
            || client.hasPrefix("::ffff:127.")
    }

    // MARK: Rendering

    static func render(_ reply: Reply) -> HTTPResponse {
        var headers = HTTPHeaders([("API-Version", Self.version)])
        if reply.status != 204 { headers.add("Content-Type", reply.contentType) }
        for (n, v) in reply.headers { headers.add(n, v) }
        let body = reply.status == 204 ? [] : reply.rawBody ?? Array(reply.body.compactText.utf8)
        return HTTPResponse(status: reply.status, headers: headers, body: body)
    }

    static func render(_ problem: APIProblem, instance: String?) -> HTTPResponse {
        var headers = HTTPHeaders([
            ("API-Version", Self.version), ("Content-Type", "application/problem+json"),
        ])
        for (n, v) in problem.headers { headers.add(n, v) }
        return HTTPResponse(
            status: problem.status, headers: headers, body: Array(problem.json(instance: instance).compactText.utf8))
    }

    /// The response to bytes that are not a valid request, a timeout, or a full server, for `HTTPServer`.
    public func errorResponse(_ error: HTTPParseError) -> HTTPResponse {
        // Not in the access log (no request, no partner), but counted.
        metrics.record(route: "unparsed", status: error.status, seconds: 0)
        let slugs = [
            400: "bad-request", 408: "request-timeout", 413: "content-too-large", 414: "uri-too-long",
            417: "expectation-failed", 431: "header-too-large", 501: "not-implemented", 503: "unavailable",
            505: "http-version",
        ]
        let problem = APIProblem(
            error.status, slugs[error.status] ?? "bad-request", HTTPResponse.reason(error.status), error.message)
        return Self.render(problem, instance: nil)
    }

    // MARK: Helpers for handlers

    /// The JSON object body of a request, checked against the members an operation accepts.
    func jsonBody(_ call: Call, allowed: Set<String>) throws(APIProblem) -> JSONObject {
        let type = call.request.headers["content-type"]?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw APIProblem(
                415, "unsupported-media-type", "Unsupported media type",
                "send the body as JSON with `Content-Type: application/json`")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(call.request.body) } catch {
            throw .invalid("body", "not valid JSON: \(error.description)", code: "parse")
        }
        guard let object = value.objectValue else { throw .invalid("body", "must be a JSON object", code: "type") }
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw .invalid(
                "body.\(unknown)", "unknown member; allowed: \(allowed.sorted().joined(separator: ", "))",
                code: "unknown")
        }
        return object
    }

    /// An optional string member.
    func string(_ o: JSONObject, _ name: String) throws(APIProblem) -> String? {
        guard let v = o[name], v != .null else { return nil }
        guard let s = v.stringValue else { throw .invalid("body.\(name)", "must be a string", code: "type") }
        return s
    }

    /// An optional object of strings.
    func strings(_ o: JSONObject, _ name: String) throws(APIProblem) -> [String: String] {
        guard let v = o[name], v != .null else { return [:] }
        guard let obj = v.objectValue else {
            throw .invalid("body.\(name)", "must be an object of strings", code: "type")
        }
        var out: [String: String] = [:]
        for m in obj.members {
            guard let s = m.value.stringValue else {
                throw .invalid("body.\(name).\(m.key)", "must be a string", code: "type")
            }
            out[m.key] = s
        }
        return out
    }

    /// Query parameters, refusing unknown ones and repeated ones.
    func query(_ call: Call, allowed: Set<String>) throws(APIProblem) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in call.request.query {
            guard allowed.contains(name) else {
                throw .invalid(
                    "query.\(name)", "unknown parameter; allowed: \(allowed.sorted().joined(separator: ", "))",
                    code: "unknown")
            }
            guard out[name] == nil else { throw .invalid("query.\(name)", "given more than once", code: "repeated") }
            out[name] = value
        }
        return out
    }

    /// Maps an engine error to its problem.
    func problem(_ error: EngineError, caseId: String?) -> APIProblem {
        switch error {
        case .refused(let refusal):
            switch refusal.reason {
            case .staleSequence:
                return APIProblem(409, "stale-sequence", "The case has changed", refusal.message)
            case .tooLong:
                return APIProblem(
                    422, "text-too-long", "A text is too long", refusal.message,
                    invalidParams: [
                        APIProblem.InvalidParam(
                            name: "body.\(refusal.field ?? "note")", code: "tooLong", reason: refusal.message)
                    ])
            case .invalidArgument:
                return APIProblem(
                    400, "invalid-params", "A parameter is not valid", refusal.message,
                    invalidParams: [
                        APIProblem.InvalidParam(
                            name: refusal.field.map { "body.\($0)" } ?? "body", code: "invalid", reason: refusal.message
                        )
                    ])
            default:
                return APIProblem(
                    422, "forbidden-transition", "The rules do not allow this", refusal.message,
                    invalidParams: [
                        APIProblem.InvalidParam(
                            name: "body.event", code: refusal.reason.rawValue, reason: refusal.message)
                    ])
            }
        case .notFound(let m):
            return caseId.map { APIProblem.caseNotFound($0) } ?? .notFound(m)
        case .tooMany(let m, let seconds):
            return APIProblem(
                429, "too-many-requests", "Too many requests", m, headers: [("Retry-After", "\(seconds)")])
        case .damaged, .tampered:
            return APIProblem(
                500, "integrity", "The record does not verify",
                "the stored record does not verify, so it is not shown; the region's administrator has been told by the log"
            )
        case .invalid, .environment:
            return APIProblem(
                500, "internal", "Internal error", "the server could not complete the request; it is logged")
        }
    }
}
