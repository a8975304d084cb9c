import Foundation
import RegieCrypto
import Testing

@Suite struct SigningTests {
    @Test func theStandardWebhooksTestVectorPasses() throws {
        let key = try #require(WebhookSignature.key(of: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(
            key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func newSecretsAreWhsecWith32RandomBytes() throws {
        let a = try WebhookSignature.newSecret()
        let b = try WebhookSignature.newSecret()
        #expect(a.hasPrefix("whsec_") && a != b)
        #expect(WebhookSignature.key(of: a)?.count == 32)
        #expect(WebhookSignature.key(of: "whsec_") == nil && WebhookSignature.key(of: "sk_abc") == nil)
    }

    @Test func sealedSecretsOpenOnlyUnderTheirKeyAndUnaltered() throws {
        let key = try Crypto.randomBytes(32)
        let plain = Array("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".utf8)
        let sealed = try SecretBox.seal(plain, key: key)
        #expect(!sealed.contains("MfKQ9r8"))
        #expect(try SecretBox.open(sealed, key: key) == plain)
        #expect(try SecretBox.seal(plain, key: key) != sealed, "a fresh nonce each time")
        #expect(throws: CryptoError.self) { try SecretBox.open(sealed, key: try Crypto.randomBytes(32)) }
        var bytes = Array(Data(base64Encoded: sealed)!)
        bytes[14] ^= 1
        #expect(throws: CryptoError.self) { try SecretBox.open(Data(bytes).base64EncodedString(), key: key) }
    }
}
