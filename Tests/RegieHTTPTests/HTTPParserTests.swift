import Testing

@testable import RegieHTTP

/// Parses `text` (in one piece, or in the given piece sizes) and returns the steps' outcome.
private func parse(_ bytes: [UInt8], limits: ServerLimits = ServerLimits()) -> Result<[HTTPRequest], HTTPParseError> {
    var parser = HTTPParser(limits: limits)
    var requests: [HTTPRequest] = []
    var start = 0
    while true {
        let step: HTTPParser.Step
        do throws(HTTPParseError) {
            step = try bytes.withUnsafeBufferPointer { p throws(HTTPParseError) in
                try parser.step(UnsafeBufferPointer(rebasing: p[start...]))
            }
        } catch {
            return .failure(error)
        }
        switch step {
        case .incomplete: return .success(requests)
        case .request(let r, let consumed):
            requests.append(r)
            start += consumed
            if start == bytes.count { return .success(requests) }
        }
    }
}

private func parse(_ text: String, limits: ServerLimits = ServerLimits()) -> Result<[HTTPRequest], HTTPParseError> {
    parse(Array(text.utf8), limits: limits)
}

/// The status a malformed request gets, or nil when it parses.
private func status(_ text: String, limits: ServerLimits = ServerLimits()) -> Int? {
    if case .failure(let e) = parse(text, limits: limits) { return e.status }
    return nil
}

@Suite struct HTTPParserTests {
    @Test func parsesARequestWithQueryAndHeaders() throws {
        let r = try parse("GET /v1/cases?state=open&level=2&q=a%20b HTTP/1.1\r\nHost: x\r\nX-Y:  z \r\n\r\n").get()
        #expect(r.count == 1)
        #expect(r[0].method == "GET")
        #expect(r[0].path == "/v1/cases")
        #expect(r[0].query.map(\.name) == ["state", "level", "q"])
        #expect(r[0].query.last?.value == "a b")
        #expect(r[0].headers["x-y"] == "z")
        #expect(r[0].keepAlive)
    }

    @Test func parsesPipelinedRequestsAndBodies() throws {
        let text =
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
            + "GET /c HTTP/1.0\r\n\r\n"
        let r = try parse(text).get()
        #expect(r.map(\.path) == ["/a", "/b", "/c"])
        #expect(String(decoding: r[0].body, as: UTF8.self) == "hello")
        #expect(String(decoding: r[1].body, as: UTF8.self) == "abcde")
        #expect(r[2].keepAlive == false)
    }

    @Test func waitsForTheRestOfABody() throws {
        let r = try parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello").get()
        #expect(r.isEmpty)
    }

    @Test func givesTheSameResultWhateverTheReadsSizes() throws {
        let text = Array(
            ("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n"
                + "GET /c?x=1 HTTP/1.1\r\nHost: y\r\n\r\n").utf8)
        let whole = try parse(text).get()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var parser = HTTPParser(limits: ServerLimits())
            var available = 0
            var start = 0
            var got: [HTTPRequest] = []
            while available < text.count {
                available = min(text.count, available + Int.random(in: 1...7, using: &generator))
                while true {
                    let step = try text.withUnsafeBufferPointer { p in
                        try parser.step(UnsafeBufferPointer(rebasing: p[start..<available]))
                    }
                    guard case .request(let r, let consumed) = step else { break }
                    got.append(r)
                    start += consumed
                }
            }
            #expect(got.map(\.target) == whole.map(\.target))
            #expect(got.map(\.body) == whole.map(\.body))
        }
    }

    @Test func refusesMalformedRequestsWithTheirStatus() {
        let cases: [(String, Int)] = [
            ("GET / HTTP/1.1\nHost: x\n\n", 400),  // bare LF
            ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),  // obsolete line folding
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),  // whitespace before the colon
            ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{1}b\r\n\r\n", 400),  // control character
            ("GET / HTTP/1.1\r\n\r\n", 400),  // no Host
            ("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),  // two Hosts
            ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  // two spaces
            ("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),  // absolute form
            ("GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400),
            ("POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n", 413),
            ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 17000) + "\r\n\r\n", 431),
            ("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X: y\r\n", count: 101) + "\r\n", 431),
        ]
        for (text, expected) in cases {
            #expect(status(text) == expected, "\(text.prefix(80).debugDescription)")
        }
    }

    @Test func refusesAnOverlongLineBeforeItEnds() {
        // The limits apply while bytes arrive, so a client cannot make the server buffer without bound.
        #expect(status("GET /" + String(repeating: "a", count: 9000)) == 414)
        #expect(status("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17000)) == 431)
    }

    @Test func survivesArbitraryBytes() {
        // Random bytes, and valid requests with random bytes changed, fed in random pieces: every outcome is a
        // request, a wait for more, or a refusal; never a crash or a hang.
        var generator = SystemRandomNumberGenerator()
        let seeds = [
            "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /v1/cases?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
        ].map { Array($0.utf8) }
        let alphabet = Array("\r\n :;0123456789abcdefGET/HTTP1.-\t".utf8) + [0, 0x7F, 0xFF]
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator) ?? 0
                }
            } else {
                bytes = seeds[round % 2]
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let i = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: bytes[i] = alphabet.randomElement(using: &generator) ?? 0
                    case 1: bytes.remove(at: i)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: i)
                    }
                }
            }
            var parser = HTTPParser(limits: ServerLimits())
            var start = 0
            var available = 0
            feeding: while available < bytes.count {
                available = min(bytes.count, available + Int.random(in: 1...16, using: &generator))
                while start <= available {
                    let step: HTTPParser.Step
                    do throws(HTTPParseError) {
                        step = try bytes.withUnsafeBufferPointer { p throws(HTTPParseError) in
                            try parser.step(UnsafeBufferPointer(rebasing: p[start..<available]))
                        }
                    } catch {
                        #expect([400, 413, 414, 417, 431, 501, 505].contains(error.status))
                        break feeding
                    }
                    guard case .request(_, let consumed) = step else { break }
                    #expect(consumed > 0)
                    start += consumed
                }
            }
        }
    }
}
