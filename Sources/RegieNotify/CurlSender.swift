internal import CCurl
internal import Foundation

/// Sends HTTP POSTs with libcurl's multi interface: many at once on one thread, reusing connections.
///
/// Every transfer is strict: no redirects are followed, only http and https, no proxy from the environment (a proxy
/// would bypass the address check), a connect timeout and a total timeout, and at most 1 KiB of the answer kept.
/// Use one sender from one thread; only `wake` may be called from another.
///
/// `@unchecked Sendable` because it owns libcurl's multi handle and its easy handles, which are not thread-safe:
/// the deliverer's loop is their one user, and `wake` (curl_multi_wakeup, documented as callable from any thread)
/// is all another thread may call.
final class CurlSender: @unchecked Sendable {
    /// One POST to make.
    struct Transfer {
        /// The caller's handle for the transfer, returned with its response.
        var token: Int64
        var url: String
        /// Pins the host to checked addresses (`CURLOPT_RESOLVE`, "host:port:address"); nil for an address URL.
        var pin: String?
        var headers: [String]
        var body: [UInt8]
    }

    /// What came of a transfer.
    struct Response {
        var token: Int64
        /// The HTTP status; nil when no answer came.
        var status: Int?
        /// What went wrong at the transport level (refused, timed out, reset), nil when an answer came.
        var error: String?
        var durationMs: Int64
        /// At most `responseLimit` bytes of the answer's body.
        var body: String?
        /// The answer's `Retry-After`, in seconds.
        var retryAfterSeconds: Int64?
    }

    /// The most of an answer's body that is kept for the delivery log.
    static let responseLimit = 1024
    /// An answer longer than this is cut off (the status counts; the connection is not reused).
    static let readLimit = 1 << 20

