internal import Foundation
import Synchronization
internal import RegieCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// Resolves a webhook URL's host itself, drops the addresses the policy refuses, and pins the connection to the
/// addresses that remain (libcurl's `CURLOPT_RESOLVE`), so that DNS rebinding between the check and the connect
/// cannot send a delivery elsewhere.
final class TargetResolver: Sendable {
    /// Where a delivery may go: the pin for libcurl, nil when the URL names an address itself.
    struct Target: Equatable, Sendable {
        var pin: String?
    }

    let policy: AddressPolicy
    /// How long a name's checked addresses are reused.
    let cacheSeconds: UInt64
    private let cache = Mutex<[String: (result: Result<Target, Problem>, until: UInt64)]>([:])
    /// Resolves a name to addresses; getaddrinfo unless a test gives another.
    private let lookup: @Sendable (String) -> Result<[IPAddress], Problem>

    /// Why a URL cannot receive a delivery now.
    struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        var description: String
    }

    init(
        policy: AddressPolicy, cacheSeconds: UInt64 = 30,
        lookup: @escaping @Sendable (String) -> Result<[IPAddress], Problem> = TargetResolver.addresses(of:)
    ) {
        self.policy = policy
        self.cacheSeconds = cacheSeconds
        self.lookup = lookup
    }

    /// The target for `url`, or why there is none.
    func target(for url: String) -> Result<Target, Problem> {
        guard let (host, port) = WebhookEndpoint.hostAndPort(of: url) else {
            return .failure(Problem(description: "\(url) is not a usable URL"))
        }
        if let literal = IPAddress(host) {
            if let refusal = policy.refusal(for: literal) { return .failure(refused(host, [(literal, refusal)])) }
            return .success(Target(pin: nil))
        }
        let key = "\(host):\(port)"
        let now = DispatchTime.now().uptimeNanoseconds
        if let hit = cache.withLock({ $0[key] }), hit.until > now { return hit.result }
        let result = check(host: host, port: port)
        cache.withLock { $0[key] = (result, now + cacheSeconds * 1_000_000_000) }
        return result
    }

    private func check(host: String, port: Int) -> Result<Target, Problem> {
        let addresses: [IPAddress]
        switch lookup(host) {
        case .failure(let p): return .failure(p)
        case .success(let a): addresses = a
        }
        var refused: [(IPAddress, AddressPolicy.Refusal)] = []
        var allowed: [IPAddress] = []
        for a in addresses {
            if let r = policy.refusal(for: a) { refused.append((a, r)) } else { allowed.append(a) }
        }
        guard !allowed.isEmpty else { return .failure(self.refused(host, refused)) }
        let list = allowed.map { $0.isV4 ? $0.description : "[\($0)]" }.joined(separator: ",")
        return .success(Target(pin: "\(host):\(port):\(list)"))
    }

    private func refused(_ host: String, _ addresses: [(IPAddress, AddressPolicy.Refusal)]) -> Problem {
        let what = addresses.map { "\($0.0) (\($0.1.rawValue))" }.joined(separator: ", ")
        return Problem(
            description:
                "refused: \(host) is \(what), which may not receive webhooks; add the network to allowedNetworks in Config/webhooks.json if this partner is really there"
        )
    }

    /// The addresses a name resolves to, by getaddrinfo.
    static func addresses(of host: String) -> Result<[IPAddress], Problem> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            return .failure(Problem(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var next = list
        while let ai = next {
            if let sa = ai.pointee.ai_addr {
                var bytes: [UInt8] = []
                if ai.pointee.ai_family == AF_INET {
                    var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    bytes = withUnsafeBytes(of: &a) { Array($0) }
                } else if ai.pointee.ai_family == AF_INET6 {
                    var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    bytes = withUnsafeBytes(of: &a) { Array($0) }
                }
                if !bytes.isEmpty, !out.contains(where: { $0.bytes == bytes }) { out.append(IPAddress(bytes: bytes)) }
            }
            next = ai.pointee.ai_next
        }
        if out.isEmpty { return .failure(Problem(description: "\(host) resolves to no address")) }
        return .success(out)
    }
}
