import Foundation
import RegieCore
import RegieTestSupport
import RegieStore

@testable import RegieEngine

/// A clock that moves on by a millisecond each time it is read, so every action has its own moment.
final class TickingClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant
    init(_ start: Instant) { current = start }
    func now() -> Instant {
        lock.withLock {
            current.milliseconds += 1
            return current
        }
    }
    func set(_ instant: Instant) { lock.withLock { current = instant } }
}

/// The real clock, for scheduler tests.
struct WallClock: Clock {
    func now() -> Instant { Instant(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) }
}

/// A temporary folder with a database and workflow files.
struct Sandbox {
    let folder: URL
    var database: String { folder.appendingPathComponent("regie.db").path }
    var workflows: String { folder.appendingPathComponent("Workflows").path }

    init(workflows files: [String: String]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("regie-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            atPath: folder.appendingPathComponent("Workflows").path, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: workflows).appendingPathComponent(name))
    }

    func engine(clock: any Clock, simulated: Bool = true) throws -> Engine {
        _ = try CaseStore.create(path: database, simulatedClock: simulated, now: clock.now())
        let catalog = try WorkflowCatalog(folder: workflows)
        return try Engine(
            databasePath: database, catalog: catalog, config: RegionConfig(), clock: clock,
            pseudonymizer: try Pseudonymizer(secret: Array("test-secret-of-sufficient-length".utf8)))
    }
}

/// A workflow with short timers for engine tests.
func timerWorkflow(version: Int = 1, stagnation: String = "PT10M") -> String {
    """
    {
      "name": "kort",
      "version": \(version),
      "states": [
        {"name": "open", "initial": true, "timers": [{"name": "stilstand", "after": "\(stagnation)", "fires": "stil"}]},
        {"name": "dicht", "final": true}
      ],
      "transitions": [
        {"event": "notitie", "from": ["open"], "roles": ["regiehouder", "betrokken"]},
        {"event": "voortgang", "from": ["open"], "to": "open", "roles": ["regiehouder"]},
        {"event": "stil", "from": ["open"], "roles": ["systeem"], "effects": [{"raiseLevel": true}]},
        {"event": "sluiten", "from": ["open"], "to": "dicht", "roles": ["regiehouder"]}
      ]
    }
    """
}