    private let multi: UnsafeMutableRawPointer
    private var pending: [UnsafeMutableRawPointer: TransferState] = [:]
    private var spare: [UnsafeMutableRawPointer] = []
    private let connectTimeoutMs: Int
    private let timeoutMs: Int

    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// - Parameter connections: the most connections kept open (and so the most transfers at once that make sense).
    init(connections: Int, connectTimeoutMs: Int, timeoutMs: Int) {
        Self.globalInit
        multi = curl_multi_init()
        self.connectTimeoutMs = connectTimeoutMs
        self.timeoutMs = timeoutMs
        regie_curl_multi_set_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections)
        regie_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, connections)
    }

    deinit {
        for (easy, _) in pending {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
        }
        spare.forEach { curl_easy_cleanup($0) }
        curl_multi_cleanup(multi)
    }

    /// Transfers under way.
    var active: Int { pending.count }

    /// Starts a transfer, which progresses in `poll`; false when libcurl cannot (it is out of memory).
    func start(_ t: Transfer) -> Bool {
        guard let easy = spare.popLast() ?? curl_easy_init() else { return false }
        curl_easy_reset(easy)
        let p = TransferState(token: t.token)
        for h in t.headers + ["Content-Type: application/json", "Expect:", "User-Agent: Regie-Webhooks/1"] {
            p.headers = curl_slist_append(p.headers, h)
        }
        if let pin = t.pin { p.resolve = curl_slist_append(nil, pin) }
        t.url.withCString { _ = regie_curl_set_pointer(easy, CURLOPT_URL, $0) }
        "http,https".withCString { _ = regie_curl_set_pointer(easy, CURLOPT_PROTOCOLS_STR, $0) }
        "".withCString { _ = regie_curl_set_pointer(easy, CURLOPT_PROXY, $0) }
        regie_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        regie_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        regie_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs)
        regie_curl_set_long(easy, CURLOPT_TIMEOUT_MS, timeoutMs)
        regie_curl_set_long(easy, CURLOPT_POST, 1)
        regie_curl_set_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t.body.count))
        t.body.withUnsafeBytes { _ = regie_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        regie_curl_set_pointer(easy, CURLOPT_HTTPHEADER, p.headers)
        if let resolve = p.resolve { regie_curl_set_pointer(easy, CURLOPT_RESOLVE, resolve) }
        regie_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, p.errorBuffer)
        regie_curl_set_write(easy, collectBody)
        regie_curl_set_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(p).toOpaque())
        pending[easy] = p
        curl_multi_add_handle(multi, easy)
        return true
    }

    /// Moves the transfers on, waiting up to `timeoutMs` for something to happen on them, on `extra` (a descriptor
    /// the caller watches too) or for `wake`; returns the transfers that finished.
    func poll(timeoutMs: Int, extra: Int32? = nil) -> [Response] {
        var running: Int32 = 0
        curl_multi_perform(multi, &running)
        var done = collect()
        if done.isEmpty {
            var fds = [curl_waitfd]()
            if let extra { fds.append(curl_waitfd(fd: extra, events: Int16(CURL_WAIT_POLLIN), revents: 0)) }
            fds.withUnsafeMutableBufferPointer { buffer in
                _ = curl_multi_poll(multi, buffer.baseAddress, UInt32(buffer.count), Int32(clamping: timeoutMs), nil)
            }
            curl_multi_perform(multi, &running)
            done = collect()
        }
        return done
    }

    /// Ends a `poll` that is waiting, from any thread.
    func wake() { curl_multi_wakeup(multi) }

    private func collect() -> [Response] {
        var out: [Response] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let p = pending.removeValue(forKey: easy)
            else { continue }
            let result = regie_curl_message_result(message)
            out.append(response(easy, p, result))
            curl_multi_remove_handle(multi, easy)
            if spare.count < 256 { spare.append(easy) } else { curl_easy_cleanup(easy) }
        }
        return out
    }

    private func response(_ easy: UnsafeMutableRawPointer, _ p: TransferState, _ result: CURLcode) -> Response {
        var code = 0
        regie_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &code)
        var retryAfter: curl_off_t = 0
        regie_curl_get_off_t(easy, CURLINFO_RETRY_AFTER, &retryAfter)
        let elapsed = Int64((DispatchTime.now().uptimeNanoseconds - p.started) / 1_000_000)
        var r = Response(
            token: p.token, status: code > 0 ? code : nil, error: nil, durationMs: elapsed,
            body: p.body.isEmpty ? nil : String(decoding: p.body, as: UTF8.self),
            retryAfterSeconds: code > 0 && retryAfter > 0 ? Int64(retryAfter) : nil)
        if result != CURLE_OK && code == 0 {
            let detail = String(cString: p.errorBuffer)
            r.error = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
        }
        return r
    }
}

/// Keeps the first bytes of an answer's body and reads the rest away, up to `CurlSender.readLimit`.
private func collectBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let n = size * count
    guard let data, let context else { return n }
    let p = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return p.take(data, n)
}

/// What a transfer under way needs kept alive: its header lists, error buffer, and the answer read so far.
private final class TransferState {
    let token: Int64
    let started = DispatchTime.now().uptimeNanoseconds
    var headers: UnsafeMutablePointer<curl_slist>?
    var resolve: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var received = 0
    /// Where libcurl writes a readable error; it must stay put while the transfer runs.
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(token: Int64) {
        self.token = token
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        curl_slist_free_all(headers)
        curl_slist_free_all(resolve)
    }

    /// Takes `n` bytes of the answer's body; returns fewer than `n` (ending the transfer) past the read limit.
    func take(_ data: UnsafeMutablePointer<CChar>, _ n: Int) -> Int {
        received += n
        if received > CurlSender.readLimit { return 0 }
        let room = CurlSender.responseLimit - body.count
        if room > 0 {
            UnsafeRawBufferPointer(start: data, count: min(room, n)).withMemoryRebound(to: UInt8.self) {
                body.append(contentsOf: $0)
            }
        }
        return n
    }
}
