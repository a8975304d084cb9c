internal import Foundation
internal import RegieStore

/// Read-only connections handed out one per caller, so that reads run side by side and never wait for the writer.
final class ReaderPool: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var idle: [CaseStore] = []
    /// Idle connections kept; more are opened under load and closed when returned beyond this.
    private let keep = 16

    init(path: String) throws {
        self.path = path
        idle.append(try Self.open(path))
    }

    private static func open(_ path: String) throws -> CaseStore {
        let store = try CaseStore(path: path)
        try store.db.execute("PRAGMA query_only=1")
        return store
    }

    /// Runs `body` with a connection of its own.
    func with<T>(_ body: (CaseStore) throws -> T) throws -> T {
        let store = try lock.withLock { idle.popLast() } ?? Self.open(path)
        defer { lock.withLock { if idle.count < keep { idle.append(store) } } }
        return try body(store)
    }
}
