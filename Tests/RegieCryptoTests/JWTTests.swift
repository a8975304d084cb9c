import Foundation
import Testing

@testable import RegieCrypto

/// Tokens signed by Python's `cryptography` (an implementation written by others) verify with the keys' JWKs, and
/// fail when a byte of the token, the signature or the key is different.
@Suite struct JWTTests {
    @Test func rs256AndES256TokensVerifyAndTamperingIsFound() throws {
        let script = """
            import base64, json
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import rsa, ec, padding, utils
            def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
            def num(n, size): return b64(n.to_bytes(size, "big"))
            out = []
            rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            ec_key = ec.generate_private_key(ec.SECP256R1())
            for alg, key in (("RS256", rsa_key), ("ES256", ec_key)):
                header = b64(json.dumps({"alg": alg, "kid": "k1", "typ": "JWT"}).encode())
                payload = b64(json.dumps({"iss": "https://idp", "sub": "j.devries"}).encode())
                data = f"{header}.{payload}".encode()
                if alg == "RS256":
                    sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
                    pub = key.public_key().public_numbers()
                    jwk = {"kty": "RSA", "n": num(pub.n, 256), "e": num(pub.e, 3)}
                else:
                    r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
                    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
                    pub = key.public_key().public_numbers()
                    jwk = {"kty": "EC", "crv": "P-256", "x": num(pub.x, 32), "y": num(pub.y, 32)}
                out.append({"token": f"{header}.{payload}.{b64(sig)}", "jwk": jwk})
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let cases = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let token = try #require(c["token"] as? String)
            let jwk = try #require(c["jwk"] as? [String: String])
            let key =
                jwk["kty"] == "RSA"
                ? try JWKPublicKey(
                    rsaModulus: try #require(Base64URL.decode(jwk["n"] ?? "")),
                    exponent: try #require(Base64URL.decode(jwk["e"] ?? "")))
                : try JWKPublicKey(
                    p256X: try #require(Base64URL.decode(jwk["x"] ?? "")),
                    y: try #require(Base64URL.decode(jwk["y"] ?? "")))
            let jwt = try JWT(compact: token)
            #expect(key.verify(jwt.signature, over: jwt.signingInput), "\(key.algorithm)")
            #expect(String(decoding: jwt.payloadJSON, as: UTF8.self).contains("j.devries"))
            var changed = jwt.signingInput
            changed[changed.count - 1] ^= 1
            #expect(!key.verify(jwt.signature, over: changed))
            var badSignature = jwt.signature
            badSignature[5] ^= 1
            #expect(!key.verify(badSignature, over: jwt.signingInput))
        }
        #expect(throws: CryptoError.self) { try JWT(compact: "a.b") }
        #expect(throws: CryptoError.self) { try JWKPublicKey(rsaModulus: [1, 2, 3], exponent: [1, 0, 1]) }
    }
}
