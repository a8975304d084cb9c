/// Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), as authenticator apps compute them: the second factor
/// of a person's login.
public struct TOTP: Sendable, Equatable {
    /// The shared secret.
    public let secret: [UInt8]
    public let digits: Int
    /// Seconds per time step.
    public let period: Int64
    public let algorithm: Crypto.HashFunction

    /// A generator for a secret; the defaults are what every authenticator app supports.
    public init(secret: [UInt8], digits: Int = 6, period: Int64 = 30, algorithm: Crypto.HashFunction = .sha1) {
        self.secret = secret
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// The time step that `unixSeconds` falls in.
    public func step(at unixSeconds: Int64) -> Int64 { unixSeconds >= 0 ? unixSeconds / period : -1 }

    /// The code for a time step (HOTP with the step as counter).
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Crypto.hmac(algorithm, key: secret, message: message)
        // Dynamic truncation: four bytes at the offset the last nibble names, without the sign bit.
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The code at a moment.
    public func code(at unixSeconds: Int64) -> String { code(step: step(at: unixSeconds)) }

    /// The time step whose code `given` is, within `window` steps either side of `unixSeconds` (clocks drift), or nil.
    /// The caller refuses a step at or before the last one it accepted, so that a code is never used twice.
    public func matchingStep(_ given: String, at unixSeconds: Int64, window: Int64 = 1) -> Int64? {
        guard given.utf8.count == digits, given.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let now = step(at: unixSeconds)
        for s in (now - window)...(now + window) where s >= 0 {
            if Crypto.constantTimeEquals(Array(code(step: s).utf8), Array(given.utf8)) { return s }
        }
        return nil
    }

    /// The secret in Base32 (RFC 4648, no padding), as authenticator apps take it.
    public var base32Secret: String { Base32.encode(secret) }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    public func provisioningURI(account: String, issuer: String) -> String {
        func escaped(_ s: String) -> String {
            var out = ""
            for b in s.utf8 {
                switch b {
                case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(.init(b))
                default:
                    let hex = Array("0123456789ABCDEF".unicodeScalars)
                    out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
                }
            }
            return out
        }
        return "otpauth://totp/\(escaped(issuer)):\(escaped(account))?secret=\(base32Secret)&issuer=\(escaped(issuer))"
            + "&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(period)"
    }
}

/// Base32 (RFC 4648) without padding, for one-time-password secrets.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The Base32 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | UInt32(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of Base32 text (case, spaces and padding ignored), or nil when it holds another character.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for c in text.uppercased().utf8 where c != UInt8(ascii: "=") && c != UInt8(ascii: " ") {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }
}
