import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client for tests that need to send exactly the bytes they choose, malformed ones included.
final class RawClient {
    let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:port; nil if refused.
    init?(port: Int, timeout: Double = 5) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard ok == 0 else {
            close(fd)
            return nil
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends bytes; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBufferPointer {
                Glibc.send(fd, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads more bytes; false at the end of the stream, on a reset, or after the receive timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, 65536, 0) }
        if n <= 0 { return false }
        pending += chunk[0..<n]
        return true
    }

    /// One response: status, lowercased headers and body; nil when the connection ends first.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        /// Every `Set-Cookie` field, in order (`headers` keeps one value per name).
        var setCookies: [String] = []
    }

    func readResponse() -> Response? {
        while true {
            if let end = headerEnd() {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
                var headers: [String: String] = [:]
                var setCookies: [String] = []
                for line in lines where !line.isEmpty {
                    if let colon = line.firstIndex(of: ":") {
                        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                        headers[line[..<colon].lowercased()] = value
                        if line[..<colon].lowercased() == "set-cookie" { setCookies.append(value) }
                    }
                }
                let length = status == 100 ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                while pending.count < end + 4 + length {
                    if !fill() { return nil }
                }
                let body = String(decoding: pending[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                pending.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body, setCookies: setCookies)
            }
            if !fill() { return nil }
        }
    }

    private func headerEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Whether the server closed the connection (reads the end of the stream within the timeout).
    func isClosed() -> Bool {
        while fill() {}
        return true
    }

    /// Reads until the end of the stream or the timeout; true only for an orderly close or a reset by the server.
    func closedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, 4096, 0) }
            if n > 0 { continue }
            if n == 0 { return true }
            return errno == ECONNRESET
        }
    }
}

extension RawClient {
    /// Sends a request on a kept-alive connection (made when there is none) and reads the answer, once more on a
    /// fresh connection if the kept one was closed meanwhile; forgets the connection when the server closes it.
    static func exchange(_ text: String, over client: inout RawClient?, port: Int) -> Response? {
        for _ in 0..<2 {
            if client == nil { client = RawClient(port: port) }
            if let c = client, c.send(text), let r = c.readResponse() {
                if r.headers["connection"] == "close" { client = nil }
                return r
            }
            client = nil
        }
        return nil
    }
}
