internal import CCrypto
internal import Foundation

/// A JSON Web Token in compact form (RFC 7519), split and decoded, its signature not yet checked.
public struct JWT: Sendable {
    /// The header and the claims, as JSON text.
    public let headerJSON: [UInt8]
    public let payloadJSON: [UInt8]
    /// What the signature covers: `header.payload` as sent.
    public let signingInput: [UInt8]
    public let signature: [UInt8]

    /// Splits a compact token.
    /// - Throws: `CryptoError` when it is not three base64url parts.
    public init(compact: String) throws(CryptoError) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw CryptoError(description: "the token is not a compact JWT (three base64url parts)") }
        headerJSON = header
        payloadJSON = payload
        signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }
}

/// A public key from a JSON Web Key (RFC 7517): RSA (`n`, `e`) for RS256, or EC P-256 (`x`, `y`) for ES256.
///
/// A value: it keeps the key's parameters, checked when it is made, and builds libcrypto's key only for the time of
/// a verification (once per login), so no C handle outlives a call and nothing is shared between threads.
public struct JWKPublicKey: Sendable {
    private enum Parameters: Sendable {
        case rsa(n: [UInt8], e: [UInt8])
        case p256(point: [UInt8])
    }

    private let parameters: Parameters
    /// `RS256` or `ES256`: the one algorithm this key verifies.
    public let algorithm: String

    /// An RSA key from its modulus and exponent (big-endian bytes).
    /// - Throws: `CryptoError` when it is shorter than 2048 bits or not a valid key.
    public init(rsaModulus n: [UInt8], exponent e: [UInt8]) throws(CryptoError) {
        guard n.count >= 256 else { throw CryptoError(description: "an RSA key for RS256 needs at least 2048 bits") }
        parameters = .rsa(n: n, e: e)
        algorithm = "RS256"
        EVP_PKEY_free(try makeKey())
    }

    /// A P-256 key from its coordinates (32 bytes each).
    /// - Throws: `CryptoError` when the point is not on the curve.
    public init(p256X x: [UInt8], y: [UInt8]) throws(CryptoError) {
        guard x.count == 32, y.count == 32 else {
            throw CryptoError(description: "a P-256 key has coordinates of 32 bytes")
        }
        parameters = .p256(point: [UInt8(4)] + x + y)
        algorithm = "ES256"
        EVP_PKEY_free(try makeKey())
    }

    /// libcrypto's key for these parameters; the caller frees it.
    private func makeKey() throws(CryptoError) -> OpaquePointer {
        switch parameters {
        case .rsa(let n, let e): try Self.fromData("RSA", numbers: [("n", n), ("e", e)])
        case .p256(let point): try Self.fromData("EC", text: [("group", "prime256v1")], octets: [("pub", point)])
        }
    }

    /// A public key of `type` from named parameters. The builder keeps pointers to the names and values until the
    /// parameters are made: the names are literals, and every value is copied to memory that lives until then.
    private static func fromData(
        _ type: String, numbers: [(StaticString, [UInt8])] = [], text: [(StaticString, String)] = [],
        octets: [(StaticString, [UInt8])] = []
    ) throws(CryptoError) -> OpaquePointer {
        func cName(_ name: StaticString) -> UnsafePointer<CChar> {
            UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        }
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError(description: "libcrypto is out of memory") }
        var bignums: [OpaquePointer] = []
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            OSSL_PARAM_BLD_free(builder)
            for bn in bignums { BN_free(bn) }
            for buffer in buffers { buffer.deallocate() }
        }
        func copy(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
            buffer.copyBytes(from: bytes)
            buffers.append(buffer)
            return buffer
        }
        var pushed = true
        for (name, value) in numbers {
            guard let bn = BN_bin2bn(value, Int32(value.count), nil) else {
                throw CryptoError(description: "bad number")
            }
            bignums.append(bn)
            pushed = pushed && OSSL_PARAM_BLD_push_BN(builder, cName(name), bn) == 1
        }
        for (name, value) in text {
            let buffer = copy(Array(value.utf8) + [0])
            pushed =
                pushed
                && OSSL_PARAM_BLD_push_utf8_string(
                    builder, cName(name), buffer.baseAddress?.assumingMemoryBound(to: CChar.self), value.utf8.count)
                    == 1
        }
        for (name, value) in octets {
            let buffer = copy(value)
            pushed =
                pushed && OSSL_PARAM_BLD_push_octet_string(builder, cName(name), buffer.baseAddress, value.count) == 1
        }
        guard pushed, let params = OSSL_PARAM_BLD_to_param(builder) else {
            throw CryptoError(description: "the \(type) key's parameters are not usable")
        }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw CryptoError(description: "libcrypto has no \(type)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(ctx) == 1, EVP_PKEY_fromdata(ctx, &key, regie_evp_pkey_public_key(), params) == 1,
            let key
        else { throw CryptoError(description: "the \(type) key is not a valid public key") }
        return key
    }

    /// Whether `signature` is this key's signature over `data` with SHA-256 (JWS form: PKCS#1 v1.5 for RSA, `r‖s`
    /// for ECDSA).
    public func verify(_ signature: [UInt8], over data: [UInt8]) -> Bool {
        var der = signature
        if algorithm == "ES256" {
            guard signature.count == 64, let converted = Self.derSignature(signature) else { return false }
            der = converted
        }
        guard let key = try? makeKey() else { return false }
        defer { EVP_PKEY_free(key) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return der.withUnsafeBufferPointer { s in
            data.withUnsafeBufferPointer { d in EVP_DigestVerify(ctx, s.baseAddress, s.count, d.baseAddress, d.count) }
        } == 1
    }

    /// A JWS ECDSA signature (`r‖s`) in the DER form libcrypto verifies.
    private static func derSignature(_ raw: [UInt8]) -> [UInt8]? {
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        guard let r = BN_bin2bn(raw, 32, nil), let s = BN_bin2bn(Array(raw[32...]), 32, nil) else { return nil }
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var p = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &p)
        }
        return written == length ? out : nil
    }
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as JSON Web Tokens and keys use it.
public enum Base64URL {
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }
}
