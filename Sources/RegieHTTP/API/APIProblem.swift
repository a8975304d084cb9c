public import RegieCore

/// An error answered as `application/problem+json` (RFC 9457): a `type` naming the kind of problem, a `title`,
/// the `status`, a `detail` saying what was wrong and what to do, and for validation errors the offending
/// parameters (`invalidParams`, as the Dutch API strategy names them).
public struct APIProblem: Error, Sendable, Equatable {
    /// One offending parameter: where it is (`body.event`, `query.level`, `header.If-Match`) and why.
    public struct InvalidParam: Sendable, Equatable {
        public var name: String
        public var code: String
        public var reason: String
    }

    public var status: Int
    /// A stable slug, e.g. `not-found`; the `type` is `urn:regie:problem:` + slug.
    public var slug: String
    public var title: String
    public var detail: String
    public var invalidParams: [InvalidParam]
    /// Extra headers, e.g. `WWW-Authenticate` or `Allow`.
    public var headers: [(String, String)]

    /// Creates a problem.
    public init(
        _ status: Int, _ slug: String, _ title: String, _ detail: String, invalidParams: [InvalidParam] = [],
        headers: [(String, String)] = []
    ) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.invalidParams = invalidParams
        self.headers = headers
    }

    public static func == (a: APIProblem, b: APIProblem) -> Bool {
        a.status == b.status && a.slug == b.slug && a.detail == b.detail && a.invalidParams == b.invalidParams
    }

    /// The JSON document.
    public func json(instance: String?) -> JSONValue {
        var o = JSONObject(pairs: [
            "type": .string("urn:regie:problem:\(slug)"), "title": .string(title), "status": .int(Int64(status)),
            "detail": .string(detail),
        ])
        if let instance { o["instance"] = .string(instance) }
        if !invalidParams.isEmpty {
            o["invalidParams"] = .array(
                invalidParams.map {
                    ["name": .string($0.name), "code": .string($0.code), "reason": .string($0.reason)]
                })
        }
        return .object(o)
    }

    // MARK: The problems the API answers with

    /// 400 for a malformed request, pointing at the parameter.
    static func invalid(_ name: String, _ reason: String, code: String = "invalid") -> APIProblem {
        APIProblem(
            400, "invalid-params", "A parameter is not valid", "\(name): \(reason)",
            invalidParams: [InvalidParam(name: name, code: code, reason: reason)])
    }

    static let unauthorized = APIProblem(
        401, "unauthorized", "No valid API key",
        "send a valid, unrevoked API key as `Authorization: Bearer rgk_...`; a functional administrator creates one with `regie partner key create PARTNER`",
        headers: [("WWW-Authenticate", "Bearer realm=\"regie\"")])

    static func notFound(_ what: String) -> APIProblem {
        APIProblem(404, "not-found", "Not found", what)
    }

    /// The same answer for a case that does not exist and one the caller may not see, so existence is not revealed.
    static func caseNotFound(_ id: String) -> APIProblem {
        notFound(
            "no case \"\(id)\" that you take part in; you see a case only while you take part in it or own its escalation level"
        )
    }
}
