import Foundation
import Testing

@testable import RegieCore

@Suite struct StateMachineTests {
    let calendar = DutchCalendar()
    let machine: StateMachine
    let haarlem = Actor(partner: "gemeente-haarlem", role: .regiehouder)

    init() throws {
        let workflow = try WorkflowLoader.load(Array(sampleWorkflow.utf8), file: "proef.json")
        machine = StateMachine(workflow: workflow, calendar: DutchCalendar(), mandates: [.ketenregisseur: ["keten"]])
    }

    func at(_ s: String) throws -> Instant { try calendar.parseInstant(s) }

    /// Gives stored ids to timers, as the store would.
    func stored(_ r: CaseRecord) -> CaseRecord {
        var r = r
        for i in r.timers.indices where r.timers[i].id == nil { r.timers[i].id = Int64(i + 100 * r.sequence) }
        return r
    }

    func opened() throws -> CaseRecord {
        stored(
            try machine.open(
                id: "c-1", regie: RegieHolder(partner: "gemeente-haarlem", contact: "J"), actor: haarlem,
                clientKey: nil, now: try at("2026-11-23T09:00")
            ).record)
    }

    func running() throws -> CaseRecord {
        let d = try machine.apply(
            CaseCommand(event: "starten", actor: haarlem, note: "plan"), to: try opened(),
            now: try at("2026-11-23T10:00"))
        return stored(d.record)
    }

