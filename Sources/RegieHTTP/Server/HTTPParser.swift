/// A strict, incremental HTTP/1.1 request parser.
///
/// Fed the unconsumed bytes of a connection after each read, it answers that more bytes are needed, that a request
/// is complete (and how many bytes it used), or throws the status and reason for refusing the bytes. It keeps its
/// progress between calls, so a body arriving in many small reads is not parsed again from the start.
///
/// Strictness is the point: lines end in CRLF; no folded or malformed header fields; exactly one `Host` on
/// HTTP/1.1; at most one `Content-Length`, never together with `Transfer-Encoding`, which may only be `chunked`.
/// Anything a front proxy might read differently is refused, so no request can be smuggled past it.
struct HTTPParser {
    /// How the body of a request is framed.
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// The request line and header fields, once complete.
    struct Head {
        var method: String
        var target: String
        var minorVersion: Int
        var headers: HTTPHeaders
        var keepAlive: Bool
        var framing: Framing
        var expectContinue: Bool
        /// Bytes from the start of the request to the first byte of the body.
        var length: Int
    }

    /// What `step` found.
    enum Step {
        /// More bytes are needed. `head` is set once the header is complete (to answer `Expect: 100-continue`).
        case incomplete(head: Head?)
        /// A complete request and the number of bytes it used.
        case request(HTTPRequest, consumed: Int)
    }

    private enum ChunkPhase {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
    }

    let limits: ServerLimits
    private var head: Head?
    /// Where the request line ends, once seen.
    private var firstLineEnd: Int?
    /// How far the search for the end of the header has got.
    private var scanned = 0
    private var chunkPhase = ChunkPhase.size
    /// Offset of the next unparsed body byte (chunked framing).
    private var cursor = 0
    private var body: [UInt8] = []
    private var trailerBytes = 0
    private var trailerCount = 0

    init(limits: ServerLimits) {
        self.limits = limits
    }

    /// Whether a request has started (some of it has been parsed), for the timeouts.
    var inProgress: Bool { head != nil || scanned > 0 }

    /// Whether the request line and header fields are in.
    var headComplete: Bool { head != nil }

