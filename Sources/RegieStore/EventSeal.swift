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

    /// `canonical`, built as bytes in one buffer of its own, without intermediate strings or arrays: the seals are
    /// made for every event.
    struct Canonical: ~Copyable {
        private var base: UnsafeMutablePointer<UInt8>
        private var capacity: Int
        private var count = 0

        init(capacity: Int = 512) {
            self.capacity = max(capacity, 64)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        /// The bytes so far, as an array.
        var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

        /// The SHA-256 of the bytes so far, in lowercase hexadecimal.
        var sha256: String { Crypto.sha256Hex(UnsafeRawBufferPointer(start: base, count: count)) }

        /// Room for `n` more bytes.
        @inline(__always)
        private mutating func reserve(_ n: Int) {
            if count + n > capacity { grow(n) }
        }

        private mutating func grow(_ n: Int) {
            let grown = max(capacity * 2, count + n)
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            moved.update(from: base, count: count)
            base.deallocate()
            (base, capacity) = (moved, grown)
        }

        private mutating func append(_ bytes: UnsafeRawBufferPointer) {
            reserve(bytes.count)
            if let from = bytes.baseAddress {
                (base + count).initialize(from: from.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            }
            count += bytes.count
        }

        private mutating func append(_ byte: UInt8) {
            reserve(1)
            base[count] = byte
            count += 1
        }

        /// A field: its byte length, a colon, its bytes.
        private mutating func field(_ bytes: UnsafeRawBufferPointer) {
            addDecimal(Int64(bytes.count))
            append(UInt8(ascii: ":"))
            append(bytes)
        }

        mutating func add(_ text: String) {
            var text = text
            text.withUTF8 { field(UnsafeRawBufferPointer($0)) }
        }

        mutating func add(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { field($0) }
        }

        /// Another canonical text as one field.
        mutating func add(_ other: borrowing Canonical) {
            field(UnsafeRawBufferPointer(start: other.base, count: other.count))
        }

        /// A number as its own field (its decimal text, length-prefixed).
        mutating func add(_ n: Int64) {
            addDecimal(Int64(Canonical.decimalLength(n)))
            append(UInt8(ascii: ":"))
            addDecimal(n)
        }

        /// An optional number: its decimal text, or "~".
        mutating func add(_ n: Int64?) {
            if let n { add(n) } else { add("~") }
        }

        private mutating func addDecimal(_ n: Int64) {
            reserve(20)
            count += Canonical.decimal(n, at: base + count)
        }

        /// How many bytes `decimal` writes for `n`.
        static func decimalLength(_ n: Int64) -> Int {
            // Compared with powers of ten, not divided: an Int64 has at most 19 digits.
            let magnitude = n.magnitude
            var digits = 1
            var power: UInt64 = 10
            while digits < 19, magnitude >= power {
                digits += 1
                power &*= 10
            }
            return n < 0 ? digits + 1 : digits
        }

        /// Writes the decimal text of `n`, as `String(n)` writes it, at `out` (room for 20 bytes); returns its length.
        static func decimal(_ n: Int64, at out: UnsafeMutablePointer<UInt8>) -> Int {
            let length = decimalLength(n)
            var magnitude = n.magnitude
            var i = length
            // Two digits per division.
            while magnitude >= 100 {
                let (rest, pair) = magnitude.quotientAndRemainder(dividingBy: 100)
                out[i - 1] = UInt8(ascii: "0") + UInt8(pair % 10)
                out[i - 2] = UInt8(ascii: "0") + UInt8(pair / 10)
                i -= 2
                magnitude = rest
            }
            if magnitude >= 10 {
                out[i - 1] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                out[i - 2] = UInt8(ascii: "0") + UInt8(magnitude / 10)
            } else {
                out[i - 1] = UInt8(ascii: "0") + UInt8(magnitude)
            }
            if n < 0 { out[0] = UInt8(ascii: "-") }
            return length
        }
    }

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
        func canonical(_ t: TimerRecord) -> Canonical {
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
            return tc
        }
        c.add(Int64(r.timers.count))
        if r.timers.count == 1 {
            c.add(canonical(r.timers[0]))
        } else {
            let timers = r.timers.map { canonical($0).bytes }.sorted { $0.lexicographicallyPrecedes($1) }
            for t in timers { c.add(t) }
        }
        return c.sha256
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
        return c.sha256
    }

    /// The seal of an event: its digest chained to the seal of the case's event before it.
    static func chain(_ previous: String?, _ digest: String) -> String {
        // "previous:digest", hashed from one buffer on the stack without building the text.
        var (previous, digest) = (previous ?? "genesis", digest)
        return previous.withUTF8 { p in
            digest.withUTF8 { d in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: p.count + 1 + d.count) { buffer in
                    _ = buffer.initialize(fromContentsOf: p)
                    buffer[p.count] = UInt8(ascii: ":")
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[(p.count + 1)...]).initialize(fromContentsOf: d)
                    return Crypto.sha256Hex(UnsafeRawBufferPointer(buffer))
                }
            }
        }
    }
}
