import Foundation
import RegieCore
import RegieEngine

/// The access log for commands run on the command line: who ran which command on which cases, with what outcome.
extension Context {
    /// The partner the person acts for: the `--as` partner, else `beheer` (the region's functional administration).
    var auditPartner: String {
        stated?.statedPartner ?? "beheer"
    }

    /// The operating-system account running the command, from the system's user database (not from `$USER`, which
    /// anyone can set).
    static let osUser: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid-\(geteuid())"
    }()

    /// Whether the command states who acts (`--as`, `--person`): administration and tests.
    var statesSomeone: Bool { stated?.statedPartner != nil || stated?.statedPerson != nil }

    /// The person: the `--person` stated, else the operating-system account.
    var auditPerson: String? {
        stated?.statedPerson ?? Self.osUser
    }

    /// A record for this command; `write` commands pass it to the engine so that it commits with the change.
    func auditEntry<C: RegieCommand>(
        _ command: C.Type, outcome: AuditEntry.Outcome = .ok, status: Int = 0, caseId: String? = nil,
        clientKey: String? = nil
    ) -> AuditEntry {
        AuditEntry(
            at: cachedEngine?.clock.now() ?? SystemClock().now(), channel: .cli, action: C.auditAction ?? "read",
            resource: "regie \(C.path)", caseId: caseId, clientKey: clientKey, partner: auditPartner,
            person: auditPerson, identity: statesSomeone ? .statedAs : .osUser,
            role: stated?.statedRole, via: statesSomeone ? "os-user \(Self.osUser)" : nil, outcome: outcome,
            status: status, detail: auditDetail, address: ProcessInfo.processInfo.hostName)
    }

    /// Logs the command's access, unless it touched no case or the engine already logged it with the change.
    /// - Returns: why the access could not be logged, or nil.
    func logAccess<C: RegieCommand>(_ command: C.Type, failure: EngineError?) -> EngineError? {
        guard C.auditAction != nil, !audited, let engine = cachedEngine else { return nil }
        let outcome = failure?.auditOutcome ?? .ok
        let status = Int(failure?.exitCode ?? 0)
        let entries =
            touched.isEmpty
            ? [auditEntry(C.self, outcome: outcome, status: status)]
            : touched.map {
                auditEntry(C.self, outcome: outcome, status: status, caseId: $0.caseId, clientKey: $0.clientKey)
            }
        do {
            try engine.audit(batch: entries)
            return nil
        } catch {
            return error
        }
    }
}
