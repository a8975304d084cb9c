public import RegieCore
import Synchronization

/// Open cases as decoded from their rows, kept by id with the sequence they were read at, so that a list of a
/// thousand cases (Mijn werk, a partner's list) does not parse a thousand JSON documents again on every read, and a
/// decision on a case reads its sequence instead of its row, details and timers (`CaseStore.loadCase`). The engine
/// also keeps each case as its commit wrote it, once that commit is durable, so the next decision on it finds it.
///
/// A record is used only when the row read now has the same sequence: every change to a case's row or its timers
/// is a commit that raises the sequence, so a record of that sequence is the row's exact content, whichever process
/// wrote it. Closed cases are not kept (a timer of a closed case may be removed without a new event). Shared by the
/// engine's read connections; bounded: when full, it starts afresh.
public final class CaseCache: Sendable {
    /// A part of the cases, behind a lock of its own: dozens of threads answering requests and deciding commands
    /// look cases up at once, and behind a single lock they queued (measured: a fifth fewer commands from 64
    /// submitters).
    private final class Shard: Sendable {
        let records = Mutex<[String: CaseRecord]>([:])
    }

    private let shards: [Shard]
    /// At most this many cases per shard.
    private let capacity: Int

    /// A cache of at most `capacity` cases.
    public init(capacity: Int = 20_000) {
        shards = (0..<16).map { _ in Shard() }
        self.capacity = max(1, capacity / 16)
    }

    private func shard(_ id: String) -> Shard { shards[Int(UInt(bitPattern: id.hashValue) % UInt(shards.count))] }

    func record(_ id: String, sequence: Int) -> CaseRecord? {
        shard(id).records.withLock { r in r[id].flatMap { $0.sequence == sequence ? $0 : nil } }
    }

    /// Keeps a case as read from its row, or as a commit wrote it once that commit is durable (never before: a
    /// transaction that rolls back leaves its sequence to be written again with other content). Its timers are kept
    /// in the order a read gives them.
    public func keep(_ record: CaseRecord) {
        guard record.closedAt == nil else { return }
        var record = record
        if zip(record.timers, record.timers.dropFirst()).contains(where: { Self.timerOrder($1, $0) }) {
            record.timers.sort(by: Self.timerOrder)
        }
        shard(record.id).records.withLock { [record, capacity] r in
            if r.count >= capacity { r.removeAll(keepingCapacity: true) }
            r[record.id] = record
        }
    }

    /// The order of a case's timers as read: by due time, then by row.
    static func timerOrder(_ a: TimerRecord, _ b: TimerRecord) -> Bool {
        (a.dueAt, a.id ?? 0) < (b.dueAt, b.id ?? 0)
    }
}
