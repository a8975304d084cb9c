public import RegieCore
internal import RegieCrypto
internal import Foundation

/// Turns a BSN into a keyed pseudonym (HMAC-SHA256 with the regional secret), so that the same person matches
/// across partners while the BSN itself is never stored or logged.
public struct Pseudonymizer: Sendable {
    private let secret: [UInt8]

    /// Creates a pseudonymiser; the secret must be at least 16 bytes.
    public init(secret: [UInt8]) throws(EngineError) {
        guard secret.count >= 16 else {
            throw .environment(
                "the pseudonym secret is too short (\(secret.count) bytes); use at least 32 random bytes")
        }
        self.secret = secret
    }

    /// The pseudonym of a checked BSN, as 64 hex digits.
    public func pseudonym(_ bsn: BSN) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: secret, message: Array("regie-bsn-v1:\(bsn.digits)".utf8)))
    }

    /// A key for another purpose, derived from the regional secret (HMAC-SHA256 of the purpose's name), so that one
    /// secret protects pseudonyms and sealed webhook secrets without either revealing the other.
    func derivedKey(_ purpose: String) -> [UInt8] {
        Crypto.hmacSHA256(key: secret, message: Array("regie-key-v1:\(purpose)".utf8))
    }

    /// The environment variable that carries the regional secret.
    public static let environmentVariable = "REGIE_PSEUDONYM_SECRET"

    /// Finds the regional secret: the environment, else the configured file, else the file `regie init` made
    /// beside the database.
    /// - Returns: the pseudonymiser, or nil when there is no secret anywhere.
    public static func load(configFolder: String, config: RegionConfig, database: String) throws(EngineError)
        -> Pseudonymizer?
    {
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            return try Pseudonymizer(secret: Array(env.utf8))
        }
        var candidates = [database + ".secret"]
        if let file = config.pseudonymSecretFile {
            candidates.insert(
                file.hasPrefix("/") ? file : (configFolder as NSString).appendingPathComponent(file), at: 0)
        }
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path) {
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                return try Pseudonymizer(secret: Array(text.utf8))
            }
        }
        return nil
    }

    /// Where the regional secret comes from.
    public enum Source: Sendable, Equatable {
        case environment
        case file(String)
        case none
    }

    /// Where `load` finds the regional secret.
    public static func source(configFolder: String, config: RegionConfig, database: String) -> Source {
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { return .environment }
        var candidates = [database + ".secret"]
        if let file = config.pseudonymSecretFile {
            candidates.insert(
                file.hasPrefix("/") ? file : (configFolder as NSString).appendingPathComponent(file), at: 0)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }.map { .file($0) } ?? .none
    }

    /// A value that tells whether a secret is the one a database was made with, without revealing it.
    public var check: String { Crypto.hex(derivedKey("secret-check")) }

    /// Writes a new random secret (64 hex digits, mode 0600) to `path` unless one exists.
    /// - Returns: true when a new secret was written.
    public static func createSecretFile(at path: String) throws(EngineError) -> Bool {
        if FileManager.default.fileExists(atPath: path) { return false }
        let bytes: [UInt8]
        do { bytes = try Crypto.randomBytes(32) } catch { throw .environment(error.description) }
        let ok = FileManager.default.createFile(
            atPath: path, contents: Data((Crypto.hex(bytes) + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard ok else { throw .environment("cannot write the pseudonym secret to \(path)") }
        return true
    }
}
