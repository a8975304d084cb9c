internal import RegieCore
internal import Foundation
import Synchronization
#if canImport(Glibc)
    internal import Glibc
#endif

/// Fires timers when they are due: sleeps until the next due timer, wakes early when a timer is added, and fires
/// overdue timers in due order at start-up. One scheduler per database, guarded by a lock file.
public final class Scheduler: Sendable {
    private let engine: Engine
    private let wake: WakeSignal
    private let lock: ExclusiveLock
    private let stopped = Mutex(false)
    /// Longest sleep, a safety net should a wake-up datagram ever be lost.
    let maxSleepMilliseconds = 300_000
    /// How often retention runs, by the engine's clock: once a day.
    let retentionIntervalMilliseconds: Int64 = 86_400_000

    /// Prepares a scheduler for the engine's database.
    /// - Throws: `EngineError.environment` when another scheduler runs on this database.
    public init(engine: Engine) throws(EngineError) {
        self.engine = engine
        lock = try ExclusiveLock(
            path: engine.databasePath + ".scheduler.lock",
            held:
                "another scheduler is already running on \(engine.databasePath); run one `regie timers run` per database"
        )
        wake = try WakeSignal(path: WakeSignal.path(forDatabase: engine.databasePath))
    }

    /// Asks a running `run` to return after the batch in hand.
    public func stop() {
        stopped.withLock { $0 = true }
        WakeSignal.notify(path: WakeSignal.path(forDatabase: engine.databasePath))
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// Fires due timers until `stop()` is called, reporting each batch that fired something; at start-up and then
    /// once a day it purges what is past its retention (`Engine.runRetention`), reporting runs that purged
    /// something or failed (a failed run is tried again the next day; it never stops the timers).
    public func run(
        report: (Engine.FiringReport) -> Void,
        retention: (Result<Engine.RetentionReport, EngineError>) -> Void = { _ in }
    ) throws(EngineError) {
        var nextRetention = engine.clock.now()
        while !isStopped {
            let fired = try engine.fireDueTimers()
            if fired.fired > 0 { report(fired) }
            if isStopped { break }
            var now = engine.clock.now()
            if now >= nextRetention {
                let template = AuditEntry(
                    at: now, channel: .system, action: "purge", resource: "retention", partner: "regie",
                    outcome: .ok, status: 0, detail: nil)
                do throws(EngineError) {
                    let done = try engine.runRetention(by: template)
                    if !done.purged.isEmpty || done.accessRecordsPurged > 0 { retention(.success(done)) }
                } catch {
                    retention(.failure(error))
                }
                nextRetention = now.adding(seconds: retentionIntervalMilliseconds / 1000)
                now = engine.clock.now()
            }
            var sleep = maxSleepMilliseconds
            if let next = try engine.nextDueAt() {
                sleep = Int(min(Int64(sleep), max(0, next.milliseconds - now.milliseconds)))
            }
            sleep = Int(min(Int64(sleep), max(0, nextRetention.milliseconds - now.milliseconds)))
            if sleep > 0 { wake.wait(milliseconds: sleep) }
        }
    }
}
