internal import CCrypto
internal import Foundation

/// HMAC, hashing and random bytes from OpenSSL's libcrypto. Regie never implements cryptography itself.
public enum Crypto {
    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return out
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { sha256(UnsafeRawBufferPointer($0)) }
    }

    /// SHA-256 of the bytes at `data`.
    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            // `SHA256()` looks the algorithm up by name on every call, which costs as much as hashing a few hundred
            // bytes; the seals hash three times per transition, so the algorithm is looked up once.
            count = Int(SHA256Algorithm.digest(data, into: out))
        }
    }

    /// SHA-256 of the bytes at `data`, in lowercase hexadecimal: hashed into a buffer on the stack and written
    /// straight into the string (the seals make three of these per transition).
    public static func sha256Hex(_ data: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            let length = SHA256Algorithm.digest(data, into: digest)
            return hex(UnsafeBufferPointer(rebasing: digest[0..<Int(length)]))
        }
    }

    /// `count` cryptographically secure random bytes.
    /// - Throws: `CryptoError` if the generator cannot be seeded.
    public static func randomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else {
            throw CryptoError(description: "the system random generator failed; check that /dev/urandom is available")
        }
        return out
    }

    /// Compares two byte strings in time that depends only on their length.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
        }
    }

    /// Lowercase hexadecimal.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { hex($0) }
    }

    /// Lowercase hexadecimal of the bytes at `bytes`.
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Written straight into the string's storage: the seals make three of these per transition.
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = hexDigit(b >> 4)
                out[2 * i + 1] = hexDigit(b & 15)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// A failure of the cryptographic library.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Signatures in the manner of the Standard Webhooks specification: `v1,` + base64 of HMAC-SHA256 over
/// `id.timestamp.body`, with a secret shown as `whsec_` + base64.
public enum WebhookSignature {
    /// The prefix of a signing secret as partners see it.
    public static let secretPrefix = "whsec_"

    /// A new signing secret: `whsec_` + base64 of 32 random bytes.
    /// - Throws: `CryptoError` when the random generator fails.
    public static func newSecret() throws(CryptoError) -> String {
        secretPrefix + Data(try Crypto.randomBytes(32)).base64EncodedString()
    }

    /// The key bytes of a `whsec_` secret, or nil when it is not one.
    public static func key(of secret: String) -> [UInt8]? {
        guard secret.hasPrefix(secretPrefix), let data = Data(base64Encoded: String(secret.dropFirst(6))),
            !data.isEmpty
        else { return nil }
        return Array(data)
    }

    /// The signature of one message: `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")).
    public static func sign(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let content = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(Crypto.hmacSHA256(key: key, message: content)).base64EncodedString()
    }
}

/// Authenticated encryption (AES-256-GCM from libcrypto) for secrets that Regie must be able to use again, such as
/// webhook signing secrets: they are stored only sealed, under a key derived from the regional secret.
public enum SecretBox {
    /// Seals `plain` under a 32-byte key: base64 of a 12-byte random nonce, the ciphertext and the 16-byte tag.
    /// - Throws: `CryptoError` when the key has the wrong size or the library fails.
    public static func seal(_ plain: [UInt8], key: [UInt8]) throws(CryptoError) -> String {
        guard key.count == 32 else { throw CryptoError(description: "a sealing key has 32 bytes, not \(key.count)") }
        let nonce = try Crypto.randomBytes(12)
        var out = [UInt8](repeating: 0, count: plain.count + 16)
        var tag = [UInt8](repeating: 0, count: 16)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError(description: "cannot create a cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var length: Int32 = 0
        var total: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            plain.isEmpty || EVP_EncryptUpdate(ctx, &out, &length, plain, Int32(plain.count)) == 1
        else { throw CryptoError(description: "sealing failed") }
        total = length
        let finished = out.withUnsafeMutableBufferPointer { p in
            p.baseAddress.map { EVP_EncryptFinal_ex(ctx, $0 + Int(total), &length) } ?? 0
        }
        guard finished == 1, EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else {
            throw CryptoError(description: "sealing failed")
        }
        total += length
        return Data(nonce + out.prefix(Int(total)) + tag).base64EncodedString()
    }

    /// Opens what `seal` made under the same key.
    /// - Throws: `CryptoError` when the text is not sealed or was sealed under another key or altered.
    public static func open(_ sealed: String, key: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard key.count == 32, let data = Data(base64Encoded: sealed), data.count >= 28 else {
            throw CryptoError(description: "not a sealed secret")
        }
        let bytes = Array(data)
        let nonce = Array(bytes[0..<12])
        let cipher = Array(bytes[12..<(bytes.count - 16)])
        var tag = Array(bytes[(bytes.count - 16)...])
        var out = [UInt8](repeating: 0, count: cipher.count + 16)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError(description: "cannot create a cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1,
            cipher.isEmpty || EVP_DecryptUpdate(ctx, &out, &length, cipher, Int32(cipher.count)) == 1,
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1
        else { throw CryptoError(description: "the sealed secret cannot be opened") }
        let total = length
        let finished = out.withUnsafeMutableBufferPointer { p in
            p.baseAddress.map { EVP_DecryptFinal_ex(ctx, $0 + Int(total), &length) } ?? 0
        }
        guard finished == 1 else {
            throw CryptoError(description: "the sealed secret was altered or sealed under another key")
        }
        return Array(out.prefix(Int(total + length)))
    }
}

/// OpenSSL's SHA-256 implementation, fetched once. A fetched `EVP_MD` is immutable and may be used by many threads
/// at once; it lives as long as the process.
///
/// Each thread keeps one digest context and starts it afresh for every hash: `EVP_Digest` allocates, sets up and
/// frees a context per call, which took a third of the time of hashing a seal.
private final class SHA256Algorithm: Sendable {
    static let shared = SHA256Algorithm()
    nonisolated(unsafe) let md: OpaquePointer
    /// The key of each thread's context, freed when its thread ends.
    let context: pthread_key_t
    private init() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA-256") }
        self.md = md
        var key = pthread_key_t()
        guard pthread_key_create(&key, { EVP_MD_CTX_free(OpaquePointer($0)) }) == 0 else {
            fatalError("no thread-local key for the digest contexts")
        }
        context = key
    }

    /// Hashes `data` into `out` (32 bytes), on this thread's context. Returns the digest's length.
    static func digest(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) -> UInt32 {
        let algorithm = shared
        let ctx: OpaquePointer
        if let existing = pthread_getspecific(algorithm.context) {
            ctx = OpaquePointer(existing)
        } else {
            guard let made = EVP_MD_CTX_new() else { fatalError("libcrypto could not make a digest context") }
            pthread_setspecific(algorithm.context, UnsafeRawPointer(made))
            ctx = made
        }
        var length: UInt32 = 0
        guard
            EVP_DigestInit_ex2(ctx, algorithm.md, nil) == 1, EVP_DigestUpdate(ctx, data.baseAddress, data.count) == 1,
            out.count >= 32, EVP_DigestFinal_ex(ctx, out.baseAddress, &length) == 1
        else { fatalError("libcrypto could not compute SHA-256") }
        return length
    }
}
