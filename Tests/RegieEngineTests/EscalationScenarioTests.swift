import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine

/// The region's stories of escalation that must not be defused: a deadline belongs to whoever set it, statutory
/// deadlines are not negotiable, and suspensions count as the README says. Each story asserts, at its steps, what
/// every partner of the region sees of the case.
@Suite struct EscalationScenarioTests {
    let ggz = "ggz-aanbieder"
    let bw = "bw-aanbieder"
    let vo = "vrouwenopvang"
    let keten = Actor.ketenregisseur
    let bestuur = Actor(partner: "bestuur-centrumgemeente", role: .bestuurlijk)

    /// Opens a netwerkcasus with its plan and raises it `levels` times as its regiehouder.
    func escalated(_ region: RegionHarness, regie: String, gemeente: String, levels: Int) throws -> String {
        let id = try region.open("netwerkcasus", regie: regie, gemeente: gemeente)
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(regie), note: "gezamenlijk plan")
        for _ in 0..<levels {
            try region.fire(
                id, "opschalen", as: .regiehouder(regie), motivation: "komt niet verder",
                fields: ["vraag": "wie neemt dit op"])
        }
        return id
    }

    /// GGZ holds regie on a case the administrative level now owns. It tried to give itself 60 more working days
    /// ("even geen tijd"); that is refused with the owner named. Its suspension leaves the level's deadline running
    /// and the administrative level hears of it; the alderman may extend its own deadline, and GGZ hears of that.
    @Test func theRegiehouderCannotStretchTheLevelsDeadline() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: ggz, gemeente: "gemeente-haarlem", levels: 3)
        #expect(try region.show(id).level == 3)
        // The administrative level (both its owners) sees what it must decide; the responsible municipality keeps
        // its oversight at every level.
        #expect(
            try region.views(id) == [
                ggz: .full, "bestuur-centrumgemeente": .oversight, "veiligheidsdriehoek-kennemerland": .oversight,
                "gemeente-haarlem": .oversight,
            ])
        #expect(try region.dueDay(id, StateMachine.levelTimer) == "2026-12-07")

        let stretch = try region.refused(
            id, "verlengen", as: .regiehouder(ggz), motivation: "even geen tijd", timer: StateMachine.levelTimer,
            days: 60)
        #expect(stretch?.reason == .wrongRole)
        #expect(stretch?.message.contains("belongs to level 3 (bestuurlijk)") == true)
        #expect(stretch?.message.contains("only the owner of level 3 (bestuurlijk) may extend it") == true)
        // Level 1's owner is below level 3 as well.
        #expect(
            try region.refused(
                id, "verlengen", as: .procesregisseur("gemeente-haarlem"), motivation: "m",
                timer: StateMachine.levelTimer, days: 5)?.reason == .wrongRole)

        try region.now("2026-11-24T10:00")
        var c = try region.fire(id, "opschorten", as: .regiehouder(ggz), motivation: "klinische opname")
        let level = try #require(c.timers.first { $0.name == StateMachine.levelTimer && $0.kind == .deadline })
        #expect(!level.paused)
        #expect(c.timers.first { $0.name == "stagnatie" && $0.kind == .deadline }?.paused == true)
        #expect(
            Set(try region.told(id, "case.suspended")) == [
                "bestuur-centrumgemeente", "veiligheidsdriehoek-kennemerland",
            ])
        let suspended = try #require(try region.timeline(id).last)
        #expect(suspended.payload["running"]?.arrayValue == ["niveau-termijn (of level 3 (bestuurlijk))"])
        #expect(suspended.payload["paused"]?.arrayValue == ["stagnatie"])

        try region.now("2026-11-25T10:00")
        c = try region.fire(
            id, "verlengen", as: bestuur, motivation: "advies GGD afwachten", timer: StateMachine.levelTimer, days: 5)
        #expect(try region.dueDay(id, StateMachine.levelTimer) == "2026-12-14")
        #expect(Set(try region.told(id, "deadline.extended")) == ["veiligheidsdriehoek-kennemerland", ggz])
        // GGZ may lift its own suspension; the level's deadline never stood still.
        try region.now("2026-11-30T10:00")
        c = try region.fire(id, "hervatten", as: .regiehouder(ggz))
        #expect(try region.dueDay(id, StateMachine.levelTimer) == "2026-12-14")
        #expect(c.suspendedAt == nil)
    }

    /// The vrouwenopvang holds regie; the ketenregisseur gave it a binding opdracht. It can neither extend that
    /// opdracht nor pause it by suspending the case, and the ketenregisseur hears of the suspension; the
    /// ketenregisseur may extend its own opdracht.
    @Test func aPartnerCannotStretchTheKetenregisseursOpdracht() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: vo, gemeente: "gemeente-velsen", levels: 2)
        #expect(try region.views(id) == [vo: .full, "ketenregisseur-zkih": .oversight, "gemeente-velsen": .oversight])
        try region.fire(
            id, "doorzettingsbesluit", as: keten, note: "zoek een vervolgplek buiten de regio", target: vo,
            motivation: "veiligheid van de cliënt gaat voor", fields: ["besluit": "opdracht", "termijn": "20"])
        #expect(try region.dueDay(id, "opdracht-termijn") == "2026-12-21")
        #expect(try region.told(id, "escalation.decision").contains(vo))

        let stretch = try region.refused(
            id, "verlengen", as: .regiehouder(vo), motivation: "meer tijd nodig", timer: "opdracht-termijn", days: 20)
        #expect(stretch?.reason == .wrongRole)
        #expect(stretch?.message.contains("belongs to level 2 (ketenregie)") == true)

        try region.now("2026-11-24T09:00")
        let c = try region.fire(id, "opschorten", as: .regiehouder(vo), motivation: "cliënt tijdelijk elders")
        #expect(c.timers.first { $0.name == "opdracht-termijn" && $0.kind == .deadline }?.paused == false)
        #expect(try region.told(id, "case.suspended") == ["ketenregisseur-zkih"])
        // Nobody below lifts a suspension made above: the ketenregisseur's own suspension is its to lift.
        try region.fire(id, "opschorten", as: keten, motivation: "wacht op uitspraak rechter")
        #expect(try region.show(id).timers.first { $0.name == "opdracht-termijn" }?.paused == true)
        #expect(try region.told(id, "case.suspended") == [vo])
        let lift = try region.refused(id, "hervatten", as: .regiehouder(vo))
        #expect(lift?.reason == .wrongRole)
        #expect(
            lift?.message.contains("only the owner of level 2 or above (ketenregisseur, bestuurlijk) may lift it")
                == true)
        try region.now("2026-11-26T09:00")
        try region.fire(id, "hervatten", as: keten)
        // It stood still from Tuesday 24 to Thursday 26 November: two working days.
        #expect(try region.dueDay(id, "opdracht-termijn") == "2026-12-23")
        try region.fire(
            id, "verlengen", as: keten, motivation: "plek per 1 januari", timer: "opdracht-termijn", days: 5)
        #expect(try region.dueDay(id, "opdracht-termijn") == "2026-12-31")
        #expect(try region.told(id, "deadline.extended") == [vo])
    }

    /// A doorzettingsbesluit gives two partners each their own opdracht, with their own deadlines, shown on the case.
    /// They end independently: one is reported done, the other expires and escalates the case again.
    @Test func twoOpdrachtenRunAndEndIndependently() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 2)
        try region.fire(
            id, "doorzettingsbesluit", as: keten, note: "neem de behandeling op", target: ggz, motivation: "m",
            fields: ["besluit": "opdracht", "termijn": "10"])
        try region.fire(
            id, "doorzettingsbesluit", as: keten, note: "start detox", target: "verslavingszorg", motivation: "m",
            fields: ["besluit": "opdracht", "termijn": "5"])
        var c = try region.show(id)
        #expect(c.details.opdrachten.map(\.partner) == [ggz, "verslavingszorg"])
        let deadlines = c.timers.filter { $0.name == "opdracht-termijn" && $0.kind == .deadline }
        #expect(Set(deadlines.map(\.label)) == ["opdracht-termijn:\(ggz)", "opdracht-termijn:verslavingszorg"])
        let shown = try #require(region.engine.json(of: c)["opdrachten"]?.arrayValue)
        #expect(shown.map { $0["dueDate"]?.stringValue } == ["2026-12-07", "2026-11-30"])
        #expect(
            try region.views(id) == [
                bw: .full, ggz: .full, "verslavingszorg": .full, "ketenregisseur-zkih": .oversight,
                "gemeente-velsen": .oversight,
            ])
        // A second opdracht for the same partner is refused; extending one names which.
        #expect(
            try region.refused(
                id, "doorzettingsbesluit", as: keten, target: ggz, motivation: "m", fields: ["besluit": "opdracht"])?
                .reason == .wrongState)
        let which = try region.refused(
            id, "verlengen", as: keten, motivation: "m", timer: "opdracht-termijn", days: 2)
        #expect(which?.message.contains("runs several") == true)
        try region.fire(
            id, "verlengen", as: keten, motivation: "m", timer: "opdracht-termijn:\(ggz)", days: 2)
        #expect(
            region.engine.json(of: try region.show(id))["opdrachten"]?.arrayValue?.first?["dueDate"]?.stringValue
                == "2026-12-09")

        try region.now("2026-11-27T10:00")
        c = try region.fire(id, "opdracht-uitgevoerd", as: .betrokken(ggz), note: "behandeling gestart")
        #expect(c.details.opdrachten.map(\.partner) == ["verslavingszorg"])
        #expect(c.level == 2)
        #expect(try region.told(id, "opdracht.done").contains("ketenregisseur-zkih"))
        // Verslavingszorg lets its deadline pass: its opdracht ends, it hears so, and the case goes up again.
        try region.advance(to: "2026-12-01T09:00")
        c = try region.show(id)
        #expect(c.details.opdrachten.isEmpty)
        #expect(c.level == 3)
        let expired = try #require(try region.outbox(id).last { $0.topic == "opdracht.expired" })
        #expect(expired.recipients == ["verslavingszorg"])
        #expect(try region.timeline(id).last?.payload["subject"]?.stringValue == "verslavingszorg")
    }

    /// An opdracht ends only by an event: the level withdraws it with a motivation (the regiehouder cannot), or the
    /// level de-escalates, which withdraws what it gave on the record and tells each partner.
    @Test func afschalenRecordsWhatHappensToARunningOpdracht() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 2)
        for target in [ggz, "verslavingszorg"] {
            try region.fire(
                id, "doorzettingsbesluit", as: keten, note: "opdracht", target: target, motivation: "m",
                fields: ["besluit": "opdracht", "termijn": "10"])
        }
        #expect(
            try region.refused(id, "opdracht-intrekken", as: .regiehouder(bw), target: ggz, motivation: "m")?.reason
                == .wrongRole)
        #expect(
            try region.refused(id, "opdracht-intrekken", as: keten, target: ggz)?.reason == .missingRequirement)
        var c = try region.fire(id, "opdracht-intrekken", as: keten, target: ggz, motivation: "GGZ is niet nodig")
        #expect(c.details.opdrachten.map(\.partner) == ["verslavingszorg"])
        #expect(Set(try region.told(id, "opdracht.withdrawn")) == [ggz, bw])
        #expect(!c.timers.contains { $0.subject == ggz })

        c = try region.fire(id, "afschalen", as: keten, motivation: "plek gevonden")
        #expect(c.level == 0)
        #expect(c.details.opdrachten.isEmpty)
        #expect(!c.timers.contains { $0.name == "opdracht-termijn" })
        let lowered = try #require(try region.timeline(id).last)
        #expect(lowered.payload["withdrawn"]?.arrayValue == ["verslavingszorg"])
        #expect(try region.told(id, "opdracht.withdrawn") == ["verslavingszorg"])
        // The ketenregisseur no longer owns the case's level and no longer sees it.
        #expect(
            try region.views(id) == [bw: .full, ggz: .full, "verslavingszorg": .full, "gemeente-velsen": .oversight])
    }

    /// After a doorzettingsbesluit at level 2 with a 20-day opdracht, the old stagnation timer would have pushed the
    /// case to level 3 a week later. While the opdracht runs, stagnation holds; when it ends, stagnation resumes
    /// with the time it had left.
    @Test func stagnationDoesNotClimbAboveADecidingLevel() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 2)
        #expect(try region.dueDay(id, "stagnatie") == "2026-12-07")
        try region.now("2026-11-26T10:00")
        var c = try region.fire(
            id, "doorzettingsbesluit", as: keten, note: "neem regie over", target: ggz, motivation: "m",
            fields: ["besluit": "opdracht", "termijn": "20"])
        #expect(c.timers.first { $0.name == "stagnatie" && $0.kind == .deadline }?.paused == true)
        #expect(try region.timeline(id).last?.payload["paused"]?.arrayValue == ["stagnatie"])
        try region.advance(to: "2026-12-10T09:00")
        c = try region.show(id)
        #expect(c.level == 2)
        #expect(!(try region.timeline(id).map(\.event).contains("stagnatie-gesignaleerd")))

        try region.now("2026-12-10T10:00")
        c = try region.fire(id, "opdracht-uitgevoerd", as: .betrokken(ggz), note: "regie overgenomen")
        // Held for the ten working days from 27 November to 10 December: 7 + 10 working days = 21 December.
        #expect(try region.dueDay(id, "stagnatie") == "2026-12-21")
        let resumed = try #require(try region.timeline(id).last?.payload["resumed"]?.arrayValue?.first)
        #expect(resumed["timer"]?.stringValue == "stagnatie")
        #expect(c.timers.first { $0.name == "stagnatie" && $0.kind == .deadline }?.paused == false)
    }

    /// A forced regie move (doorzettingsbesluit regie-toewijzen) names the new holder's contact person, or the new
    /// holder must name one on its first action.
    @Test func aForcedRegieMoveAsksForTheContactPerson() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 2)
        var c = try region.fire(
            id, "doorzettingsbesluit", as: keten, target: ggz, motivation: "GGZ is de passende regiehouder",
            fields: ["besluit": "regie-toewijzen"])
        #expect(c.regie == RegieHolder(partner: ggz, contact: nil))
        #expect(c.details.contactRequired)
        #expect(
            try region.views(id) == [
                ggz: .full, bw: .full, "ketenregisseur-zkih": .oversight, "gemeente-velsen": .oversight,
            ])
        let first = try region.refused(id, "voortgang", as: .regiehouder(ggz), note: "intake gepland")
        #expect(first?.reason == .missingRequirement)
        #expect(first?.message.contains("--contact") == true)
        // Only the holder names its own contact person.
        #expect(
            try region.refused(id, "voortgang", as: .betrokken(bw), note: "x", contact: "iemand")?.reason
                == .wrongRole)
        c = try region.fire(id, "voortgang", as: .regiehouder(ggz), note: "intake gepland", contact: "S. de Boer")
        #expect(c.regie.contact == "S. de Boer" && !c.details.contactRequired)
        c = try region.fire(id, "contactpersoon", as: .regiehouder(ggz), contact: "A. Yilmaz")
        #expect(c.regie.contact == "A. Yilmaz")
        #expect(try region.timeline(id).last?.payload["contact"]?.stringValue == "A. Yilmaz")

        // The ketenregisseur may name the contact person with the decision itself.
        let other = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 2)
        c = try region.fire(
            other, "doorzettingsbesluit", as: keten, target: ggz, motivation: "m",
            fields: ["besluit": "regie-toewijzen"], contact: "S. de Boer")
        #expect(c.regie == RegieHolder(partner: ggz, contact: "S. de Boer") && !c.details.contactRequired)
        try region.fire(other, "voortgang", as: .regiehouder(ggz), note: "intake")
    }

    /// Closing an escalated netwerkcasus would lower its level: the regiehouder must ask the level's owner first.
    @Test func anEscalatedCaseIsNotClosedFromBelow() throws {
        let region = try RegionHarness(at: "2026-11-23T09:00")
        let id = try escalated(region, regie: bw, gemeente: "gemeente-velsen", levels: 1)
        let close = try region.refused(
            id, "afsluiten", as: .regiehouder(bw), note: "klaar", fields: ["uitkomst": "overig", "nazorg": "nee"])
        #expect(close?.reason == .wrongRole)
        #expect(
            close?.message.contains("only the owner of level 1 or above (procesregisseur, ketenregisseur, bestuurlijk)")
                == true)
        try region.fire(id, "afschalen", as: .procesregisseur("gemeente-velsen"), motivation: "opgelost")
        try region.fire(
            id, "afsluiten", as: .regiehouder(bw), note: "klaar", fields: ["uitkomst": "overig", "nazorg": "nee"])
        #expect(try region.show(id).state == "afgesloten")
    }

    /// The Wvggz verkennend onderzoek is statutory (art. 5:3): a melding on Friday 20 March 2026 is due at the end
    /// of Tuesday 7 April (Good Friday and Easter Monday are holidays for the law). Nobody extends it, and a
    /// suspension leaves it running.
    @Test func theWvggzDeadlineCannotBeMoved() throws {
        let region = try RegionHarness(at: "2026-03-20T10:00")
        let id = try region.open(
            "wvggz-melding", regie: "gemeente-haarlem", as: Actor(partner: "sociaal-wijkteam", role: .melder),
            gemeente: "gemeente-haarlem", fields: ["melder-naaste": "nee"])
        #expect(try region.dueDay(id, "onderzoekstermijn") == "2026-04-07")
        #expect(try region.views(id) == ["gemeente-haarlem": .full, "sociaal-wijkteam": .outcome])
        let timer = try #require(region.engine.json(of: try region.show(id))["timers"]?.arrayValue?.first)
        #expect(timer["statutory"] == .bool(true))
        #expect(timer["calendar"]?.stringValue == "wet")
        #expect(timer["dueDate"]?.stringValue == "2026-04-07")

        for actor in [Actor.regiehouder("gemeente-haarlem"), .procesregisseur("gemeente-haarlem")] {
            let refusal = try region.refused(
                id, "verlengen", as: actor, motivation: "drukte", timer: "onderzoekstermijn", days: 10)
            #expect(refusal?.reason == .wrongState)
            #expect(refusal?.message.contains("statutory") == true)
            #expect(refusal?.message.contains("Wvggz art. 5:3") == true)
        }
        try region.now("2026-03-23T09:00")
        let c = try region.fire(
            id, "opschorten", as: .regiehouder("gemeente-haarlem"), motivation: "betrokkene onvindbaar")
        #expect(c.timers.first { $0.name == "onderzoekstermijn" && $0.kind == .deadline }?.paused == false)
        #expect(try region.timeline(id).last?.payload["running"]?.arrayValue == ["onderzoekstermijn (statutory)"])
        try region.now("2026-03-30T09:00")
        try region.fire(id, "hervatten", as: .regiehouder("gemeente-haarlem"))
        #expect(try region.dueDay(id, "onderzoekstermijn") == "2026-04-07")
    }

    /// Section 4 of the rule: a timer that starts while the case is suspended moves only by the part of the
    /// suspension it lived through. Opened Monday 1 June 2026, suspended at 10:00; the plan on 10 June starts the
    /// stagnation timer (due 24 June); lifted on 15 June, it is due 29 June.
    @Test func aTimerStartedDuringASuspensionMovesByThePartItLivedThrough() throws {
        let region = try RegionHarness(at: "2026-06-01T09:00")
        let id = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        try region.now("2026-06-01T10:00")
        try region.fire(id, "opschorten", as: .regiehouder(bw), motivation: "opname")
        try region.now("2026-06-10T10:00")
        var c = try region.fire(id, "plan-vastgesteld", as: .regiehouder(bw), note: "plan")
        #expect(try region.dueDay(id, "stagnatie") == "2026-06-24")
        #expect(c.timers.first { $0.name == "stagnatie" && $0.kind == .deadline }?.paused == true)
        try region.now("2026-06-15T10:00")
        c = try region.fire(id, "hervatten", as: .regiehouder(bw))
        #expect(try region.dueDay(id, "stagnatie") == "2026-06-29")
        #expect(try region.timeline(id).last?.payload["workingDays"]?.intValue == 10)
    }

    /// The level's deadline pauses only for a suspension by the owner of that level or above. Suspended by the
    /// procesregisseur on 1 June, raised on 11 June (deadline 18 June), lifted on 15 June: due 22 June. Suspended by
    /// the regiehouder instead, the level's deadline runs: 18 June.
    @Test func theLevelsDeadlinePausesOnlyForItsOwnersSuspension() throws {
        let region = try RegionHarness(at: "2026-06-01T09:00")
        let velsen = Actor.procesregisseur("gemeente-velsen")
        let byOwner = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        let byHolder = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        try region.now("2026-06-01T10:00")
        try region.fire(byOwner, "opschorten", as: velsen, motivation: "besluit over plaatsing loopt")
        #expect(try region.told(byOwner, "case.suspended") == [bw])
        try region.fire(byHolder, "opschorten", as: .regiehouder(bw), motivation: "opname")
        try region.now("2026-06-11T10:00")
        for id in [byOwner, byHolder] {
            try region.fire(
                id, "opschalen", as: .regiehouder(bw), motivation: "geen plek", fields: ["vraag": "een plek"])
            #expect(try region.dueDay(id, StateMachine.levelTimer) == "2026-06-18")
        }
        #expect(try region.show(byOwner).timers.first { $0.name == StateMachine.levelTimer }?.paused == true)
        #expect(try region.show(byHolder).timers.first { $0.name == StateMachine.levelTimer }?.paused == false)
        try region.now("2026-06-15T10:00")
        #expect(try region.refused(byOwner, "hervatten", as: .regiehouder(bw))?.reason == .wrongRole)
        try region.fire(byOwner, "hervatten", as: velsen)
        try region.fire(byHolder, "hervatten", as: .regiehouder(bw))
        #expect(try region.dueDay(byOwner, StateMachine.levelTimer) == "2026-06-22")
        #expect(try region.dueDay(byHolder, StateMachine.levelTimer) == "2026-06-18")
    }

    /// The counting rule, decided: a suspension moves a deadline by the working days from the day after it began up
    /// to and including the day it was lifted. An overnight suspension, Monday 17:00 to Tuesday 09:00, adds one:
    /// Tuesday began while the case was suspended. One within a day adds none.
    @Test func anOvernightSuspensionAddsOneWorkingDay() throws {
        let region = try RegionHarness(at: "2026-06-08T09:00")
        let id = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(bw), note: "plan")
        #expect(try region.dueDay(id, "stagnatie") == "2026-06-22")
        try region.now("2026-06-08T17:00")
        try region.fire(id, "opschorten", as: .regiehouder(bw), motivation: "crisis")
        try region.now("2026-06-09T09:00")
        try region.fire(id, "hervatten", as: .regiehouder(bw))
        #expect(try region.dueDay(id, "stagnatie") == "2026-06-23")
        try region.now("2026-06-09T10:00")
        try region.fire(id, "opschorten", as: .regiehouder(bw), motivation: "crisis")
        try region.now("2026-06-09T16:00")
        try region.fire(id, "hervatten", as: .regiehouder(bw))
        #expect(try region.dueDay(id, "stagnatie") == "2026-06-23")
    }

    /// A calendar-time deadline (the 90 days of aftercare) keeps its local clock time when a suspension spans the
    /// change back to winter time.
    @Test func aCalendarDeadlineKeepsItsClockTimeAcrossDaylightSaving() throws {
        let region = try RegionHarness(at: "2026-09-01T09:00")
        let id = try region.open("netwerkcasus", regie: bw, gemeente: "gemeente-velsen")
        try region.fire(id, "plan-vastgesteld", as: .regiehouder(bw), note: "plan")
        try region.now("2026-09-01T10:00")
        try region.fire(
            id, "afsluiten", as: .regiehouder(bw), note: "klaar", fields: ["uitkomst": "doel-bereikt", "nazorg": "ja"])
        func due() throws -> String? {
            try region.show(id).timers.first { $0.name == "nazorg-termijn" }.map { region.calendar.localText($0.dueAt) }
        }
        #expect(try due() == "2026-11-30 10:00 CET")
        try region.now("2026-10-20T10:00")
        try region.fire(id, "opschorten", as: .regiehouder(bw), motivation: "terugval dreigt, eerst overleg")
        try region.now("2026-11-03T10:00")
        try region.fire(id, "hervatten", as: .regiehouder(bw))
        #expect(try due() == "2026-12-14 10:00 CET")
    }
}
