public import RegieCore
internal import RegieCrypto

/// What makes the event log tamper-evident. Every event is sealed with a hash over the seal of the case's event
/// before it, its own content, and a digest of the case's state after it (its projection and timers), so that a
/// changed, removed or reordered event, and a projection or timer changed behind the log's back, all show.
public enum EventSeal {
    /// A field list as one unambiguous text: each value prefixed by its length in bytes.
    static func canonical(_ fields: [String]) -> String {
        fields.map { "\($0.utf8.count):\($0)" }.joined()
    }

    static func sha256(_ text: String) -> String { Crypto.hex(Crypto.sha256(Array(text.utf8))) }

    static func text(_ v: SQLValue) -> String {
        switch v {
        case .null: return "~"
        case .int(let n): return String(n)
        case .double(let d): return String(d)
        case .text(let s): return s
        case .blob(let b): return Crypto.hex(b)
        }
    }

    /// The digest of a case's state as stored: its projection's columns and its timers, in a fixed order.
    public static func stateDigest(_ r: CaseRecord) -> String {
        var fields: [String] = [
            r.id, r.workflow, String(r.version), r.state, r.regie.partner, r.regie.contact ?? "~",
            CaseStore.encodeParticipants(r.participants), String(r.level), r.clientKey ?? "~",
            r.suspendedAt.map { String($0.milliseconds) } ?? "~", String(r.sequence), String(r.openedAt.milliseconds),
            String(r.updatedAt.milliseconds), String(r.lastActivityAt.milliseconds),
            r.closedAt.map { String($0.milliseconds) } ?? "~", CaseStore.encodeDetails(r.details) ?? "~",
        ]
        let timers = r.timers.map { t in
            canonical([
                t.name, t.kind.rawValue, t.event, String(t.dueAt.milliseconds), String(t.startedAt.milliseconds),
                t.ownerState ?? "~", String(t.ownerLevel), t.subject ?? "~",
                t.pausedAt.map { String($0.milliseconds) } ?? "~",
            ])
        }.sorted()
        fields.append(String(timers.count))
        fields += timers
        return sha256(canonical(fields))
    }

    /// The digest of one event row (case, seq, at, event, actor, payload; not its chain link) and the state after it.
    static func digest(_ row: [SQLValue], state: String) -> String {
        // Row layout: case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload.
        let fields = [0, 1, 3, 4, 5, 6, 7, 8].map { text(row[$0]) }
        return sha256(canonical(fields + [state]))
    }

    /// The seal of an event: its digest chained to the seal of the case's event before it.
    static func chain(_ previous: String?, _ digest: String) -> String {
        sha256((previous ?? "genesis") + ":" + digest)
    }
}
