import RegieCore
import Testing

/// `CaseRecord` shares its storage between copies: a copy must still behave as an independent value.
@Suite struct CaseRecordTests {
    let now = Instant(milliseconds: 1_700_000_000_000)

    var record: CaseRecord {
        CaseRecord(
            id: "c-1", workflow: "w", version: 1, state: "open", regie: RegieHolder(partner: "p", contact: nil),
            participants: [Participant(partner: "q", role: .betrokken)], level: 0, clientKey: nil, suspendedAt: nil,
            sequence: 1, openedAt: now, updatedAt: now, lastActivityAt: now, closedAt: nil,
            timers: [
                TimerRecord(
                    id: 7, name: "t", kind: .deadline, event: "e", dueAt: now.adding(seconds: 60), startedAt: now,
                    ownerState: "open")
            ])
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = record
        var copy = original
        #expect(copy == original)
        copy.state = "dicht"
        copy.timers[0].id = 8
        copy.details.fields["reden"] = "verhuisd"
        copy.participants.append(Participant(partner: "r", role: .betrokken))
        #expect(original.state == "open")
        #expect(original.timers[0].id == 7)
        #expect(original.details.fields.isEmpty)
        #expect(original.participants.count == 1)
        #expect(copy.state == "dicht" && copy.timers[0].id == 8 && copy.details.fields["reden"] == "verhuisd")
        #expect(copy != original)
    }

    @Test func recordsAreEqualByTheirFieldsNotTheirStorage() {
        var a = record
        let b = record
        #expect(a == b)
        a.sequence = 2
        #expect(a != b)
        a.sequence = 1
        #expect(a == b)
    }

    @Test func aChangeInPlaceThroughAFunctionChangesOnlyThatRecord() {
        func restart(_ timers: inout [TimerRecord]) { timers[0].dueAt = timers[0].dueAt.adding(seconds: 60) }
        let original = record
        var copy = original
        restart(&copy.timers)
        #expect(copy.timers[0].dueAt == now.adding(seconds: 120))
        #expect(original.timers[0].dueAt == now.adding(seconds: 60))
    }
}
