import RegieCore

/// What the workspace reads from a request: its cookies and the fields of a submitted form.
extension HTTPRequest {
    /// The cookies the browser sent, by name (the first of each name).
    var cookies: [String: String] {
        var out: [String: String] = [:]
        for header in headers.values("cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = String(parts[0].trimmingSpaces)
                if out[name] == nil { out[name] = String(parts[1].trimmingSpaces) }
            }
        }
        return out
    }

    /// The fields of an `application/x-www-form-urlencoded` body, percent-decoded; nil when the body is not one.
    var form: [String: String]? {
        guard let type = headers["content-type"]?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        else { return nil }
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0])
            if out[name] == nil { out[name] = parts.count > 1 ? Self.percentDecoded(parts[1]) : "" }
        }
        return out
    }
}

/// A cookie for the workspace's responses: always `HttpOnly` and `Path=/`, `SameSite=Strict` but for one; `Secure` (and the
/// `__Host-` prefix, which browsers only accept with it) unless the server runs on loopback for development.
struct WebCookie {
    let name: String
    let secure: Bool
    /// `Strict`, except for the cookie that must come back with the identity provider's redirect (`Lax`).
    var sameSite = "Strict"

    /// The name the browser keeps it under.
    var wireName: String { secure ? "__Host-\(name)" : name }

    /// The cookie's value in a request.
    func value(in request: HTTPRequest) -> String? { request.cookies[wireName] }

    /// Sets the cookie for the browser's session (no expiry: the server ends the session).
    func set(_ value: String) -> String {
        "\(wireName)=\(value); Path=/; HttpOnly; SameSite=\(sameSite)" + (secure ? "; Secure" : "")
    }

    /// Removes it.
    func clear() -> String {
        "\(wireName)=; Path=/; Max-Age=0; HttpOnly; SameSite=\(sameSite)" + (secure ? "; Secure" : "")
    }
}
