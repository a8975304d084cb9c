internal import CCurl
internal import Foundation
public import RegieEngine
internal import RegieCore

/// Blocking HTTP requests with libcurl, for the few the engine makes itself (the identity provider's discovery
/// document, its keys, the token exchange): HTTP(S) only, no redirects followed, short timeouts, answers up to
/// 1 MiB.
public struct CurlFetcher: HTTPFetching {
    let timeoutMs: Int

    public init(timeoutMs: Int = 5000) { self.timeoutMs = timeoutMs }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func fetch(_ request: FetchRequest) throws -> FetchResponse {
        _ = CurlSender.globalInit
        guard let easy = curl_easy_init() else { throw Failure(description: "libcurl cannot start a transfer") }
        defer { curl_easy_cleanup(easy) }
        let box = Body()
        let context = Unmanaged.passUnretained(box).toOpaque()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let url = strdup(request.url)
        defer { free(url) }
        let protocols = strdup("http,https")
        defer { free(protocols) }
        var body: UnsafeMutablePointer<CChar>?
        defer { free(body) }
        _ = regie_curl_set_pointer(easy, CURLOPT_URL, url)
        _ = regie_curl_set_pointer(easy, CURLOPT_PROTOCOLS_STR, protocols)
        _ = regie_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        _ = regie_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = regie_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs)
        _ = regie_curl_set_long(easy, CURLOPT_TIMEOUT_MS, timeoutMs)
        _ = regie_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = regie_curl_set_write(easy, fetchBody)
        _ = regie_curl_set_pointer(easy, CURLOPT_WRITEDATA, context)
        if let form = request.form {
            let encoded = form.map { "\($0.0.percentEncoded)=\($0.1.percentEncoded)" }.joined(separator: "&")
            body = strdup(encoded)
            _ = regie_curl_set_pointer(easy, CURLOPT_POSTFIELDS, body)
        }
        let result = curl_easy_perform(easy)
        guard result == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw Failure(description: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        }
        guard !box.tooLong else { throw Failure(description: "the answer is longer than 1 MiB") }
        var status = 0
        _ = regie_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return FetchResponse(status: status, body: box.bytes)
    }

    /// The answer read so far.
    final class Body {
        var bytes: [UInt8] = []
        var tooLong = false
    }
}

private func fetchBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let n = size * count
    guard let data, let context else { return n }
    let box = Unmanaged<CurlFetcher.Body>.fromOpaque(context).takeUnretainedValue()
    guard box.bytes.count + n <= 1 << 20 else {
        box.tooLong = true
        return 0
    }
    UnsafeRawBufferPointer(start: data, count: n).withMemoryRebound(to: UInt8.self) { box.bytes.append(contentsOf: $0) }
    return n
}
