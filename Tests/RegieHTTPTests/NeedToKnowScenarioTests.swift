import RegieTestSupport
import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// The region's stories of need-to-know, told over the partner API: at every step, every partner of the region asks
/// for the case, and gets exactly the view the rules give it, or the 404 an unknown case gets.
@Suite struct NeedToKnowScenarioTests {
    static let mother = "111222333"
    static let child1 = "123456782"
    static let child2 = "100000009"

    /// What every partner of the region gets for `GET /v1/cases/{id}`: its view, for those that get one; all others
    /// must get a 404, which is checked here.
    func sight(_ h: APIHarness, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String:
        String]
    {
        var out: [String: String] = [:]
        for p in h.engine.config.partners {
            let r = try h.call("GET", "/v1/cases/\(id)", as: p.id, sourceLocation: sourceLocation)
            if r.status == 200 {
                out[p.id] = r.json["view"]?.stringValue ?? "?"
            } else {
                #expect(r.status == 404, "\(p.id) got \(r.status)", sourceLocation: sourceLocation)
            }
        }
        return out
    }

    func post(_ h: APIHarness, _ id: String, as partner: String, _ body: String) throws -> APIHarness.Response {
        try h.call("POST", "/v1/cases/\(id)/events", as: partner, json: body)
    }

    /// A woman and her two children in the women's shelter. The case is shielded from the start; lookups by a
    /// housing corporation and the police learn only that the person is known and to contact Veilig Thuis; GGZ,
    /// added for the children, sees their part of the case and the shared plan, not the mother's file.
    @Test func aWomansShelterCaseWithTwoChildren() throws {
        let h = try APIHarness()
        let opened = try h.call(
            "POST", "/v1/cases", as: "vrouwenopvang",
            json: """
                {"workflow":"netwerkcasus","gemeente":"gemeente-haarlem","bsn":"\(Self.mother)","relation":"ouder",
                 "household":[{"relation":"kind","bsn":"\(Self.child1)"},{"relation":"kind","bsn":"\(Self.child2)"}]}
                """)
        #expect(opened.status == 201)
        let id = try #require(opened.json["id"]?.stringValue)
        #expect(opened.json["shielded"] == true)
        #expect(
            opened.json["members"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["ouder-1", "kind-1", "kind-2"])
        #expect(try sight(h, id) == ["vrouwenopvang": "full", "gemeente-haarlem": "oversight"])

        // Outsiders look her and a child up: known, and whom to contact is Veilig Thuis, never the shelter.
        for (asker, bsn) in [("woningcorporatie", Self.mother), ("politie-haarlem", Self.child1)] {
            let answer = try h.call(
                "POST", "/v1/lookups", as: asker, json: #"{"bsn":"\#(bsn)","purpose":"veiligheid"}"#,
                headers: ["X-Regie-User": "m.bakker"])
            #expect(answer.status == 200 && answer.json["known"] == true)
            #expect(answer.json["contacts"]?.arrayValue?.compactMap { $0["partner"]?.stringValue } == ["veilig-thuis"])
            #expect(!answer.body.contains("vrouwenopvang") && !answer.body.contains("zorg"))
        }
        // The shelter is told who asked and why, and sees the lookups on its timeline; they count as hits in the log.
        let told = try h.engine.read { try $0.outbox(of: id) }.filter { $0.topic == "lookup.match" }
        #expect(told.map(\.recipients) == [["vrouwenopvang"], ["vrouwenopvang"]])
        let timeline = try h.call("GET", "/v1/cases/\(id)/events", as: "vrouwenopvang").json["events"]?.arrayValue ?? []
        let lookups = timeline.filter { $0["event"] == "opgezocht" }
        #expect(lookups.map { $0["payload"]?["askedBy"]?.stringValue } == ["woningcorporatie", "politie-haarlem"])
        #expect(
            lookups.first?["payload"]?["person"] == "m.bakker" && lookups.first?["payload"]?["purpose"] == "veiligheid")
        #expect(try h.auditLog().filter { $0.action == "lookup-hit" && $0.caseId == id }.count == 2)

