/// A response to send: status, headers and the whole body. `Content-Length`, `Connection` and `Date` are added
/// when it is written.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]),
            body: Array(text.utf8))
    }

    /// The bytes on the wire.
    func serialized(keepAlive: Bool, date: String, head: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers where name != "content-length" && name != "connection" {
            text += Self.displayName(name) + ": " + value + "\r\n"
        }
        let noBody = status == 204 || status == 304 || (100..<200).contains(status)
        if !noBody { text += "Content-Length: \(body.count)\r\n" }
        if !date.isEmpty { text += "Date: \(date)\r\n" }
        text += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        var out = Array(text.utf8)
        if !noBody && !head { out += body }
        return out
    }

    /// `content-type` as `Content-Type`, for readers of traces; HTTP itself does not care.
    static func displayName(_ lower: String) -> String {
        if lower == "api-version" { return "API-Version" }
        if lower == "etag" { return "ETag" }
        var out = ""
        var upper = true
        for c in lower {
            out.append(upper ? Character(c.uppercased()) : c)
            upper = c == "-"
        }
        return out
    }

    /// The reason phrase of a status code.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}
