/// One operation of the API: a method, a path template such as `/v1/cases/{caseId}/events`, and the handler bound
/// to it when the route is registered.
struct Route: Sendable {
    /// Whether the operation reads, writes, looks a person up, runs a report, or serves the API itself (not logged).
    enum Access: String, Sendable { case read, write, lookup, report, service }

    let method: String
    let template: String
    /// The `operationId` in the OpenAPI description.
    let operationId: String
    let access: Access
    /// Whether a key is needed.
    let authenticated: Bool
    /// What the operation does, once the middleware has let the call through.
    let handler: PartnerAPI.Handler
    private let segments: [Substring]

    init(
        _ method: String, _ template: String, _ operationId: String, _ access: Access, authenticated: Bool = true,
        _ handler: @escaping PartnerAPI.Handler
    ) {
        self.method = method
        self.template = template
        self.operationId = operationId
        self.access = access
        self.authenticated = authenticated
        self.handler = handler
        segments = template.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// `GET /v1/cases/{caseId}`, for logs, metrics and the access log.
    var name: String { "\(method) \(template)" }

    /// The path parameters when a path, split at its slashes, fits the template.
    func match(_ parts: [Substring]) -> [String: String]? {
        guard parts.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (s, p) in zip(segments, parts) {
            if s.hasPrefix("{") && s.hasSuffix("}") {
                guard !p.isEmpty else { return nil }
                params[String(s.dropFirst().dropLast())] = HTTPRequest.percentDecoded(p)
            } else if s != p {
                return nil
            }
        }
        return params
    }
}