        // GGZ joins for the children only.
        #expect(
            try post(
                h, id, as: "vrouwenopvang",
                #"{"event":"partner-toevoegen","target":"ggz-aanbieder","members":["kind-1","kind-2"]}"#
            )
            .status == 200)
        #expect(
            try post(
                h, id, as: "vrouwenopvang", #"{"event":"plan-vastgesteld","note":"GEDEELD-PLAN","members":["gezin"]}"#
            ).status == 200)
        #expect(try post(h, id, as: "vrouwenopvang", #"{"event":"voortgang","note":"MOEDER-NOTITIE"}"#).status == 200)
        #expect(
            try post(h, id, as: "vrouwenopvang", #"{"event":"voortgang","note":"KIND-NOTITIE","members":["kind-1"]}"#)
                .status
                == 200)
        #expect(
            try post(h, id, as: "ggz-aanbieder", #"{"event":"voortgang","note":"speltherapie gestart"}"#).status == 200)
        let overreach = try post(h, id, as: "ggz-aanbieder", #"{"event":"voortgang","note":"x","members":["ouder-1"]}"#)
        #expect(overreach.status == 422)
        #expect(
            try sight(h, id) == ["vrouwenopvang": "full", "gemeente-haarlem": "oversight", "ggz-aanbieder": "full"])
        let ggz = try h.call("GET", "/v1/cases/\(id)", as: "ggz-aanbieder")
        #expect(ggz.json["members"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["kind-1", "kind-2"])
        let ggzEvents = try h.call("GET", "/v1/cases/\(id)/events", as: "ggz-aanbieder")
        #expect(ggzEvents.body.contains("GEDEELD-PLAN") && ggzEvents.body.contains("KIND-NOTITIE"))
        #expect(!ggzEvents.body.contains("MOEDER-NOTITIE") && !ggzEvents.body.contains("opgezocht"))
        let shelter = try h.call("GET", "/v1/cases/\(id)/events", as: "vrouwenopvang")
        #expect(shelter.body.contains("MOEDER-NOTITIE"))
        // The municipality oversees: no care notes.
        let municipality = try h.call("GET", "/v1/cases/\(id)/events", as: "gemeente-haarlem")
        #expect(!municipality.body.contains("NOTITIE") && !municipality.body.contains("GEDEELD-PLAN"))

        // The ketenregisseur, once the case reaches it, sees the escalation, and its board and webhooks do not
        // name the shelter.
        _ = try h.engine.addWebhook(
            partner: "ketenregisseur-zkih", url: "https://keten.example.nl/hook", events: ["*"], format: .thin)
        for _ in 0..<2 {
            #expect(
                try post(
                    h, id, as: "vrouwenopvang",
                    #"{"event":"opschalen","motivation":"dreiging ex-partner","fields":{"vraag":"een veilige plek buiten de regio"}}"#
                )
                .status == 200)
        }
        #expect(
            try sight(h, id) == [
                "vrouwenopvang": "full", "gemeente-haarlem": "oversight", "ggz-aanbieder": "full",
                "ketenregisseur-zkih": "oversight",
            ])
        let board = try h.call("GET", "/v1/escalations", as: "ketenregisseur-zkih")
        let item = try #require(board.json["cases"]?.arrayValue?.first)
        #expect(item["shielded"] == true && item["regie"] == nil)
        #expect(item["escalation"]?["asked"]?["vraag"] == "een veilige plek buiten de regio")
        #expect(!board.body.contains("vrouwenopvang"))
        let bodies = try h.engine.read { try $0.deliveries(limit: 1000) }.map(\.body)
        #expect(!bodies.isEmpty && bodies.allSatisfy { !$0.contains("vrouwenopvang") && !$0.contains(Self.mother) })
        let keten = try h.call("GET", "/v1/cases/\(id)/events", as: "ketenregisseur-zkih")
        #expect(keten.body.contains("een veilige plek buiten de regio") && !keten.body.contains("NOTITIE"))

        // The children's BSN answers the client's request for who looked at their file.
        var filter = CaseStore.AuditFilter()
        filter.clientKey = try h.engine.clientKey(bsn: Self.child1)
        let report = try h.engine.auditRecords(filter)
        #expect(report.contains { $0.partner == "ggz-aanbieder" && $0.caseId == id })
        #expect(report.contains { $0.partner == "politie-haarlem" && $0.action == "lookup" })
    }

    /// Grip op Onbegrip in Velsen: the police and the housing corporation signal confused behaviour of the same
    /// person; both signals are one item on the Vroegsignaleringsoverleg of basisteam IJmond, which its standing
    /// participants see; not discussed, the item moves to the next meeting and the melders see the new date; then
    /// the meeting refers the person to bemoeizorg.
    @Test func gripOpOnbegripInVelsenFromSignalsThroughTheVSOToBemoeizorg() throws {
        let h = try APIHarness(at: "2026-11-23T09:00")
        let signal =
            #"{"workflow":"vso","regie":"gemeente-velsen","gemeente":"gemeente-velsen","bsn":"\#(Self.mother)","fields":{"basisteam":"politie-ijmond"}}"#
        let police = try h.call("POST", "/v1/cases", as: "politie-ijmond", json: signal)
        let first = try #require(police.json["id"]?.stringValue)
        #expect(police.json["view"] == "outcome" && police.json["meetingAt"] == "2026-11-26T09:00:00.000Z")
        #expect(try sight(h, first) == ["gemeente-velsen": "full", "politie-ijmond": "outcome"])
        h.clock.set(try h.engine.config.calendar.parseInstant("2026-11-24T09:00"))
        let housing = try h.call("POST", "/v1/cases", as: "woningcorporatie-ijmond", json: signal)
        let second = try #require(housing.json["id"]?.stringValue)
        #expect(housing.json["meetingAt"] == "2026-11-26T09:00:00.000Z")
        #expect(try sight(h, second) == ["gemeente-velsen": "full", "woningcorporatie-ijmond": "outcome"])
        #expect(try h.engine.show(first).details.links.map(\.caseId) == [second])

        // One item with both signals, for the meeting's standing participants and the chair; not for the melders.
        let agenda = try h.call("GET", "/v1/vso/politie-ijmond/agenda", as: "ggz-aanbieder")
        #expect(agenda.status == 200)
        let items = agenda.json["items"]?.arrayValue ?? []
        #expect(items.count == 1)
        #expect(items.first?["signals"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [first, second])
        #expect(!agenda.body.contains(Self.mother))
        for p in ["gemeente-velsen", "politie-ijmond", "verslavingszorg"] {
            #expect(try h.call("GET", "/v1/vso/politie-ijmond/agenda", as: p).status == 200, "\(p)")
        }
        for p in ["woningcorporatie-ijmond", "gemeente-haarlem", "bw-aanbieder"] {
            #expect(try h.call("GET", "/v1/vso/politie-ijmond/agenda", as: p).status == 404, "\(p)")
        }

        // Not discussed on Thursday 26 November: when Friday has ended it is on the agenda of 3 December.
        h.clock.set(try h.engine.config.calendar.parseInstant("2026-11-28T09:00"))
        _ = try h.engine.fireDueTimers()
        for (id, melder) in [(first, "politie-ijmond"), (second, "woningcorporatie-ijmond")] {
            let seen = try h.call("GET", "/v1/cases/\(id)", as: melder)
            #expect(seen.json["meetingAt"] == "2026-12-03T09:00:00.000Z")
            let moved = seen.json["outcomes"]?.arrayValue?.last
            #expect(moved?["event"] == "niet-besproken" && moved?["meetingAt"] == "2026-12-03T09:00:00.000Z")
        }
        let next = try h.call("GET", "/v1/vso/politie-ijmond/agenda?date=2026-12-03", as: "ggd-vangnet")
        #expect(next.json["items"]?.arrayValue?.first?["signals"]?.arrayValue?.count == 2)

        // The meeting of 3 December refers the person to bemoeizorg.
        h.clock.set(try h.engine.config.calendar.parseInstant("2026-12-03T10:30"))
        let referred = try post(
            h, first, as: "gemeente-velsen",
            #"{"event":"actie-bemoeizorg","target":"ggd-vangnet","note":"VSO-NOTITIE zorgmijder","fields":{"ernstige-problematiek":"ja","meerdere-domeinen":"ja","geen-hulpvraag":"ja","outreach-nodig":"ja"}}"#
        )
        #expect(referred.status == 200)
        let bemoeizorg = try #require(
            try h.engine.show(first).details.links.first { $0.workflow == "bemoeizorg" }?.caseId)
        let referral = try sight(h, bemoeizorg)
        // The municipality referred (melder) and is responsible: it oversees the referral, without care notes.
        #expect(referral == ["ggd-vangnet": "full", "gemeente-velsen": "oversight"])
        // The police learn the outcome, not the content.
        let outcome = try h.call("GET", "/v1/cases/\(first)/events", as: "politie-ijmond")
        #expect(!outcome.body.contains("VSO-NOTITIE"))
        // A lookup by the housing corporation now names the GGD and the municipality as contacts.
        let lookup = try h.call(
            "POST", "/v1/lookups", as: "woningcorporatie-ijmond",
            json: #"{"bsn":"\#(Self.mother)","purpose":"afstemming-zorg"}"#)
        #expect(
            Set(lookup.json["contacts"]?.arrayValue?.compactMap { $0["partner"]?.stringValue } ?? [])
                == ["gemeente-velsen", "ggd-vangnet"])
    }

    /// A sheltered-housing client from Bloemendaal climbs to level 2. Bloemendaal, responsible, sees the case at
    /// every level (it got a 404 at level 2); only it owns level 1; when the client moves to Heemstede, both
    /// municipalities hear of it and Heemstede takes over. A case without a municipality belongs at level 1 to the
    /// centrumgemeente alone.
    @Test func aBloemendaalClientClimbsToLevel2AndMoves() throws {
        let h = try APIHarness()
        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-bloemendaal", bsn: Self.mother)
        let bw = Actor(partner: "bw-aanbieder", role: .regiehouder)
        try h.fire(id, "plan-vastgesteld", as: bw, note: "ZORGNOTITIE woonbegeleiding")
        #expect(try sight(h, id) == ["bw-aanbieder": "full", "gemeente-bloemendaal": "oversight"])
        try h.fire(id, "opschalen", as: bw, motivation: "geen passende plek", fields: ["vraag": "een plek"])
        #expect(try sight(h, id) == ["bw-aanbieder": "full", "gemeente-bloemendaal": "oversight"])
        try h.fire(id, "opschalen", as: bw, motivation: "niveau 1 komt er niet uit", fields: ["vraag": "doorzetten"])
        #expect(
            try sight(h, id) == [
                "bw-aanbieder": "full", "gemeente-bloemendaal": "oversight", "ketenregisseur-zkih": "oversight",
            ])
        let seen = try h.call("GET", "/v1/cases/\(id)", as: "gemeente-bloemendaal")
        #expect(
            seen.json["yourRoles"] == ["procesregisseur"] && seen.json["escalation"]?["asked"]?["vraag"] == "doorzetten"
        )
        #expect(!(try h.call("GET", "/v1/cases/\(id)/events", as: "gemeente-bloemendaal").body.contains("ZORGNOTITIE")))

        // The client moves to Heemstede: at level 2 the ketenregisseur records it; both municipalities hear it.
        let moved = try post(
            h, id, as: "ketenregisseur-zkih",
            #"{"event":"gemeente-wijzigen","target":"gemeente-heemstede","motivation":"verhuisd per 1 december"}"#)
        #expect(moved.status == 200)
        let told = try #require(try h.engine.read { try $0.outbox(of: id) }.last { $0.topic == "case.municipality" })
        #expect(Set(told.recipients).isSuperset(of: ["gemeente-bloemendaal", "gemeente-heemstede", "bw-aanbieder"]))
        #expect(
            try sight(h, id) == [
                "bw-aanbieder": "full", "gemeente-heemstede": "oversight", "ketenregisseur-zkih": "oversight",
            ])
        #expect(
            try post(
                h, id, as: "bw-aanbieder",
                #"{"event":"gemeente-wijzigen","target":"gemeente-zandvoort","motivation":"x"}"#
            )
            .status == 422)

        // Without a municipality, level 1 falls to the centrumgemeente alone, who assigns it.
        let unassigned = try h.open("netwerkcasus", regie: "bw-aanbieder", bsn: Self.child1)
        try h.fire(unassigned, "opschalen", as: bw, motivation: "schulden, verslaving", fields: ["vraag": "wie helpt"])
        #expect(try sight(h, unassigned) == ["bw-aanbieder": "full", "gemeente-haarlem": "oversight"])
        #expect(
            try post(
                h, unassigned, as: "gemeente-haarlem",
                #"{"event":"gemeente-wijzigen","target":"gemeente-zandvoort","motivation":"woonde in Zandvoort"}"#
            )
            .status == 200)
        #expect(try sight(h, unassigned) == ["bw-aanbieder": "full", "gemeente-zandvoort": "oversight"])
    }

    /// The role in the case decides before the domain: Veilig Thuis as regiehouder sees everything; a safety
    /// partner owning level 3 sees what it must decide (the question, motivations), not care notes; a housing
    /// corporation carrying an opdracht sees its opdracht with its deadline.
    @Test func whoMustActSeesWhatItNeeds() throws {
        let h = try APIHarness()
        let vt = try h.open("netwerkcasus", regie: "veilig-thuis", gemeente: "gemeente-haarlem")
        let veiligThuis = Actor(partner: "veilig-thuis", role: .regiehouder)
        try h.fire(vt, "plan-vastgesteld", as: veiligThuis, note: "ZORGNOTITIE veiligheidsplan")
        let own = try h.call("GET", "/v1/cases/\(vt)", as: "veilig-thuis")
        #expect(own.json["view"] == "full" && own.json["deadlines"] != nil && own.json["shielded"] == true)
        #expect(try h.call("GET", "/v1/cases/\(vt)/events", as: "veilig-thuis").body.contains("ZORGNOTITIE"))

        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem")
        let bw = Actor(partner: "bw-aanbieder", role: .regiehouder)
        try h.fire(id, "plan-vastgesteld", as: bw, note: "ZORGNOTITIE dagbesteding")
        for _ in 0..<2 {
            try h.fire(id, "opschalen", as: bw, motivation: "huisuitzetting dreigt", fields: ["vraag": "woning"])
        }
        try h.fire(
            id, "doorzettingsbesluit", as: .ketenregisseur, target: "woningcorporatie",
            motivation: "uitzetting voorkomen",
            note: "zoek binnen 15 werkdagen een woning", fields: ["besluit": "opdracht", "termijn": "15"])
        let housing = try h.call("GET", "/v1/cases/\(id)", as: "woningcorporatie")
        #expect(housing.json["view"] == "status")
        let mine = try #require(housing.json["opdrachten"]?.arrayValue?.first)
        #expect(mine["text"] == "zoek binnen 15 werkdagen een woning" && mine["dueDate"] == "2026-12-14")
        try h.fire(id, "opschalen", as: bw, motivation: "veiligheid in het geding", fields: ["vraag": "doorbraak"])
        let triangle = try h.call("GET", "/v1/cases/\(id)", as: "veiligheidsdriehoek-kennemerland")
        #expect(triangle.json["view"] == "oversight" && triangle.json["opdrachten"]?.arrayValue?.count == 1)
        let history = try h.call("GET", "/v1/cases/\(id)/events", as: "veiligheidsdriehoek-kennemerland")
        #expect(history.body.contains("veiligheid in het geding") && history.body.contains("uitzetting voorkomen"))
        #expect(!history.body.contains("ZORGNOTITIE"))
    }
}

extension Actor {
    fileprivate static let ketenregisseur = Actor(partner: "ketenregisseur-zkih", role: .ketenregisseur)
}
