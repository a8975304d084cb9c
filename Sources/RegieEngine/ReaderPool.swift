internal import Foundation
internal import RegieStore
internal import RegieCore
import Synchronization

/// Read-only connections handed out one per caller, so that reads run side by side and never wait for the writer.
final class ReaderPool: Sendable {
    private let path: String
    private let idle: Mutex<[CaseStore]>
    /// Idle connections kept; more are opened under load and closed when returned beyond this. As many as the
    /// threads that read at once under load (the partner API's workers, the 64 submitters of the benchmark): a pool
    /// that kept 16 had those threads opening and closing connections, a fifth of their time.
    private let keep = 64
    /// Each reader's page cache, in KiB: 64 of 8 MiB hold no more than the 16 of 32 MiB kept before.
    private static let cacheKiB = 8192
    /// The decoded cases the connections share.
    private let cache = CaseCache()

    /// Opens only read-only connections (the database cannot be written).
    private let readOnly: Bool

    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        self.readOnly = readOnly
        idle = Mutex([try Self.open(path, readOnly: readOnly, cache: cache)])
    }

    private static func open(_ path: String, readOnly: Bool, cache: CaseCache) throws -> CaseStore {
        // Never migrates: the writer did when the engine started. A migrating open takes the write lock, so a
        // reader opened under load waited for the writer's transaction and its fsync, which the pool is there to
        // avoid.
        let store = try CaseStore(path: path, readOnly: readOnly, migrates: false)
        try store.db.execute("PRAGMA query_only=1")
        try store.db.execute("PRAGMA cache_size=-\(cacheKiB)")
        store.cache = cache
        return store
    }

    /// Keeps cases as durable commits wrote them, so that the next decision on them reads their sequence instead of
    /// decoding their rows (see `CaseCache`). Call only once their transaction is durable.
    func keepCommitted(_ records: some Sequence<CaseRecord>) {
        for r in records { cache.keep(r) }
    }

    /// Runs `body` with a connection of its own.
    func with<T>(_ body: (CaseStore) throws -> T) throws -> T {
        let store = try idle.withLock { $0.popLast() } ?? Self.open(path, readOnly: readOnly, cache: cache)
        defer { idle.withLock { if $0.count < keep { $0.append(store) } } }
        return try body(store)
    }
}
