public import RegieCore
internal import RegieStore
internal import Synchronization

/// The time of a database made with a simulated clock (demos, training, tests): it lives in the database, so every
/// process reads the same time, `regie serve` included, and it moves only when someone moves it (`--now`,
/// `regie clock set`, `regie clock advance`), never backwards.
public final class SimulatedClock: Clock, Sendable {
    /// The connection it reads the time through, and the latest time it read (the clock never runs backwards, even
    /// for a moment when the database cannot be read).
    private let state: Mutex<(store: CaseStore, last: Instant)>

    /// Opens the clock of a database.
    /// - Throws: `EngineError.environment` when the database cannot be read or has no simulated clock.
    /// The time one command runs at (`--now`), which the database's clock takes only when the command commits a
    /// change (see `CaseStore.advanceClockOnChange`); nil: the database's time.
    public let pending: Instant?

    /// Opens the clock of a database.
    /// - Parameter pending: the time this command runs at (`--now`); not before the database's time.
    /// - Throws: `EngineError.environment` when the database cannot be read or has no simulated clock;
    ///   `.invalid` when `pending` is before the database's time.
    public init(databasePath: String, pending: Instant? = nil) throws(EngineError) {
        do {
            let store = try CaseStore(path: databasePath, readOnly: true)
            guard store.simulatedClock, let now = try store.simulatedNow() else {
                throw EngineError.environment("\(databasePath) has no simulated clock")
            }
            if let pending, pending < now {
                throw EngineError.invalid(StoreError.clockBackwards(to: pending, now: now).description)
            }
            self.pending = pending
            state = Mutex((store, max(now, pending ?? now)))
        } catch {
            throw EngineError.wrap(error, path: databasePath)
        }
    }

    public func now() -> Instant {
        state.withLock { s in
            if let stored = try? s.store.db.read({ try s.store.simulatedNow() }), stored > s.last { s.last = stored }
            return s.last
        }
    }

    /// Moves the simulated clock of a database to `instant` and wakes the scheduler and the webhook deliverer of
    /// any process on it, so that they act at the new time.
    /// - Returns: the time before.
    /// - Throws: `EngineError.invalid` when `instant` is before the simulated time; `.environment` when the database
    ///   has no simulated clock or cannot be written.
    @discardableResult
    public static func set(databasePath: String, to instant: Instant) throws(EngineError) -> Instant? {
        let before: Instant?
        do {
            let store = try CaseStore(path: databasePath)
            guard store.simulatedClock else {
                throw EngineError.invalid(
                    "\(databasePath) uses the real clock (a production database never accepts another time); create a test database with `regie init --simulated-clock`"
                )
            }
            before = try store.setSimulatedNow(instant)
        } catch let e as StoreError {
            if case .clockBackwards = e { throw .invalid(e.description) }
            throw EngineError.wrap(e)
        } catch {
            throw EngineError.wrap(error)
        }
        wakeProcesses(databasePath: databasePath)
        return before
    }

    /// Wakes the scheduler and the webhook deliverer of every process on the database, to act at a new time.
    public static func wakeProcesses(databasePath: String) {
        for suffix in ["wake", "deliver"] {
            WakeSignal.notify(path: WakeSignal.path(forDatabase: databasePath, suffix: suffix))
        }
    }
}
