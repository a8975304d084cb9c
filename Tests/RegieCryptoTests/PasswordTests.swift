import Foundation
import RegieCrypto
import Testing

/// The primitives of a person's login, checked against the RFCs' own vectors and an independent implementation.
@Suite struct PasswordTests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
    }

    /// RFC 7914, section 12.
    @Test func scryptGivesTheRFCsTestVectors() throws {
        let empty = try Crypto.scrypt(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(
            empty
                == Self.bytes(
                    """
                    77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
                    fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06
                    """))
        let nacl = try Crypto.scrypt(
            password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(
            nacl
                == Self.bytes(
                    """
                    fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
                    2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40
                    """))
        #expect(throws: CryptoError.self) {
            try Crypto.scrypt(password: [1], salt: [2], n: 1000, r: 8, p: 1, length: 32)
        }
    }

    /// RFC 6238, appendix B: eight digits, a 30-second step, one secret per hash function.
    @Test func totpGivesTheRFCsTestVectors() {
        let seed = "1234567890"
        let secrets: [Crypto.HashFunction: String] = [
            .sha1: String(repeating: seed, count: 2),
            .sha256: String(repeating: seed, count: 3) + "12",
            .sha512: String(repeating: seed, count: 6) + "1234",
        ]
        let table: [(Int64, [Crypto.HashFunction: String])] = [
            (59, [.sha1: "94287082", .sha256: "46119246", .sha512: "90693936"]),
            (1_111_111_109, [.sha1: "07081804", .sha256: "68084774", .sha512: "25091201"]),
            (1_111_111_111, [.sha1: "14050471", .sha256: "67062674", .sha512: "99943326"]),
            (1_234_567_890, [.sha1: "89005924", .sha256: "91819424", .sha512: "93441116"]),
            (2_000_000_000, [.sha1: "69279037", .sha256: "90698825", .sha512: "38618901"]),
            (20_000_000_000, [.sha1: "65353130", .sha256: "77737706", .sha512: "47863826"]),
        ]
        for (time, expected) in table {
            for (hash, code) in expected {
                let totp = TOTP(secret: Array((secrets[hash] ?? "").utf8), digits: 8, algorithm: hash)
                #expect(totp.code(at: time) == code, "\(hash) at \(time)")
            }
        }
    }

    /// A code is accepted one step either side of now, and names its step so that the caller can refuse it twice.
    @Test func aCodeMatchesItsStepWithinTheWindowOnly() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let now: Int64 = 1_700_000_000
        let code = totp.code(at: now)
        #expect(totp.matchingStep(code, at: now) == totp.step(at: now))
        #expect(totp.matchingStep(code, at: now + 30) == totp.step(at: now))
        #expect(totp.matchingStep(code, at: now + 90) == nil)
        #expect(totp.matchingStep("12345", at: now) == nil)
        #expect(totp.matchingStep("abcdef", at: now) == nil)
    }

    @Test func base32RoundTripsAndRefusesOtherCharacters() {
        let secret = Array("12345678901234567890".utf8)
        #expect(Base32.encode(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == secret)
        #expect(Base32.decode("GEZ1") == nil)
    }

    /// Python's `pyotp`, an implementation written by others, computes the same codes from the same Base32 secret and
    /// reads the provisioning URI the same way.
    @Test func pyotpAgrees() throws {
        let totp = TOTP(secret: try Crypto.randomBytes(20))
        let uri = totp.provisioningURI(account: "a.arts@gemeente-haarlem", issuer: "Regie Kennemerland")
        let times: [Int64] = [59, 1_111_111_111, 1_700_000_000, 2_000_000_000]
        let script = """
            import pyotp, sys
            secret, uri = sys.argv[1], sys.argv[2]
            parsed = pyotp.parse_uri(uri)
            assert parsed.secret == secret, (parsed.secret, secret)
            assert parsed.issuer == "Regie Kennemerland", parsed.issuer
            print(" ".join(pyotp.TOTP(secret).at(int(t)) for t in sys.argv[3:]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, totp.base32Secret, uri] + times.map(String.init)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(
            text.trimmingCharacters(in: .whitespacesAndNewlines)
                == times.map { totp.code(at: $0) }.joined(separator: " "))
    }
}
