internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16).
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or IPv6 text; nil when it is neither.
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// An address from its 4 or 16 bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    public var isV4: Bool { bytes.count == 4 }

    /// The usual text form.
    public var description: String {
        var buffer = [UInt8](repeating: 0, count: 64)
        var copy = bytes
        let family = isV4 ? AF_INET : AF_INET6
        _ = copy.withUnsafeMutableBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                out.withMemoryRebound(to: CChar.self) { inet_ntop(family, raw.baseAddress, $0.baseAddress, 64) }
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Whether the first `bits` bits equal those of `other` (of the same family).
    func hasPrefix(_ other: [UInt8], bits: Int) -> Bool {
        guard other.count == bytes.count, bits <= bytes.count * 8 else { return false }
        for i in 0..<(bits / 8) where bytes[i] != other[i] { return false }
        let rest = bits % 8
        if rest > 0 {
            let mask = UInt8(0xFF) << (8 - rest)
            if bytes[bits / 8] & mask != other[bits / 8] & mask { return false }
        }
        return true
    }
}

/// A network such as `10.0.0.0/8` or `fd00::/8`.
public struct Network: Sendable, Equatable, CustomStringConvertible {
    public let address: IPAddress
    public let bits: Int

    /// Parses `ADDRESS/BITS` (or a single address).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = IPAddress(String(first)) else { return nil }
        let max = a.bytes.count * 8
        if parts.count == 2 {
            guard let b = Int(parts[1]), (0...max).contains(b) else { return nil }
            bits = b
        } else {
            bits = max
        }
        address = a
    }

    public func contains(_ a: IPAddress) -> Bool { a.hasPrefix(address.bytes, bits: bits) }

    public var description: String { "\(address)/\(bits)" }
}

/// Which addresses a webhook may be delivered to (protection against server-side request forgery).
///
/// Loopback, link-local, private, shared (CGNAT), multicast, reserved and IPv4-mapped IPv6 addresses are refused
/// unless an allowed network in `Config/webhooks.json` contains them: partners on a government network need that.
public struct AddressPolicy: Sendable {
    /// Why an address is refused.
    public enum Refusal: String, Sendable, Equatable {
        case loopback, linkLocal = "link-local", privateNetwork = "private", sharedCGNAT = "shared (CGNAT)"
        case multicast, reserved, ipv4Mapped = "IPv4-mapped IPv6", unspecified
    }

    /// Networks that are allowed even though their class is refused.
    public var allowed: [Network]

    /// A policy with an allow-list.
    public init(allowed: [Network] = []) { self.allowed = allowed }

    /// Nil when a delivery may go to `address`; otherwise why not.
    public func refusal(for address: IPAddress) -> Refusal? {
        if allowed.contains(where: { $0.contains(address) }) { return nil }
        return Self.classify(address)
    }

    private static let v4: [(Network, Refusal)] = table([
        ("0.0.0.0/8", .unspecified), ("10.0.0.0/8", .privateNetwork), ("100.64.0.0/10", .sharedCGNAT),
        ("127.0.0.0/8", .loopback), ("169.254.0.0/16", .linkLocal), ("172.16.0.0/12", .privateNetwork),
        ("192.0.0.0/24", .reserved), ("192.0.2.0/24", .reserved), ("192.88.99.0/24", .reserved),
        ("192.168.0.0/16", .privateNetwork), ("198.18.0.0/15", .reserved), ("198.51.100.0/24", .reserved),
        ("203.0.113.0/24", .reserved), ("224.0.0.0/4", .multicast), ("240.0.0.0/4", .reserved),
    ])

    private static let v6: [(Network, Refusal)] = table([
        ("::/128", .unspecified), ("::1/128", .loopback), ("::ffff:0:0/96", .ipv4Mapped), ("::/96", .reserved),
        ("64:ff9b::/96", .reserved), ("64:ff9b:1::/48", .reserved), ("100::/64", .reserved), ("2001::/32", .reserved),
        ("2001:db8::/32", .reserved), ("2002::/16", .reserved), ("fc00::/7", .privateNetwork),
        ("fe80::/10", .linkLocal), ("fec0::/10", .reserved), ("ff00::/8", .multicast),
    ])

    private static func table(_ rows: [(String, Refusal)]) -> [(Network, Refusal)] {
        rows.compactMap { row in Network(row.0).map { ($0, row.1) } }
    }

    /// The class of a special-purpose address, nil for a global unicast one.
    public static func classify(_ address: IPAddress) -> Refusal? {
        (address.isV4 ? v4 : v6).first { $0.0.contains(address) }?.1
    }
}
