import Foundation
import RegieCrypto
import Synchronization
import Testing

/// SHA-256 on each thread's reused context: every hash starts afresh, whatever the thread hashed before.
@Suite struct DigestTests {
    /// FIPS 180-2's vectors, and the million a's of its appendix.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ]

    static func hex(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { Crypto.sha256Hex($0) }
    }

    @Test func eachHashStartsAfreshOnTheThreadsContext() {
        // Twice over, in turn: a context that kept anything from the hash before would give another digest.
        for _ in 0..<2 {
            for (text, digest) in Self.vectors {
                #expect(Self.hex(text) == digest)
                #expect(Crypto.hex(Crypto.sha256(Array(text.utf8))) == digest)
            }
        }
    }

    @Test func threadsHashAtOnceEachOnItsOwnContext() {
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for round in 0..<200 {
                let (text, digest) = Self.vectors[(i + round) % 3]
                if Self.hex(text) != digest { wrong.withLock { $0 += 1 } }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
    }
}
