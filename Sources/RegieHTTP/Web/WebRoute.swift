internal import RegieCore
internal import RegieEngine

/// One page or form of the workspace: a method, a path (whose `{name}` segments are parameters), and the handler
/// bound to it, so that the routes are one list (the 404, the 405 and its `Allow`, and the dispatch all read it).
struct WebRoute: Sendable {
    let method: String
    let path: String
    /// Whether a signed-in person's view of it is written to the access log by the workspace (the login's pages
    /// are logged by the engine, step by step; the style sheets are nobody's data).
    let audited: Bool
    let handle: @Sendable (WebApp, inout WebCall) throws(EngineError) -> HTTPResponse
    private let segments: [Substring]

    init(
        _ method: String, _ path: String, audited: Bool = true,
        _ handle: @escaping @Sendable (WebApp, inout WebCall) throws(EngineError) -> HTTPResponse
    ) {
        (self.method, self.path, self.audited, self.handle) = (method, path, audited, handle)
        segments = path.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The parameters of `path` when it is this route's, else nil.
    func match(_ path: String) -> [String: String]? {
        let given = path.split(separator: "/", omittingEmptySubsequences: false)
        guard given.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (pattern, value) in zip(segments, given) {
            if pattern.first == "{" && pattern.last == "}" {
                guard !value.isEmpty else { return nil }
                params[String(pattern.dropFirst().dropLast())] = String(value)
            } else if pattern != value {
                return nil
            }
        }
        return params
    }
}

/// One request to the workspace as its handler sees it, and what the handler leaves for the access log: the person
/// (once the page knows who asks), the cases the page showed, and whether the engine logged the request already.
struct WebCall {
    let request: HTTPRequest
    var context: Engine.LoginContext
    var route: WebRoute?
    var params: [String: String] = [:]
    var session: Engine.WebSession?
    var touched: [(caseId: String, clientKey: String?)] = []
    /// The client a page without cases was about (the client's inzage), by pseudonym.
    var clientKey: String?
    /// The person's role the page was used in (e.g. ketenregisseur on the escalation board).
    var role: PersonRole?
    var detail: String?
    /// What the page did, for the access log, when its method does not say it (a form that only reads).
    var action: String?
    var audited = false

    init(request: HTTPRequest, context: Engine.LoginContext) {
        self.request = request
        self.context = context
    }

    /// The query's values by name (the first of each).
    var query: [String: String] {
        Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// The posted form's values by name.
    var form: [String: String] { request.form ?? [:] }
}
