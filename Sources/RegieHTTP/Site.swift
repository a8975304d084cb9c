public import RegieEngine

/// Everything `regie serve` answers: the partner API under `/v1` (and `/metrics`) for systems, the workspace for
/// people everywhere else.
public final class Site: Sendable {
    public let api: PartnerAPI
    public let web: WebApp

    /// Creates the site from its two parts.
    public init(api: PartnerAPI, web: WebApp) {
        self.api = api
        self.web = web
    }

    /// Answers one request through `respond`.
    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let path = request.path
        if path == "/v1" || path.hasPrefix("/v1/") || path == "/metrics" {
            api.handle(request, respond: respond)
        } else {
            web.handle(request, respond: respond)
        }
    }
}
