/// One outbound HTTP request the engine makes itself (the region's identity provider), and its answer.
public struct FetchRequest: Sendable {
    public var url: String
    /// An `application/x-www-form-urlencoded` body to POST; nil: GET.
    public var form: [(String, String)]?

    public init(url: String, form: [(String, String)]? = nil) {
        self.url = url
        self.form = form
    }
}

public struct FetchResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// How the engine reaches other servers (libcurl in `regie serve`; see RegieNotify's `CurlFetcher`).
public protocol HTTPFetching: Sendable {
    /// Sends the request and waits for the whole answer.
    /// - Throws: an error saying what failed (no connection, a timeout, a refused protocol).
    func fetch(_ request: FetchRequest) throws -> FetchResponse
}
