import Foundation
import RegieCrypto

/// What hashing a password costs at the scrypt work factors a login could use, so that the choice of one is measured.
enum PasswordBench {
    /// The median milliseconds of one scrypt hash for each N, with r = 8 and p = 1.
    static func measure(quick: Bool) throws -> [(n: UInt64, ms: Double)] {
        let salt = try Crypto.randomBytes(16)
        let password = Array("correct horse battery staple".utf8)
        var out: [(UInt64, Double)] = []
        for exponent in [14, 15, 16] as [UInt64] {
            let n: UInt64 = 1 << exponent
            var times: [Double] = []
            for _ in 0..<(quick ? 3 : 9) {
                let start = monotonic()
                _ = try Crypto.scrypt(password: password, salt: salt, n: n, r: 8, p: 1, length: 32)
                times.append((monotonic() - start) * 1000)
            }
            out.append((n, percentile(times, 0.5)))
        }
        return out
    }
}