    /// Parses as far as `bytes` (the unconsumed bytes, starting at the request) allow.
    mutating func step(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Step {
        if head == nil {
            guard let h = try parseHead(bytes) else { return .incomplete(head: nil) }
            head = h
            cursor = h.length
        }
        guard let h = head else { return .incomplete(head: nil) }
        switch h.framing {
        case .none:
            return .request(finish(h, body: []), consumed: h.length)
        case .length(let n):
            guard bytes.count - h.length >= n else { return .incomplete(head: h) }
            let b = Array(bytes[h.length..<(h.length + n)])
            return .request(finish(h, body: b), consumed: h.length + n)
        case .chunked:
            guard let end = try parseChunks(bytes) else { return .incomplete(head: h) }
            let b = body
            return .request(finish(h, body: b), consumed: end)
        }
    }

    private mutating func finish(_ h: Head, body: [UInt8]) -> HTTPRequest {
        self = HTTPParser(limits: limits)
        return HTTPRequest(
            method: h.method, target: h.target, minorVersion: h.minorVersion, headers: h.headers, body: body,
            keepAlive: h.keepAlive)
    }

    // MARK: Head

    private mutating func parseHead(_ b: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Head? {
        // RFC 9112 2.2: ignore empty lines before the request line. They count toward the header limit.
        var start = 0
        while start + 1 < b.count, b[start] == 13, b[start + 1] == 10 { start += 2 }
        var i = max(start, scanned)
        var end: Int?
        while i < b.count {
            let c = b[i]
            if c == 10 {
                guard i > start, b[i - 1] == 13 else {
                    throw HTTPParseError(400, "a line of the request header ends in LF without CR; end lines with CRLF")
                }
                if firstLineEnd == nil { firstLineEnd = i - 1 }
                if i - 3 >= start, b[i - 3] == 13, b[i - 2] == 10 {
                    end = i + 1
                    break
                }
            } else if i > start, b[i - 1] == 13 {
                throw HTTPParseError(400, "a CR in the request header is not followed by LF")
            }
            i += 1
        }
        scanned = i
        if (firstLineEnd ?? b.count) - start > limits.maxRequestLine {
            throw HTTPParseError(414, "the request line is longer than \(limits.maxRequestLine) bytes; shorten the URL")
        }
        if (end ?? b.count) - start > limits.maxHeaderBytes {
            throw HTTPParseError(431, "the request header is larger than \(limits.maxHeaderBytes) bytes")
        }
        guard let end else { return nil }
        return try Self.parseHeadLines(b, start: start, end: end, limits: limits)
    }

    private static func parseHeadLines(
        _ b: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limits: ServerLimits
    ) throws(HTTPParseError) -> Head {
        // Every line up to the final empty one ends in CRLF; a CR is always followed by LF (checked while scanning).
        var lines: [Range<Int>] = []
        var lineStart = start
        var i = start
        while i < end - 2 {
            if b[i] == 13 {
                lines.append(lineStart..<i)
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        guard let first = lines.first else { throw HTTPParseError(400, "the request line is missing") }
        let (method, target, minor) = try parseRequestLine(b, first)
        var headers = HTTPHeaders()
        let fieldLines = lines.dropFirst()
        if fieldLines.count > limits.maxHeaderCount {
            throw HTTPParseError(431, "the request has more than \(limits.maxHeaderCount) header fields")
        }
        for line in fieldLines {
            let (name, value) = try parseField(b, line)
            headers.add(name, value)
        }
        if minor == 1 {
            let hosts = headers.values("host")
            if hosts.count != 1 {
                throw HTTPParseError(
                    400,
                    hosts.isEmpty
                        ? "an HTTP/1.1 request needs a Host header" : "the request has more than one Host header")
            }
        }
        let framing = try framing(headers, minor: minor)
        let connection = headers.values("connection").flatMap { $0.lowercased().split(separator: ",") }.map {
            $0.trimmingSpaces
        }
        let keepAlive = minor == 1 ? !connection.contains("close") : connection.contains("keep-alive")
        var expectContinue = false
        if let expect = headers["expect"] {
            guard expect.lowercased() == "100-continue" else {
                throw HTTPParseError(417, "Expect: \(expect) is not supported; only 100-continue is")
            }
            expectContinue = minor == 1
        }
        if case .length(let n) = framing, n > limits.maxBodyBytes {
            throw HTTPParseError(413, "the body is \(n) bytes; at most \(limits.maxBodyBytes) are accepted")
        }
        return Head(
            method: method, target: target, minorVersion: minor, headers: headers, keepAlive: keepAlive,
            framing: framing, expectContinue: expectContinue, length: end)
    }

    private static func parseRequestLine(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) throws(HTTPParseError) -> (
        String, String, Int
    ) {
        var parts: [Range<Int>] = []
        var s = r.lowerBound
        for i in r where b[i] == 32 {
            parts.append(s..<i)
            s = i + 1
        }
        parts.append(s..<r.upperBound)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw HTTPParseError(
                400, "the request line must be METHOD, one space, the target, one space, and HTTP/1.1")
        }
        for i in parts[0] where !isTokenByte(b[i]) {
            throw HTTPParseError(400, "the method contains a character that is not allowed")
        }
        let method = String(decoding: UnsafeBufferPointer(rebasing: b[parts[0]]), as: UTF8.self)
        guard b[parts[1].lowerBound] == UInt8(ascii: "/") else {
            throw HTTPParseError(400, "the request target must be a path starting with / (origin form)")
        }
        for i in parts[1] where b[i] < 0x21 || b[i] > 0x7E || b[i] == UInt8(ascii: "#") {
            throw HTTPParseError(400, "the request target contains a character that is not allowed; percent-encode it")
        }
        let target = String(decoding: UnsafeBufferPointer(rebasing: b[parts[1]]), as: UTF8.self)
        let version = String(decoding: UnsafeBufferPointer(rebasing: b[parts[2]]), as: UTF8.self)
        switch version {
        case "HTTP/1.1": return (method, target, 1)
        case "HTTP/1.0": return (method, target, 0)
        default:
            if version.hasPrefix("HTTP/"), version.count == 8 {
                throw HTTPParseError(505, "\(version) is not supported; use HTTP/1.1")
            }
            throw HTTPParseError(400, "the request line must end in HTTP/1.1")
        }
    }

    private static func parseField(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) throws(HTTPParseError) -> (
        String, String
    ) {
        guard let first = r.first, b[first] != 32, b[first] != 9 else {
            throw HTTPParseError(400, "a header line starts with whitespace (obsolete line folding is not accepted)")
        }
        guard let colon = r.first(where: { b[$0] == UInt8(ascii: ":") }) else {
            throw HTTPParseError(400, "a header line has no colon")
        }
        guard colon > r.lowerBound else { throw HTTPParseError(400, "a header field has an empty name") }
        for i in r.lowerBound..<colon where !isTokenByte(b[i]) {
            throw HTTPParseError(
                400, "a header field name contains a character that is not allowed (whitespace before the colon?)")
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[r.lowerBound..<colon]), as: UTF8.self)
        var vs = colon + 1
        var ve = r.upperBound
        while vs < ve, b[vs] == 32 || b[vs] == 9 { vs += 1 }
        while ve > vs, b[ve - 1] == 32 || b[ve - 1] == 9 { ve -= 1 }
        for i in vs..<ve where (b[i] < 0x20 && b[i] != 9) || b[i] == 0x7F {
            throw HTTPParseError(400, "header field \(name) contains a control character")
        }
        return (name.lowercased(), String(decoding: UnsafeBufferPointer(rebasing: b[vs..<ve]), as: UTF8.self))
    }

    private static func framing(_ headers: HTTPHeaders, minor: Int) throws(HTTPParseError) -> Framing {
        let lengths = headers.values("content-length")
        let encodings = headers.values("transfer-encoding")
        if !lengths.isEmpty && !encodings.isEmpty {
            throw HTTPParseError(400, "the request has both Content-Length and Transfer-Encoding; send one")
        }
        if lengths.count > 1 { throw HTTPParseError(400, "the request has more than one Content-Length") }
        if encodings.count > 1 { throw HTTPParseError(400, "the request has more than one Transfer-Encoding") }
        if let l = lengths.first {
            guard !l.isEmpty, l.count <= 18, l.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(l) else {
                throw HTTPParseError(400, "Content-Length must be a decimal number of bytes")
            }
            return n == 0 ? .none : .length(n)
        }
        if let e = encodings.first {
            if minor == 0 { throw HTTPParseError(400, "Transfer-Encoding is not allowed in HTTP/1.0") }
            let codings = e.lowercased().split(separator: ",").map { $0.trimmingSpaces }
            guard codings.last == "chunked" else {
                throw HTTPParseError(400, "Transfer-Encoding must end in chunked")
            }
            guard codings == ["chunked"] else {
                throw HTTPParseError(501, "only Transfer-Encoding: chunked is supported, not \(e)")
            }
            return .chunked
        }
        return .none
    }

    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    // MARK: Chunked body

    /// Decodes chunks from `cursor`; returns the end of the request once the last chunk and trailer are in.
    private mutating func parseChunks(_ b: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int? {
        while true {
            switch chunkPhase {
            case .size:
                guard let eol = try lineEnd(b, from: cursor, max: 1024, what: "chunk size line") else { return nil }
                let size = try chunkSize(b, cursor..<eol)
                cursor = eol + 2
                if size == 0 {
                    chunkPhase = .trailer
                } else {
                    if body.count + size > limits.maxBodyBytes {
                        throw HTTPParseError(413, "the body is larger than \(limits.maxBodyBytes) bytes")
                    }
                    chunkPhase = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, b.count - cursor)
                if available > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: b[cursor..<(cursor + available)]))
                    cursor += available
                }
                if available < remaining {
                    chunkPhase = .data(remaining: remaining - available)
                    return nil
                }
                chunkPhase = .dataEnd
            case .dataEnd:
                guard b.count - cursor >= 2 else { return nil }
                guard b[cursor] == 13, b[cursor + 1] == 10 else {
                    throw HTTPParseError(400, "a chunk's data is not followed by CRLF; check the chunk size")
                }
                cursor += 2
                chunkPhase = .size
            case .trailer:
                guard let eol = try lineEnd(b, from: cursor, max: limits.maxHeaderBytes, what: "trailer field") else {
                    return nil
                }
                if eol == cursor { return cursor + 2 }
                trailerBytes += eol - cursor + 2
                trailerCount += 1
                if trailerBytes > limits.maxHeaderBytes || trailerCount > limits.maxHeaderCount {
                    throw HTTPParseError(431, "the trailer fields are too large")
                }
                _ = try Self.parseField(b, cursor..<eol)
                cursor = eol + 2
            }
        }
    }

