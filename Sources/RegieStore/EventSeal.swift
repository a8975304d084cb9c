public import RegieCore
internal import RegieCrypto

/// What makes the event log tamper-evident. Every event is sealed with a hash over the seal of the case's event
/// before it, its own content, and a digest of the case's state after it (its projection and timers), so that a
/// changed, removed or reordered event, and a projection or timer changed behind the log's back, all show.
public enum EventSeal {
    /// A field list as one unambiguous text: each value prefixed by its length in bytes ("5:hello3:abc").
    static func canonical(_ fields: [String]) -> String {
        var c = Canonical()
        for f in fields { c.add(f) }
        return String(decoding: c.bytes, as: UTF8.self)
    }

    /// `canonical`, built as bytes without intermediate strings (the seal is made for every event).
    struct Canonical {
        var bytes: [UInt8] = []

        init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

        mutating func add(_ text: String) {
            var text = text
            text.withUTF8 { utf8 in
                addDecimal(Int64(utf8.count))
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func add(_ bytes: [UInt8]) {
            addDecimal(Int64(bytes.count))
            self.bytes.append(UInt8(ascii: ":"))
            self.bytes.append(contentsOf: bytes)
        }

        /// A number as its own field (its decimal text, length-prefixed).
        mutating func add(_ n: Int64) {
            addDecimal(Int64(Canonical.decimalLength(n)))
            bytes.append(UInt8(ascii: ":"))
            addDecimal(n)
        }

        /// An optional number: its decimal text, or "~".
        mutating func add(_ n: Int64?) {
            if let n { add(n) } else { add("~") }
        }

        private mutating func addDecimal(_ n: Int64) { Canonical.decimal(n, into: &bytes) }

        /// How many bytes `decimal` writes for `n`.
        static func decimalLength(_ n: Int64) -> Int {
            var length = n < 0 ? 2 : 1
            var magnitude = n.magnitude
            while magnitude >= 10 {
                magnitude /= 10
                length += 1
            }
            return length
        }

        /// The decimal text of `n`, as `String(n)` writes it, without allocating: the digits are made from the
        /// right into a fixed buffer (one division each), then appended at once.
        static func decimal(_ n: Int64, into out: inout [UInt8]) {
            if n < 0 { out.append(UInt8(ascii: "-")) }
            var magnitude = n.magnitude
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var start = 20
                repeat {
                    start -= 1
                    digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
            }
        }
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
        var c = Canonical(capacity: 1024)
        c.add(r.id)
        c.add(r.workflow)
        c.add(Int64(r.version))
        c.add(r.state)
        c.add(r.regie.partner)
        c.add(r.regie.contact ?? "~")
        c.add(CaseStore.encodeParticipants(r.participants))
        c.add(Int64(r.level))
        c.add(r.clientKey ?? "~")
        c.add(r.suspendedAt?.milliseconds)
        c.add(Int64(r.sequence))
        c.add(r.openedAt.milliseconds)
        c.add(r.updatedAt.milliseconds)
        c.add(r.lastActivityAt.milliseconds)
        c.add(r.closedAt?.milliseconds)
        c.add(CaseStore.encodeDetails(r.details) ?? "~")
        // Each timer as its own canonical text; sorted bytewise (its fields are ASCII, so as strings sort).
        var timers = r.timers.map { t -> [UInt8] in
            var tc = Canonical(capacity: 128)
            tc.add(t.name)
            tc.add(t.kind.rawValue)
            tc.add(t.event)
            tc.add(t.dueAt.milliseconds)
            tc.add(t.startedAt.milliseconds)
            tc.add(t.ownerState ?? "~")
            tc.add(Int64(t.ownerLevel))
            tc.add(t.subject ?? "~")
            tc.add(t.pausedAt?.milliseconds)
            return tc.bytes
        }
        if timers.count > 1 { timers.sort { $0.lexicographicallyPrecedes($1) } }
        c.add(Int64(timers.count))
        for t in timers { c.add(t) }
        return Crypto.hex(Crypto.sha256(c.bytes))
    }

    /// The digest of one event row (case, seq, at, event, actor, payload; not its chain link) and the state after it.
    static func digest(_ row: [SQLValue], state: String) -> String {
        // Row layout: case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload.
        var c = Canonical(capacity: 256)
        for i in 0...8 where i != 2 {
            switch row[i] {
            case .null: c.add("~")
            case .int(let n): c.add(n)
            case .text(let s): c.add(s)
            case .double, .blob: c.add(text(row[i]))
            }
        }
        c.add(state)
        return Crypto.hex(Crypto.sha256(c.bytes))
    }

    /// The seal of an event: its digest chained to the seal of the case's event before it.
    static func chain(_ previous: String?, _ digest: String) -> String {
        // "previous:digest", hashed from one buffer without building the text.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(130)
        bytes.append(contentsOf: (previous ?? "genesis").utf8)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: digest.utf8)
        return Crypto.hex(Crypto.sha256(bytes))
    }
}
