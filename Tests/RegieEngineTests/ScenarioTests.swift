import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine

/// The region's own stories, end to end, on the shipped workflows and configuration, a real SQLite file and a
/// simulated clock.
@Suite struct ScenarioTests {
    let bw = "bw-aanbieder"
    let ggz = "ggz-aanbieder"

    /// A sheltered-housing provider ends a placement after aggression. Instead of the default move to the shelter,
    /// the case escalates; level 1 does not resolve it in 5 working days; the ketenregisseur takes a
    /// doorzettingsbesluit; a warm handover follows and regie moves only when it completes.
    @Test func aPlacementEndsAndTheKetenregisseurPushesAFittingPlaceThrough() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(bw), note: "woonbegeleiding en dagbesteding")

        // 1 December: an incident; the provider ends the placement and escalates instead of moving the client on.
        try region.now("2026-12-01T10:00")
        try region.fire(id, "voortgang", as: .regiehouder(bw), note: "agressie tegen begeleider; plaatsing eindigt")
        var c = try region.fire(
            id, "opschalen", as: .regiehouder(bw), motivation: "plaatsing beëindigd na agressie",
            fields: ["vraag": "een passende plek in plaats van doorplaatsing naar de MO"])
        #expect(c.level == 1)
        // Level 1 belongs to the procesregisseur of the responsible municipality, Velsen, and nobody else's.
        #expect(try region.outbox(id).last { $0.topic == "escalation.raised" }?.recipients == ["gemeente-velsen", bw])
        #expect(try region.dueDay(id, StateMachine.levelTimer) == "2026-12-08")
        let other = try region.refused(
            id, "afschalen", as: .procesregisseur("gemeente-haarlem"), motivation: "opgelost")
        #expect(other?.reason == .notInCase)
        #expect(other?.message.contains("gemeente-velsen") == true)
        // Doorzettingsmacht starts at level 2: even the ketenregisseur must wait.
        try region.now("2026-12-08T12:00")
        let early = try region.refused(
            id, "doorzettingsbesluit", as: .ketenregisseur, target: ggz, motivation: "spoed",
            fields: ["besluit": "opdracht"])
        #expect(early?.reason == .wrongState)
        #expect(early?.message.contains("doorzettingsmacht") == true)

        // Nobody resolves it at level 1 within 5 working days: it reaches the ketenregisseur by itself.
        try region.advance(to: "2026-12-09T09:00")
        c = try region.show(id)
        #expect(c.level == 2)
        let raised = try #require(try region.timeline(id).last)
        #expect(raised.event == StateMachine.levelTimerEvent)
        #expect(raised.payload["dueAt"]?.stringValue.flatMap { Instant(iso8601: $0) }.map(region.day) == "2026-12-08")
        let note = try #require(try region.outbox(id).first { $0.topic == "escalation.raised" && $0.level == 2 })
        #expect(note.recipients.contains("ketenregisseur-zkih"))

        // Only the holder of doorzettingsmacht decides; the procesregisseur is refused with the reason.
        try region.now("2026-12-10T10:00")
        let wrong = try region.refused(
            id, "doorzettingsbesluit", as: .procesregisseur("gemeente-velsen"), target: ggz, motivation: "m",
            fields: ["besluit": "opdracht"])
        #expect(wrong?.reason == .wrongRole)
        #expect(
            try region.refused(
                id, "doorzettingsbesluit", as: .ketenregisseur, target: ggz, fields: ["besluit": "opdracht"])?
                .reason == .missingRequirement)
        try region.now("2026-12-10T11:00")
        c = try region.fire(
            id, "doorzettingsbesluit", as: .ketenregisseur,
            note: "neem de cliënt op in een BW-plek met GGZ-begeleiding",
            target: ggz, motivation: "geen doorplaatsing naar de MO: passende zorg gaat voor",
            fields: ["besluit": "opdracht", "termijn": "10"])
        #expect(c.details.opdrachten.map(\.partner) == [ggz])
        #expect(c.partners.contains(Participant(partner: ggz, role: .betrokken)))
        #expect(try region.dueDay(id, "opdracht-termijn") == "2026-12-24")
        #expect(try region.dueDay(id, StateMachine.levelTimer) == nil)
        let decision = try #require(try region.outbox(id).last { $0.topic == "escalation.decision" })
        #expect(Set(decision.recipients) == [ggz, bw, "ketenregisseur-zkih"])

        // The warm handover: offered, accepted, met, and only then does regie move.
        try region.now("2026-12-10T14:00")
        try region.fire(id, "overdracht-aanbieden", as: .regiehouder(bw), note: "regie en woonbegeleiding", target: ggz)
        #expect(try region.outbox(id).last?.topic == "handover.offered")
        #expect(try region.outbox(id).last?.recipients == [ggz])
        try region.now("2026-12-11T09:00")
        c = try region.fire(id, "overdracht-accepteren", as: .betrokken(ggz))
        #expect(c.regie.partner == bw)
        #expect(try region.refused(id, "overdracht-afronden", as: .betrokken(ggz))?.reason == .wrongState)
        try region.now("2026-12-15T10:00")
        c = try region.fire(id, "kennismaking", as: .regiehouder(bw), note: "gesprek met cliënt, BW en GGZ")
        #expect(c.regie.partner == bw)
        try region.now("2026-12-15T11:00")
        c = try region.fire(id, "overdracht-afronden", as: .betrokken(ggz), contact: "M. Jansen (GGZ)")
        #expect(c.regie.partner == ggz)
        #expect(c.regie.contact == "M. Jansen (GGZ)")
        #expect(c.participants.contains(Participant(partner: bw, role: .betrokken)))
        #expect(!c.participants.contains { $0.partner == ggz })
        #expect(c.details.handover == nil)
        let completed = try #require(try region.outbox(id).last { $0.topic == "handover.completed" })
        #expect(Set(completed.recipients) == [ggz, bw])

        try region.fire(id, "opdracht-uitgevoerd", as: .regiehouder(ggz), note: "cliënt geplaatst")
        c = try region.fire(id, "afschalen", as: .ketenregisseur, motivation: "passende plek gevonden")
        #expect(c.level == 0)
        #expect(c.details.opdrachten.isEmpty)
        #expect(c.timers.allSatisfy { $0.name != StateMachine.levelTimer && $0.name != "opdracht-termijn" })
        // The stagnation timer runs from the progress note of 1 December (due 15 December), but it stood still while
        // the ketenregisseur's opdracht ran, from 10 to 15 December: three working days later, 18 December.
        #expect(try region.dueDay(id, "stagnatie") == "2026-12-18")

        // Throughout, exactly one partner held regie, and it moved exactly once, at overdracht-afronden.
        let moves = try region.timeline(id).filter { $0.payload["regie"] != nil }
        #expect(moves.map(\.event) == ["geopend", "overdracht-afronden"])
    }

    /// Nobody records progress: the case escalates level by level to 3 on its own, each deadline in working days,
    /// across Easter Monday and King's Day 2027.
    @Test func withoutProgressACaseClimbsTheLadderAcrossEasterAndKingsDay() throws {
        let region = try RegionHarness(at: "2027-03-26T09:00")
        let id = try region.open("netwerkcasus", regie: "gemeente-haarlem", gemeente: "gemeente-haarlem")
        try region.fire(id, "plan-vastgesteld", as: .regiehouder("gemeente-haarlem"), note: "plan")
        // Ten working days from Friday 26 March skip Easter Monday (29 March): Monday 12 April.
        #expect(try region.dueDay(id, "stagnatie") == "2027-04-12")
        try region.advance(to: "2027-05-31T09:00")
        let climbs = try region.timeline(id).filter { $0.payload["level"] != nil && $0.actor == .system }
        let steps = climbs.map { e in
            "\(e.event) -> \(e.payload["level"]?.intValue ?? -1) (due \(e.payload["dueAt"]?.stringValue.flatMap { Instant(iso8601: $0) }.map(region.day) ?? "?"))"
        }
        #expect(
            steps == [
                // Level 0: stagnation after 10 working days.
                "stagnatie-gesignaleerd -> 1 (due 2027-04-12)",
                // Level 1: 5 working days from Tuesday 13 April.
                "niveau-termijn-verstreken -> 2 (due 2027-04-20)",
                // Level 2: 5 working days from Wednesday 21 April, skipping King's Day (Tuesday 27 April).
                "niveau-termijn-verstreken -> 3 (due 2027-04-29)",
                // Level 3: 10 working days from Friday 30 April, skipping Liberation Day (5 May), Ascension Day
                // (6 May), the decreed Friday after it (7 May, Atw art. 3 lid 3) and Whit Monday (17 May). The owner
                // is told it is overdue; there is no level above.
                "niveau-termijn-verstreken -> 3 (due 2027-05-20)",
            ])
        let c = try region.show(id)
        #expect(c.level == 3)
        let owners = try region.outbox(id).filter { $0.topic.hasPrefix("escalation.") }.map(\.recipients)
        #expect(owners.count == 4)
        #expect(owners[0].contains("gemeente-haarlem"))
        #expect(owners[1].contains("ketenregisseur-zkih"))
        #expect(owners[2].contains("bestuur-centrumgemeente") && owners[2].contains("veiligheidsdriehoek-kennemerland"))
        #expect(try region.outbox(id).last { $0.topic.hasPrefix("escalation.") }?.topic == "escalation.overdue")
        // The administrative level de-escalates: back at level 0, the stagnation timer (which fired on 12 April)
        // watches the case again, from now.
        let lowered = try region.fire(
            id, "afschalen", as: Actor(partner: "bestuur-centrumgemeente", role: .bestuurlijk), motivation: "besluit")
        #expect(lowered.level == 0)
        #expect(try region.dueDay(id, "stagnatie") == "2027-06-14")
    }

    /// A handover the receiver never accepts: the acceptance window expires and the case escalates, while the old
    /// regiehouder holds regie throughout.
    @Test func anUnacceptedHandoverEscalatesAndRegieNeverLeavesItsHolder() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let haarlem = "gemeente-haarlem"
        let id = try region.open("netwerkcasus", regie: haarlem, gemeente: haarlem)
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(haarlem), note: "plan")
        try region.fire(
            id, "overdracht-aanbieden", as: .regiehouder(haarlem), note: "casusregie", target: "sociaal-wijkteam")
        #expect(try region.dueDay(id, "overdracht-acceptatie") == "2026-11-26")
        // Someone else cannot accept it for the receiver.
        #expect(
            try region.refused(id, "overdracht-accepteren", as: .betrokken(ggz))?.reason == .notInCase)
        var holders: [String] = []
        for day in ["2026-11-25T12:00", "2026-11-26T12:00", "2026-11-27T09:00", "2026-12-07T09:00"] {
            try region.advance(to: day)
            holders.append(try region.show(id).regie.partner)
        }
        #expect(holders == [haarlem, haarlem, haarlem, haarlem])
        let events = try region.timeline(id).map(\.event)
        #expect(events.contains("overdracht-acceptatie-verlopen"))
        #expect(events.filter { $0 == "herinnering" }.count >= 1)
        let overdue = try #require(try region.outbox(id).first { $0.topic == "handover.overdue" })
        #expect(overdue.level == 1)
        #expect(Set(overdue.recipients) == [haarlem, "sociaal-wijkteam"])
        // Level 1 was not resolved either: by 7 December the ketenregisseur owns it.
        let c = try region.show(id)
        #expect(c.level == 2)
        #expect(c.details.handover?.stage == "aangeboden")
        #expect(c.partners.filter { $0.role == .regiehouder }.map(\.partner) == [haarlem])
    }

    /// Police signals just before and just after the VSO cut-off land on the right meeting; the meeting refers to
    /// bemoeizorg as a linked case; the police hear back within the window.
    @Test func policeSignalsLandOnTheRightMeetingAndHearBack() throws {
        let region = try RegionHarness(at: "2026-11-23T11:59")
        let police = Actor(partner: "politie-haarlem", role: .melder)
        let chair = "gemeente-haarlem"
        let team = ["basisteam": "politie-haarlem"]
        // Basisteam Haarlem meets on Tuesdays at 10:00; the agenda closes the working day before at 12:00.
        let before = try region.open("vso", regie: chair, as: police, fields: team)
        try region.now("2026-11-23T12:01")
        let after = try region.open("vso", regie: chair, as: police, fields: team, bsn: "111222333")
        #expect(try region.show(before).details.agenda.map { region.calendar.localText($0) } == "2026-11-24 10:00 CET")
        #expect(try region.show(after).details.agenda.map { region.calendar.localText($0) } == "2026-12-01 10:00 CET")
        // The police hear back within 5 working days after the meeting.
        #expect(try region.dueDay(before, "terugkoppeling") == "2026-12-01")
        #expect(try region.dueDay(after, "terugkoppeling") == "2026-12-08")
        #expect(
            try region.refused(after, "geen-actie", as: .betrokken("politie-ijmond"), note: "x")?.reason == .notInCase)

        // At the meeting of 1 December the signal is referred to bemoeizorg: a linked case, opened in the same step.
        try region.advance(to: "2026-12-01T10:30")
        let criteria = [
            "ernstige-problematiek": "ja", "meerdere-domeinen": "ja", "geen-hulpvraag": "ja", "outreach-nodig": "ja",
        ]
        let missing = try region.refused(
            after, "actie-bemoeizorg", as: .regiehouder(chair), note: "zorgmijder", target: "ggd-vangnet")
        #expect(missing?.reason == .missingRequirement)
        #expect(
            try region.refused(
                after, "actie-bemoeizorg", as: .regiehouder(chair), note: "zorgmijder", target: "ggd-vangnet",
                fields: criteria.merging(["uitkomst": "x"]) { a, _ in a })?.reason == .invalidArgument)
        let vso = try region.fire(
            after, "actie-bemoeizorg", as: .regiehouder(chair), note: "zorgmijder, vervuilde woning",
            target: "ggd-vangnet", fields: criteria)
        let link = try #require(vso.details.links.first)
        #expect(link.workflow == "bemoeizorg" && link.direction == .opened)
        let referral = try region.show(link.caseId)
        #expect(referral.regie.partner == "ggd-vangnet")
        #expect(referral.details.links == [CaseLink(caseId: after, workflow: "vso", direction: .openedFrom)])
        #expect(referral.details.fields == criteria)
        #expect(referral.clientKey == vso.clientKey && referral.clientKey != nil)
        #expect(referral.partners.contains(Participant(partner: chair, role: .melder)))
        #expect(try region.dueDay(referral.id, "triage-termijn") == "2026-12-08")

        // The police hear back (the outcome, not the content), within the window.
        try region.now("2026-12-03T09:00")
        let closed = try region.fire(after, "teruggekoppeld", as: .regiehouder(chair), note: "verwezen naar bemoeizorg")
        #expect(closed.closedAt != nil)
        let feedback = try #require(try region.outbox(after).last { $0.topic == "signal.feedback" })
        #expect(feedback.recipients == ["politie-haarlem"])
        // The referrer of the bemoeizorg case hears its outcome when it closes.
        try region.fire(referral.id, "triage", as: .regiehouder("ggd-vangnet"), note: "outreach nodig")
        try region.fire(
            referral.id, "afsluiten", as: .regiehouder("ggd-vangnet"), note: "elders in zorg",
            fields: ["uitkomst": "al-in-zorg"])
        #expect(try region.outbox(referral.id).last { $0.topic == "referral.outcome" }?.recipients == [chair])
        // The signal discussed on 24 November was never fed back: its window escalated it.
        try region.advance(to: "2026-12-02T09:00")
        #expect(try region.timeline(before).map(\.event).contains("terugkoppeling-verlopen"))
        #expect(try region.show(before).level >= 1)
    }

    /// A Wvggz melding whose 14th day falls on a Sunday gets its deadline on the Monday (Algemene termijnenwet).
    @Test func aWvggzDeadlineOnASundayMovesToMonday() throws {
        let region = try RegionHarness(at: "2026-11-22T15:00")  // a Sunday: 22 + 14 = Sunday 6 December
        let id = try region.open(
            "wvggz-melding", regie: "gemeente-haarlem", as: Actor(partner: "sociaal-wijkteam", role: .melder),
            fields: ["melder-naaste": "nee"])
        let timer = try #require(
            try region.show(id).timers.first { $0.name == "onderzoekstermijn" && $0.kind == .deadline })
        #expect(region.day(timer.dueAt) == "2026-12-07")
        #expect(region.calendar.localText(timer.dueAt) == "2026-12-08 00:00 CET")
        // A melder who is not a close relative does not hear the outcome; a close relative does.
        try region.fire(id, "geen-actie", as: .regiehouder("gemeente-haarlem"), motivation: "geen zorgen")
        #expect(try region.outbox(id).allSatisfy { $0.topic != "melding.outcome" })
        let relative = try region.open(
            "wvggz-melding", regie: "gemeente-haarlem", as: Actor(partner: "sociaal-wijkteam", role: .melder),
            fields: ["melder-naaste": "ja"])
        try region.fire(
            relative, "vrijwillig-kader", as: .regiehouder("gemeente-haarlem"), target: ggz,
            motivation: "cliënt wil hulp", fields: ["route": "netwerkcasus"])
        #expect(try region.outbox(relative).last { $0.topic == "melding.outcome" }?.recipients == ["sociaal-wijkteam"])
        let linked = try #require(try region.show(relative).details.links.first)
        #expect(try region.show(linked.caseId).workflow == "netwerkcasus")
        #expect(try region.show(linked.caseId).regie.partner == ggz)
        // Missing the deadline escalates.
        let late = try region.open(
            "wvggz-melding", regie: "gemeente-haarlem", as: Actor(partner: "sociaal-wijkteam", role: .melder),
            fields: ["melder-naaste": "nee"])
        try region.advance(to: "2026-12-09T09:00")
        #expect(try region.show(late).level == 1)
    }

    /// Most cases never escalate. Closing one sets the level to 0 on the way, which it already is: that is no
    /// reason to refuse (it was, until the webhook tests tried to close such a case).
    @Test func aCaseThatNeverEscalatedCanBeClosed() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-haarlem")
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(bw), note: "plan")
        let closed = try region.fire(
            id, "afsluiten", as: .regiehouder(bw), note: "doelen bereikt",
            fields: ["uitkomst": "doel-bereikt", "nazorg": "ja"])
        #expect(closed.state == "afgesloten" && closed.level == 0)
    }
}