    private func lineEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int, max: Int, what: String) throws(HTTPParseError)
        -> Int?
    {
        var i = from
        while i < b.count {
            if b[i] == 10 { throw HTTPParseError(400, "a \(what) ends in LF without CR") }
            if b[i] == 13 {
                guard i + 1 < b.count else { return nil }
                guard b[i + 1] == 10 else { throw HTTPParseError(400, "a CR in a \(what) is not followed by LF") }
                return i
            }
            i += 1
            if i - from > max { throw HTTPParseError(400, "a \(what) is longer than \(max) bytes") }
        }
        return nil
    }

    private func chunkSize(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) throws(HTTPParseError) -> Int {
        var size = 0
        var i = r.lowerBound
        while i < r.upperBound, let d = HTTPRequest.hexValue(b[i]) {
            size = size * 16 + Int(d)
            if size > limits.maxBodyBytes {
                throw HTTPParseError(413, "a chunk is larger than the body limit of \(limits.maxBodyBytes) bytes")
            }
            i += 1
        }
        guard i > r.lowerBound else { throw HTTPParseError(400, "a chunk size is not a hexadecimal number") }
        while i < r.upperBound, b[i] == 32 || b[i] == 9 { i += 1 }
        if i < r.upperBound {
            guard b[i] == UInt8(ascii: ";") else {
                throw HTTPParseError(400, "a chunk size is followed by something other than an extension")
            }
            for j in (i + 1)..<r.upperBound where (b[j] < 0x20 && b[j] != 9) || b[j] == 0x7F {
                throw HTTPParseError(400, "a chunk extension contains a control character")
            }
        }
        return size
    }
}
