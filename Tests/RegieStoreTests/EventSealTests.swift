import Foundation
import RegieCore
import RegieCrypto
import Testing

@testable import RegieStore

/// The seals are computed from bytes built directly (they are made for every event); they must equal the plain
/// definition: each field's UTF-8 length, a colon, the field, in a fixed order, hashed with SHA-256.
@Suite struct EventSealTests {
    /// The definition, written the plain way with strings.
    static func reference(_ r: CaseRecord) -> String {
        func canonical(_ fields: [String]) -> String { fields.map { "\($0.utf8.count):\($0)" }.joined() }
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
        return Crypto.hex(Crypto.sha256(Array(canonical(fields).utf8)))
    }

    @Test func theStateDigestIsTheCanonicalTextsHash() {
        let now = Instant(milliseconds: 1_795_000_000_123)
        var r = CaseRecord(
            id: "c-1", workflow: "netwerkcasus", version: 3, state: "in-behandeling",
            regie: RegieHolder(partner: "bw-aanbieder", contact: "J. de Vriés — 06 12"),
            participants: [Participant(partner: "ggz-aanbieder", role: .betrokken)], level: 2, clientKey: "k",
            suspendedAt: Instant(milliseconds: -5), sequence: 12, openedAt: now, updatedAt: now, lastActivityAt: now,
            closedAt: nil,
            timers: [
                TimerRecord(
                    name: "stagnatie", kind: .deadline, event: "stagnatie-gesignaleerd", dueAt: now.adding(seconds: 60),
                    startedAt: now, ownerState: "in-behandeling"),
                TimerRecord(
                    name: "niveau-termijn", kind: .deadline, event: "niveau-termijn-verstreken",
                    dueAt: now.adding(seconds: 10), startedAt: now, ownerState: nil),
            ])
        #expect(EventSeal.stateDigest(r) == Self.reference(r))
        r.timers = []
        r.regie.contact = nil
        #expect(EventSeal.stateDigest(r) == Self.reference(r))
        // Every length, either side of every power of ten, both signs.
        var powers: [Int64] = [1]
        while let next = Optional(powers.last!.multipliedReportingOverflow(by: 10)), !next.overflow {
            powers.append(next.partialValue)
        }
        let edges = powers.flatMap { [$0 - 1, $0, $0 + 1, $0 * 7 / 5] }
        for n: Int64 in [0, 7, 10, 99, 100, -1, -120, Int64.max, Int64.min, Int64.min + 1] + edges + edges.map(-) {
            let out = [UInt8](unsafeUninitializedCapacity: 20) { buffer, count in
                count = buffer.baseAddress.map { EventSeal.Canonical.decimal(n, at: $0) } ?? 0
            }
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
    }

    /// An event's seal is the hash of its canonical text (its chain link left out, the state digest after it),
    /// chained to the seal before it. Seals already stored are checked against this forever, so the bytes must never
    /// change: a made-up row and its seals are pinned here, besides the formula.
    @Test func theEventSealIsTheCanonicalTextsHashChainedToTheSealBefore() {
        let row: [SQLValue] = [
            .text("c-1"), .int(12), .int(99), .int(1_795_000_000_123), .text("voortgang"), .text("bw-aanbieder"),
            .null, .text("regiehouder"), .text(#"{"note":"J. de Vriés — 06 12"}"#),
        ]
        let state = String(repeating: "0f", count: 32)
        let digest = EventSeal.digest(row, state: state)
        let fields = [
            "c-1", "12", "1795000000123", "voortgang", "bw-aanbieder", "~", "regiehouder",
            #"{"note":"J. de Vriés — 06 12"}"#, state,
        ]
        func sha(_ text: String) -> String { Crypto.hex(Crypto.sha256(Array(text.utf8))) }
        #expect(digest == sha(fields.map { "\($0.utf8.count):\($0)" }.joined()))
        #expect(EventSeal.chain(nil, digest) == sha("genesis:" + digest))
        let first = EventSeal.chain(nil, digest)
        #expect(EventSeal.chain(first, digest) == sha(first + ":" + digest))
        #expect(digest == "d439699968ded3b9006848ce50e9de003be47c80a00a04e85e7dd3ef12a0f4a7")
        #expect(EventSeal.chain(first, digest) == "5d16c419e4e0020b137e78693a56e6ff7e3d5e2c9f359e0db77008136b0ca36c")
    }
}