    func refusal(_ command: CaseCommand, on record: CaseRecord) throws -> Refusal.Reason? {
        let now = try at("2026-11-24T10:00")
        do {
            _ = try machine.apply(command, to: record, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    /// A workflow's own `notify` of `case.changed` on a transition that changes the state is the built-in
    /// notification, not a second one: one notification (one webhook-id), to everyone either names.
    @Test func aWorkflowsOwnCaseChangedIsMergedWithTheBuiltInOne() throws {
        let text = sampleWorkflow.replacingOccurrences(
            of: #""requires": ["note"]},"#,
            with:
                #""requires": ["note"], "effects": [{"notify": {"topic": "case.changed", "to": ["regiehouder", "ketenregisseur"]}}]},"#
        )
        #expect(text != sampleWorkflow)
        let m = StateMachine(
            workflow: try WorkflowLoader.load(Array(text.utf8), file: "proef.json"), calendar: DutchCalendar(),
            mandates: [.ketenregisseur: ["keten"]])
        let opened = stored(
            try m.open(
                id: "c-1", regie: RegieHolder(partner: "gemeente-haarlem", contact: "J"), actor: haarlem,
                clientKey: nil, now: try at("2026-11-23T09:00")
            ).record)
        let d = try m.apply(
            CaseCommand(event: "starten", actor: haarlem, note: "plan"), to: opened, now: try at("2026-11-23T10:00"))
        let changed = d.notifications.filter { $0.topic == "case.changed" }
        #expect(changed.count == 1, "\(d.notifications)")
        #expect(Set(changed.first?.recipients ?? []) == ["gemeente-haarlem", "keten"])
    }

    @Test func openingStartsWithOneRegiehouderAndTheInitialTimers() throws {
        let d = try machine.open(
            id: "c-1", regie: RegieHolder(partner: "gemeente-haarlem", contact: nil),
            actor: Actor(partner: "politie-haarlem", role: .melder), clientKey: "k", now: try at("2026-11-23T09:00"))
        #expect(d.record.state == "open")
        #expect(d.record.partners.filter { $0.role == .regiehouder }.map(\.partner) == ["gemeente-haarlem"])
        #expect(d.record.participants == [Participant(partner: "politie-haarlem", role: .melder)])
        #expect(d.record.timers.map(\.kind) == [.deadline, .reminder])
        #expect(d.events.map(\.event) == ["geopend"])
        #expect(throws: Refusal.self) {
            try machine.open(
                id: "c-2", regie: RegieHolder(partner: "", contact: nil), actor: haarlem, clientKey: nil,
                now: Instant(seconds: 0))
        }
    }

    @Test func everyRefusalReason() throws {
        let r = try running()
        #expect(
            try refusal(CaseCommand(event: "voortgang", actor: haarlem, expectedSequence: 1), on: r) == .staleSequence)
        #expect(try refusal(CaseCommand(event: "vliegen", actor: haarlem), on: r) == .unknownEvent)
        #expect(try refusal(CaseCommand(event: "geopend", actor: haarlem), on: r) == .unknownEvent)
        #expect(try refusal(CaseCommand(event: "starten", actor: haarlem, note: "x"), on: r) == .wrongState)
        #expect(
            try refusal(CaseCommand(event: "afronden", actor: Actor(partner: "ggz", role: .betrokken)), on: r)
                == .wrongRole)
        #expect(
            try refusal(CaseCommand(event: "voortgang", actor: Actor(partner: "ggz", role: .betrokken)), on: r)
                == .notInCase)
        #expect(
            try refusal(CaseCommand(event: "voortgang", actor: Actor(partner: "ggz", role: .regiehouder)), on: r)
                == .notInCase)
        #expect(try refusal(CaseCommand(event: "voortgang", actor: .system), on: r) == .wrongRole)
        #expect(
            try refusal(CaseCommand(event: "overdragen", actor: haarlem, target: "ggz"), on: r) == .missingRequirement)
        #expect(
            try refusal(
                CaseCommand(event: "overdragen", actor: haarlem, target: "gemeente-haarlem", motivation: "m"), on: r)
                == .invalidTarget)
        #expect(
            try refusal(CaseCommand(event: "verwijderen", actor: haarlem, target: "gemeente-haarlem"), on: r)
                == .regieEmpty)
        #expect(try refusal(CaseCommand(event: "verwijderen", actor: haarlem, target: "ggz"), on: r) == .invalidTarget)
        #expect(
            try refusal(
                CaseCommand(event: "verlengen", actor: haarlem, motivation: "m", timer: "nergens", days: 2), on: r)
                == .invalidArgument)
        #expect(
            try refusal(CaseCommand(event: "verlengen", actor: haarlem, timer: "stilstand", days: 2), on: r)
                == .missingRequirement)
        #expect(
            try refusal(
                CaseCommand(event: "opschorten", actor: Actor(partner: "ggz", role: .betrokken), motivation: "m"), on: r
            ) == .wrongRole)
        let closed = stored(
            try machine.apply(CaseCommand(event: "afronden", actor: haarlem), to: r, now: try at("2026-11-24T09:00"))
                .record)
        #expect(closed.closedAt != nil && closed.timers.isEmpty)
        #expect(try refusal(CaseCommand(event: "voortgang", actor: haarlem), on: closed) == .caseClosed)
    }

    @Test func refusalsSayWhatIsAllowed() throws {
        let r = try running()
        let now = try at("2026-11-24T10:00")
        do {
            _ = try machine.apply(CaseCommand(event: "starten", actor: haarlem, note: "x"), to: r, now: now)
            Issue.record("not refused")
        } catch {
            #expect(
                error.message
                    == "\"starten\" is not allowed in state bezig; allowed here: voortgang, toevoegen, overdragen, verwijderen, afronden, afschermen, afscherming-opheffen, contactpersoon, gemeente-wijzigen, hervatten, lid-toevoegen, opschorten, verlengen"
            )
        }
    }

    @Test func regieMovesAtomicallyAndThePreviousHolderStaysInvolved() throws {
        let keten = Actor(partner: "keten", role: .ketenregisseur)
        let d = try machine.apply(
            CaseCommand(event: "overdragen", actor: keten, target: "ggz", motivation: "doorzettingsmacht"),
            to: try running(), now: try at("2026-11-24T10:00"))
        #expect(d.record.regie.partner == "ggz")
        #expect(d.record.partners.filter { $0.role == .regiehouder }.count == 1)
        #expect(d.record.participants.contains(Participant(partner: "gemeente-haarlem", role: .betrokken)))
        #expect(d.events.first?.payload["regie"]?.stringValue == "ggz")
    }

    @Test func leavingAStateCancelsItsTimersAndReenteringRestartsThem() throws {
        let open = try opened()
        #expect(open.timers.allSatisfy { $0.name == "termijn" })
        let r = try running()
        #expect(r.timers.map(\.name) == ["stilstand"])
        let first = try #require(r.timers.first)
        #expect(first.dueAt.iso8601 == "2026-12-07T23:00:00.000Z")
        let later = try machine.apply(
            CaseCommand(event: "voortgang", actor: haarlem), to: r, now: try at("2026-11-30T10:00")
        ).record
        #expect(later.timers.count == 1)
        #expect(later.timers[0].id == nil)
        #expect(later.timers[0].dueAt.iso8601 == "2026-12-14T23:00:00.000Z")
        // An internal transition (no "to") keeps the timers as they are.
        let added = try machine.apply(
            CaseCommand(event: "toevoegen", actor: haarlem, target: "ggz"), to: r, now: try at("2026-11-30T10:00")
        ).record
        #expect(added.timers == r.timers)
    }

    @Test func timersFireTheirEventOnceAndRemindersComeFirst() throws {
        let open = try opened()
        let reminder = try #require(open.timers.first { $0.kind == .reminder })
        let deadline = try #require(open.timers.first { $0.kind == .deadline })
        let reminderID = try #require(reminder.id)
        let deadlineID = try #require(deadline.id)
        let afterReminder = try #require(machine.fire(timerID: reminderID, of: open, now: reminder.dueAt))
        #expect(afterReminder.events.map(\.event) == ["herinnering"])
        #expect(afterReminder.record.timers == [deadline])
        let fired = try #require(
            machine.fire(timerID: deadlineID, of: afterReminder.record, now: deadline.dueAt.adding(seconds: 3)))
        #expect(fired.events.first?.event == "verlopen")
        #expect(fired.events.first?.actor == .system)
        #expect(fired.events.first?.payload["latenessMs"] == .int(3000))
        #expect(fired.record.level == 1)
        // Level 1 has its own response deadline from the ladder (5 working days: Tuesday 1 to Tuesday 8 December).
        #expect(fired.record.timers.map(\.name) == [StateMachine.levelTimer])
        #expect(
            fired.record.timers.first.map { calendar.localDate(of: $0.dueAt.adding(seconds: -1)).isoText }
                == "2026-12-08")
        // Fired means gone: firing it again does nothing.
        #expect(machine.fire(timerID: deadlineID, of: fired.record, now: deadline.dueAt) == nil)
    }

    @Test func suspensionPausesTimersAndShiftsThemByTheSuspendedWorkingDays() throws {
        let r = try running()
        let suspended = stored(
            try machine.apply(
                CaseCommand(event: "opschorten", actor: haarlem, motivation: "opname"), to: r,
                now: try at("2026-11-25T10:00")
            ).record)
        #expect(suspended.suspended && suspended.timers.allSatisfy(\.paused))
        let pausedID = try #require(suspended.timers.first?.id)
        #expect(machine.fire(timerID: pausedID, of: suspended, now: try at("2026-12-31T10:00")) == nil)
        // Suspended Wed 25 Nov 10:00 to Wed 2 Dec 10:00: Thu 26, Fri 27, Mon 30, Tue 1, Wed 2 = 5 working days.
        let resumed = try machine.apply(
            CaseCommand(event: "hervatten", actor: haarlem), to: suspended, now: try at("2026-12-02T10:00"))
        #expect(resumed.events.first?.payload["workingDays"] == .int(5))
        #expect(resumed.record.timers.first?.dueAt.iso8601 == "2026-12-14T23:00:00.000Z")
        #expect(resumed.record.timers.allSatisfy { !$0.paused })
    }

    @Test func extensionMovesADeadlineByWorkingDays() throws {
        let d = try machine.apply(
            CaseCommand(
                event: "verlengen", actor: haarlem, motivation: "wacht op indicatie", timer: "stilstand", days: 3),
            to: try running(), now: try at("2026-11-24T10:00"))
        #expect(d.record.timers.first?.dueAt.iso8601 == "2026-12-10T23:00:00.000Z")
        #expect(d.events.first?.payload["from"]?.stringValue == "2026-12-07T23:00:00.000Z")
        #expect(d.events.first?.payload["motivation"]?.stringValue == "wacht op indicatie")
    }
}
