internal import CCrypto
internal import Foundation

/// Password hashing and one-time passwords: the pieces a person's login stands on (issue "People").
extension Crypto {
    /// The memory-hard key derivation scrypt (RFC 7914), from libcrypto's `EVP_PBE_scrypt`.
    /// - Parameters:
    ///   - n: the CPU and memory cost, a power of two; memory used is about `128 * n * r` bytes.
    ///   - r: the block size.
    ///   - p: the parallelism.
    /// - Throws: `CryptoError` when libcrypto refuses the parameters (`n` not a power of two, or too much memory).
    public static func scrypt(
        password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int
    ) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        // Room for the work area with some to spare; libcrypto refuses anything above it.
        let maxMemory = 128 * n * r * (p + 2) + 1 << 20
        let ok = password.withUnsafeBytes { pw in
            salt.withUnsafeBufferPointer { s in
                EVP_PBE_scrypt(
                    pw.baseAddress?.assumingMemoryBound(to: CChar.self), pw.count, s.baseAddress, s.count, n, r, p,
                    maxMemory, &out, length)
            }
        }
        guard ok == 1 else {
            throw CryptoError(
                description: "scrypt refused N=\(n), r=\(r), p=\(p): N must be a power of two above 1 and fit in memory"
            )
        }
        return out
    }

    /// The hash functions an HMAC-based one-time password may use (RFC 6238).
    public enum HashFunction: String, Sendable, CaseIterable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"
    }

    /// HMAC of `message` under `key` with `hash`.
    public static func hmac(_ hash: HashFunction, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md: OpaquePointer? =
            switch hash {
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            case .sha512: EVP_sha512()
            }
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(md, k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }
}

/// A password kept as its scrypt hash: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (salt and hash in base64), so that
/// the work factor of each hash travels with it and can be raised later.
public enum PasswordHash {
    /// Hashes `password` with a fresh 16-byte salt at N = 2^`cost`, r = 8, p = 1.
    /// - Throws: `CryptoError` when the system's random generator or libcrypto fails.
    public static func make(_ password: String, cost: Int = 15) throws(CryptoError) -> String {
        let salt = try Crypto.randomBytes(16)
        let hash = try Crypto.scrypt(
            password: Array(password.utf8), salt: salt, n: 1 << UInt64(cost), r: 8, p: 1, length: 32)
        return "scrypt$\(cost)$8$1$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` is the one `stored` was made from; false for anything that is not such a hash. Compares
    /// in constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let cost = Int(parts[1]), (10...22).contains(cost),
            let r = UInt64(parts[2]), (1...32).contains(r), let p = UInt64(parts[3]), (1...16).contains(p),
            let salt = Data(base64Encoded: parts[4]).map(Array.init),
            let expected = Data(base64Encoded: parts[5]).map(Array.init), expected.count >= 16,
            let hash = try? Crypto.scrypt(
                password: Array(password.utf8), salt: salt, n: 1 << UInt64(cost), r: r, p: p, length: expected.count)
        else { return false }
        return Crypto.constantTimeEquals(hash, expected)
    }
}
