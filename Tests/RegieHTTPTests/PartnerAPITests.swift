import RegieTestSupport
import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// A network case around one client: bw-aanbieder holds regie, the GGZ, the police and the housing corporation take
/// part, and a bemoeizorg referral raised by the police (melder).
private struct Story {
    let h: APIHarness
    let netwerk: String
    let referral: String
    static let criteria = [
        "ernstige-problematiek": "ja", "meerdere-domeinen": "ja", "geen-hulpvraag": "ja", "outreach-nodig": "ja",
    ]

    init() throws {
        h = try APIHarness()
        netwerk = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem", bsn: "111222333")
        for p in ["ggz-aanbieder", "politie-haarlem", "woningcorporatie"] {
            try h.fire(netwerk, "partner-toevoegen", as: .init(partner: "bw-aanbieder", role: .regiehouder), target: p)
        }
        try h.fire(
            netwerk, "plan-vastgesteld", as: .init(partner: "bw-aanbieder", role: .regiehouder),
            note: "psychiatrische problematiek, schulden")
        referral = try h.open(
            "bemoeizorg", regie: "ggd-vangnet", as: .init(partner: "politie-haarlem", role: .melder),
            fields: Self.criteria, bsn: "111222333")
    }
}

@Suite struct PartnerAPITests {
    @Test func theDescriptionAndTheRoutesAreInStep() throws {
        let doc = try JSONParser.parse(OpenAPIDocument.text)
        #expect(doc["openapi"]?.stringValue?.hasPrefix("3.0") == true)
        #expect(doc["info"]?["version"]?.stringValue == PartnerAPI.version)
        var described: Set<String> = []
        for path in doc["paths"]?.objectValue?.members ?? [] {
            for op in path.value.objectValue?.members ?? [] {
                described.insert("\(op.key.uppercased()) \(path.key)")
                #expect(op.value["operationId"] != nil, "\(op.key) \(path.key) has no operationId")
                #expect(
                    op.value["responses"]?["500"] != nil || path.key == "/v1/openapi.json" || path.key == "/metrics"
                        || path.key.hasPrefix("/v1/health"))
                let authenticated = op.value["security"]?.arrayValue?.isEmpty != true
                if authenticated {
                    #expect(op.value["responses"]?["401"] != nil, "\(op.key) \(path.key) does not describe 401")
                }
            }
        }
        let served = Set(PartnerAPI.routes.map(\.name))
        #expect(
            described == served,
            "described only: \(described.subtracting(served)); served only: \(served.subtracting(described))")
        for route in PartnerAPI.routes {
            let op = doc["paths"]?[route.template]?[route.method.lowercased()]
            #expect(op?["operationId"]?.stringValue == route.operationId)
            #expect((op?["security"]?.arrayValue?.isEmpty != true) == route.authenticated, "\(route.name) security")
        }
        // The served document is the same text.
        let h = try APIHarness()
        let r = try h.call("GET", "/v1/openapi.json")
        #expect(r.status == 200 && r.json == doc)
    }

    @Test func withoutAValidKeyNothingIsToldAndTheAttemptIsLogged() throws {
        let s = try Story()
        let key = try s.h.key("bw-aanbieder")
        let noKey = try s.h.call("GET", "/v1/cases/\(s.netwerk)")
        #expect(noKey.status == 401)
        #expect(noKey.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(!noKey.body.contains("bw-aanbieder"))
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)", rawKey: "Bearer rgk_nonsense").status == 401)
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)", rawKey: "Basic \(key)").status == 401)
        // A key with one character changed is refused.
        var tampered = Array(key)
        tampered[tampered.count - 1] = tampered.last == "A" ? "B" : "A"
        #expect(try s.h.call("GET", "/v1/cases", rawKey: "Bearer \(String(tampered))").status == 401)
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "bw-aanbieder").status == 200)
        let id = try #require(try s.h.engine.keys(partner: "bw-aanbieder").first?.id)
        try s.h.engine.revokeKey(id)
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)", rawKey: "Bearer \(key)").status == 401)
        let refused = try s.h.auditLog().filter { $0.outcome == .unauthorized }
        #expect(refused.count == 5)
        #expect(refused.allSatisfy { $0.channel == .api && $0.status == 401 })
    }

    @Test func aCarePartnerSeesEverythingOfItsCase() throws {
        let s = try Story()
        let r = try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "ggz-aanbieder", headers: ["X-Regie-User": "a.arts"])
        #expect(r.status == 200)
        #expect(r.json["view"] == "full")
        #expect(r.json["yourRoles"] == ["betrokken"])
        #expect(r.json["partners"]?.arrayValue?.count == 4)
        #expect(r.headers["etag"] == "\"\(try s.h.engine.show(s.netwerk).sequence)\"")
        let events = try s.h.call("GET", "/v1/cases/\(s.netwerk)/events", as: "ggz-aanbieder")
        #expect(events.body.contains("psychiatrische problematiek"))
        let logged = try #require(try s.h.auditLog().first { $0.person == "a.arts" })
        #expect(logged.partner == "ggz-aanbieder" && logged.caseId == s.netwerk && logged.clientKey != nil)
        #expect(logged.resource == "GET /v1/cases/{caseId}" && logged.outcome == .ok)
        // The key authenticates the system; the person is its statement, and the log says so.
        #expect(logged.identity == .stated)
        #expect(try s.h.auditLog().filter { $0.person == nil }.allSatisfy { $0.identity == nil })
    }

    @Test func aSafetyPartnerSeesStatusLevelAndRegieButNoCareNotes() throws {
        let s = try Story()
        let r = try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "politie-haarlem")
        #expect(r.status == 200)
        #expect(r.json["view"] == "status")
        #expect(r.json["state"] == "in-behandeling")
        #expect(r.json["level"] == 0)
        #expect(r.json["regie"]?["partner"] == "bw-aanbieder")
        for hidden in ["partners", "fields", "deadlines", "handover", "opdracht", "links", "municipality"] {
            #expect(r.json[hidden] == nil, "\(hidden) is shown to the police")
        }
        let events = try s.h.call("GET", "/v1/cases/\(s.netwerk)/events", as: "politie-haarlem")
        #expect(events.status == 200)
        #expect(!events.body.contains("psychiatrische"))
        #expect(!events.body.contains("ggz-aanbieder"))
        #expect(events.json["events"]?.arrayValue?.allSatisfy { $0["payload"] == nil && $0["actor"] == nil } == true)
        // Housing takes part but is not a care partner: status only, too.
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "woningcorporatie").json["view"] == "status")
    }

    @Test func aMelderLearnsOnlyTheOutcome() throws {
        let s = try Story()
        let before = try s.h.call("GET", "/v1/cases/\(s.referral)", as: "politie-haarlem")
        #expect(before.json["view"] == "outcome")
        #expect(before.json["status"] == "lopend")
        #expect(before.json["outcomes"] == [])
        for hidden in ["state", "regie", "partners", "fields", "sequence"] { #expect(before.json[hidden] == nil) }
        #expect(before.headers["etag"] == nil)
        try s.h.fire(
            s.referral, "afsluiten", as: .init(partner: "ggd-vangnet", role: .regiehouder),
            note: "cliënt in zorg bij GGZ na drie huisbezoeken", fields: ["uitkomst": "in-zorg"])
        let after = try s.h.call("GET", "/v1/cases/\(s.referral)", as: "politie-haarlem")
        #expect(after.json["status"] == "afgerond")
        #expect(after.json["outcomes"]?.arrayValue?.map { $0["uitkomst"] } == ["in-zorg"])
        let events = try s.h.call("GET", "/v1/cases/\(s.referral)/events", as: "politie-haarlem")
        #expect(events.json["events"]?.arrayValue?.map { $0["event"] } == ["afsluiten"])
        #expect(!events.body.contains("huisbezoeken") && !events.body.contains("ernstige-problematiek"))
    }

    @Test func anOutsiderGetsTheSame404AsForACaseThatDoesNotExist() throws {
        let s = try Story()
        let outsider = try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "verslavingszorg")
        let missing = try s.h.call("GET", "/v1/cases/c-doesnotexist00000", as: "verslavingszorg")
        #expect(outsider.status == 404 && missing.status == 404)
        #expect(
            outsider.body.replacingOccurrences(of: s.netwerk, with: "X")
                == missing.body.replacingOccurrences(of: "c-doesnotexist00000", with: "X"))
        #expect(try s.h.call("GET", "/v1/cases/\(s.netwerk)/events", as: "verslavingszorg").status == 404)
        let fire = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "verslavingszorg", json: #"{"event":"voortgang","note":"x"}"#)
        #expect(fire.status == 404)
        let list = try s.h.call("GET", "/v1/cases", as: "verslavingszorg")
        #expect(list.json["total"] == 0)
        // The attempt is logged with the client's pseudonym, so the client can learn of it.
        let attempt = try #require(
            try s.h.auditLog().first { $0.partner == "verslavingszorg" && $0.caseId == s.netwerk })
        #expect(attempt.outcome == .notFound && attempt.clientKey != nil)
    }

    @Test func firingFollowsTheRolesWithConcurrencyAndIdempotency() throws {
        let s = try Story()
        let seq = try s.h.engine.show(s.netwerk).sequence
        let ok = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "ggz-aanbieder",
            json: #"{"event":"voortgang","note":"gesprek gehad"}"#,
            headers: ["If-Match": "\"\(seq)\"", "X-Regie-User": "a.arts"])
        #expect(ok.status == 200)
        #expect(ok.headers["etag"] == "\"\(seq + 1)\"")
        let event = try #require(try s.h.engine.timeline(s.netwerk).last)
        #expect(event.actor == Actor(partner: "ggz-aanbieder", person: "a.arts", role: .betrokken))
        // The same If-Match again: the case has moved on.
        let stale = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "ggz-aanbieder",
            json: #"{"event":"voortgang","note":"nog een"}"#,
            headers: ["If-Match": "\"\(seq)\""])
        #expect(stale.status == 409)
        #expect(stale.json["type"] == "urn:regie:problem:stale-sequence")
        // A betrokken partner may not assign a partner; the rule's reason comes back.
        let forbidden = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "ggz-aanbieder",
            json: #"{"event":"partner-toevoegen","target":"verslavingszorg"}"#)
        #expect(forbidden.status == 422)
        #expect(forbidden.json["detail"]?.stringValue?.contains("allowed roles") == true)
        #expect(forbidden.json["invalidParams"]?.arrayValue?.first?["code"] == "wrongRole")
        // A role the partner does not hold.
        let notMine = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "politie-haarlem",
            json: #"{"event":"voortgang","note":"x","role":"regiehouder"}"#)
        #expect(notMine.status == 422)
        // Idempotency: one effect, the same answer.
        let body = #"{"event":"voortgang","note":"huisbezoek"}"#
        let first = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "bw-aanbieder", json: body, headers: ["Idempotency-Key": "k1"])
        let again = try s.h.call(
            "POST", "/v1/cases/\(s.netwerk)/events", as: "bw-aanbieder", json: body, headers: ["Idempotency-Key": "k1"])
        #expect(first.status == 200 && again.status == 200)
        #expect(again.headers["idempotent-replayed"] == "true")
        #expect(try s.h.engine.timeline(s.netwerk).filter { $0.payload["note"] == "huisbezoek" }.count == 1)
        // Every write is logged, refusals too.
        let writes = try s.h.auditLog().filter { $0.action == "write" }
        #expect(writes.map(\.outcome) == [.ok, .refused, .refused, .refused, .ok, .ok])
    }

    /// Over the API as in the engine: the regiehouder cannot stretch a deadline its level does not own (422, the
    /// owner named), the ketenregisseur can, and each deadline says whose it is; a forced regie move asks the new
    /// holder for its contact person, which it names in the body.
    @Test func deadlinesBelongToTheirLevelOverTheAPI() throws {
        let h = try APIHarness()
        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-velsen")
        try h.fire(id, "plan-vastgesteld", as: Actor(partner: "bw-aanbieder", role: .regiehouder), note: "plan")
        for _ in 0..<2 {
            try h.fire(
                id, "opschalen", as: Actor(partner: "bw-aanbieder", role: .regiehouder), motivation: "m",
                fields: ["vraag": "v"])
        }
        let path = "/v1/cases/\(id)/events"
        let besluit = try h.call(
            "POST", path, as: "ketenregisseur-zkih",
            json:
                #"{"event":"doorzettingsbesluit","target":"ggz-aanbieder","motivation":"m","note":"plaats","fields":{"besluit":"opdracht","termijn":"10"}}"#
        )
        #expect(besluit.status == 200)
        #expect(besluit.json["opdrachten"]?.arrayValue?.first?["partner"] == "ggz-aanbieder")
        #expect(besluit.json["opdrachten"]?.arrayValue?.first?["dueDate"] == "2026-12-07")
        let deadline = try #require(
            besluit.json["deadlines"]?.arrayValue?.first { $0["name"] == "opdracht-termijn" })
        #expect(deadline["label"] == "opdracht-termijn:ggz-aanbieder")
        #expect(deadline["ownerLevel"] == 2 && deadline["statutory"] == false && deadline["calendar"] == "praktijk")
        let stretch = try h.call(
            "POST", path, as: "bw-aanbieder",
            json: #"{"event":"verlengen","timer":"opdracht-termijn","days":20,"motivation":"meer tijd"}"#)
        #expect(stretch.status == 422)
        #expect(stretch.json["detail"]?.stringValue?.contains("belongs to level 2 (ketenregie)") == true)
        let extended = try h.call(
            "POST", path, as: "ketenregisseur-zkih",
            json: #"{"event":"verlengen","timer":"opdracht-termijn:ggz-aanbieder","days":2,"motivation":"m"}"#)
        #expect(extended.status == 200)
        #expect(extended.json["opdrachten"]?.arrayValue?.first?["dueDate"] == "2026-12-09")

        let moved = try h.call(
            "POST", path, as: "ketenregisseur-zkih",
            json:
                #"{"event":"doorzettingsbesluit","target":"verslavingszorg","motivation":"m","fields":{"besluit":"regie-toewijzen"}}"#
        )
        #expect(moved.status == 200)
        let first = try h.call("POST", path, as: "verslavingszorg", json: #"{"event":"voortgang","note":"intake"}"#)
        #expect(first.status == 422)
        #expect(first.json["detail"]?.stringValue?.contains("--contact") == true)
        let named = try h.call(
            "POST", path, as: "verslavingszorg", json: #"{"event":"voortgang","note":"intake","contact":"K. Visser"}"#)
        #expect(named.status == 200)
        #expect(named.json["regie"]?["contact"] == "K. Visser")
    }

    @Test func badRequestsGetProblemsThatSayWhatIsWrong() throws {
        let s = try Story()
        let path = "/v1/cases/\(s.netwerk)/events"
        let notJSON = try s.h.call(
            "POST", path, as: "bw-aanbieder", json: "event=x", headers: ["Content-Type": "text/plain"])
        #expect(notJSON.status == 415)
        let broken = try s.h.call("POST", path, as: "bw-aanbieder", json: #"{"event": "#)
        #expect(broken.status == 400 && broken.json["invalidParams"]?.arrayValue?.first?["name"] == "body")
        let unknown = try s.h.call("POST", path, as: "bw-aanbieder", json: #"{"event":"voortgang","colour":"red"}"#)
        #expect(unknown.status == 400 && unknown.json["invalidParams"]?.arrayValue?.first?["name"] == "body.colour")
        let level = try s.h.call("GET", "/v1/cases?level=9", as: "bw-aanbieder")
        #expect(level.status == 400 && level.json["invalidParams"]?.arrayValue?.first?["name"] == "query.level")
        #expect(try s.h.call("GET", "/v1/cases?colour=red", as: "bw-aanbieder").status == 400)
        let slash = try s.h.call("GET", "/v1/cases/", as: "bw-aanbieder")
        #expect(slash.status == 404 && slash.json["detail"]?.stringValue?.contains("trailing slash") == true)
        let method = try s.h.call("DELETE", "/v1/cases/\(s.netwerk)", as: "bw-aanbieder")
        #expect(method.status == 405 && method.headers["allow"] == "GET")
        #expect(method.headers["content-type"] == "application/problem+json")
    }

    @Test func listsArePagedAndFiltered() throws {
        let h = try APIHarness()
        for _ in 0..<5 { try h.open("netwerkcasus", regie: "mo-aanbieder", gemeente: "gemeente-velsen") }
        try h.open("netwerkcasus", regie: "bw-aanbieder")
        let page1 = try h.call("GET", "/v1/cases?pageSize=2", as: "mo-aanbieder")
        #expect(page1.json["total"] == 5)
        #expect(page1.json["cases"]?.arrayValue?.count == 2)
        let next = try #require(page1.json["_links"]?["next"]?["href"]?.stringValue)
        let page3 = try h.call("GET", "/v1/cases?pageSize=2&page=3", as: "mo-aanbieder")
        #expect(page3.json["cases"]?.arrayValue?.count == 1)
        #expect(page3.json["_links"]?["next"] == nil)
        #expect(try h.call("GET", next, as: "mo-aanbieder").json["page"] == 2)
        #expect(try h.call("GET", "/v1/cases?workflow=bemoeizorg", as: "mo-aanbieder").json["total"] == 0)
        #expect(try h.call("GET", "/v1/cases?state=aangemeld&level=0", as: "mo-aanbieder").json["total"] == 5)
        // A list logs one access per case shown.
        #expect(try h.auditLog().filter { $0.resource == "GET /v1/cases" && $0.caseId != nil }.count >= 2 + 1 + 2 + 5)
    }

    @Test func openingACaseThroughTheAPI() throws {
        let h = try APIHarness()
        let r = try h.call(
            "POST", "/v1/cases", as: "bw-aanbieder",
            json:
                #"{"workflow":"netwerkcasus","gemeente":"gemeente-haarlem","bsn":"111222333","contact":"J. de Vries"}"#,
            headers: ["Idempotency-Key": "open-1"])
        #expect(r.status == 201)
        let id = try #require(r.json["id"]?.stringValue)
        #expect(r.headers["location"] == "/v1/cases/\(id)")
        #expect(r.json["yourRoles"] == ["regiehouder"])
        let again = try h.call(
            "POST", "/v1/cases", as: "bw-aanbieder",
            json:
                #"{"workflow":"netwerkcasus","gemeente":"gemeente-haarlem","bsn":"111222333","contact":"J. de Vries"}"#,
            headers: ["Idempotency-Key": "open-1"])
        #expect(again.json["id"]?.stringValue == id)
        // A referral by the police to the GGD: the police become its melder.
        let referral = try h.call(
            "POST", "/v1/cases", as: "politie-haarlem",
            json:
                #"{"workflow":"bemoeizorg","regie":"ggd-vangnet","fields":{"ernstige-problematiek":"ja","meerdere-domeinen":"ja","geen-hulpvraag":"ja","outreach-nodig":"ja"}}"#
        )
        #expect(referral.status == 201 && referral.json["view"] == "outcome")
        let badBSN = try h.call(
            "POST", "/v1/cases", as: "bw-aanbieder", json: #"{"workflow":"netwerkcasus","bsn":"123"}"#)
        #expect(badBSN.status == 400)
        let noWorkflow = try h.call("POST", "/v1/cases", as: "bw-aanbieder", json: #"{"workflow":"nope"}"#)
        #expect(
            noWorkflow.status == 400 && noWorkflow.json["invalidParams"]?.arrayValue?.first?["name"] == "body.workflow")
        let opened = try h.auditLog().filter { $0.resource == "POST /v1/cases" && $0.outcome == .ok }
        #expect(opened.count == 3 && opened[0].caseId == id && opened[0].clientKey != nil)
    }

    @Test func theEscalationBoardShowsTheLevelOwnerItsCasesOverdueFirst() throws {
        let h = try APIHarness()
        var ids: [String] = []
        for gemeente in ["gemeente-haarlem", "gemeente-haarlem", "gemeente-velsen"] {
            let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: gemeente)
            try h.fire(
                id, "opschalen", as: .init(partner: "bw-aanbieder", role: .regiehouder), motivation: "geen plek",
                fields: ["vraag": "plek in de MO"])
            ids.append(id)
            h.clock.set(h.clock.now().adding(seconds: 86400 * 3))
        }
        // The first case's level deadline passes first.
        let board = try h.call("GET", "/v1/escalations", as: "gemeente-haarlem")
        #expect(board.status == 200)
        let shown = board.json["cases"]?.arrayValue ?? []
        #expect(shown.map { $0["id"]?.stringValue } == [ids[0], ids[1]])
        #expect(shown.first?["overdue"] == true)
        #expect(shown.last?["level"] == 1)
        #expect(try h.call("GET", "/v1/escalations", as: "gemeente-velsen").json["cases"]?.arrayValue?.count == 1)
        #expect(try h.call("GET", "/v1/escalations", as: "bw-aanbieder").json["cases"] == [])
        // The procesregisseur sees the escalated case (full view) while it owns the level.
        let seen = try h.call("GET", "/v1/cases/\(ids[0])", as: "gemeente-haarlem")
        #expect(seen.status == 200 && seen.json["yourRoles"] == ["procesregisseur"])
        #expect(try h.call("GET", "/v1/cases/\(ids[0])", as: "gemeente-velsen").status == 404)
    }

    @Test func theLookupTellsOnlyWhomToContactAndTellsTheRegiehouder() throws {
        let s = try Story()
        let known = try s.h.call(
            "POST", "/v1/lookups", as: "veilig-thuis", json: #"{"bsn":"111222333","purpose":"aanmelding"}"#)
        #expect(known.status == 200 && known.json["known"] == true)
        let partners = Set(known.json["contacts"]?.arrayValue?.compactMap { $0["partner"]?.stringValue } ?? [])
        #expect(partners == ["bw-aanbieder", "ggd-vangnet"])
        #expect(!known.body.contains(s.netwerk) && !known.body.contains("netwerkcasus"))
        let told = try s.h.engine.read { try $0.outbox(of: s.netwerk) }.filter { $0.topic == "lookup.match" }
        #expect(told.map(\.recipients) == [["bw-aanbieder"]])
        let unknown = try s.h.call(
            "POST", "/v1/lookups", as: "veilig-thuis", json: #"{"bsn":"123456782","purpose":"aanmelding"}"#)
        #expect(unknown.json == ["known": false, "contacts": []])
        #expect(
            try s.h.call("POST", "/v1/lookups", as: "veilig-thuis", json: #"{"bsn":"12","purpose":"aanmelding"}"#)
                .status == 400)
        let purposeless = try s.h.call("POST", "/v1/lookups", as: "veilig-thuis", json: #"{"bsn":"111222333"}"#)
        #expect(
            purposeless.status == 400 && purposeless.json["invalidParams"]?.arrayValue?.first?["name"] == "body.purpose"
        )
        let logged = try s.h.auditLog().filter { $0.action == "lookup" }
        #expect(logged.count == 4 && logged[0].clientKey != nil && logged[0].detail?.hasPrefix("match") == true)
        // The BSN is in no file of the database.
        for suffix in ["", "-wal", "-shm"] {
            let bytes = FileManager.default.contents(atPath: s.h.database + suffix) ?? Data()
            #expect(bytes.range(of: Data("111222333".utf8)) == nil, "BSN in regie.db\(suffix)")
        }
    }

    /// Lookups are accountable: the regiehouder's webhook names who asked and why, and a partner that keeps looking
    /// people up is stopped at the region's limit (429 with Retry-After), the ketenregisseur told once.
    @Test func lookupsNameTheAskerAndAreLimitedPerPartner() throws {
        let s = try Story()
        _ = try s.h.engine.addWebhook(
            partner: "bw-aanbieder", url: "https://bw.example.nl/hook", events: ["lookup.*"], format: .thin)
        _ = try s.h.engine.addWebhook(
            partner: "ketenregisseur-zkih", url: "https://keten.example.nl/hook", events: ["lookup.*"], format: .zgw)
        let body = #"{"bsn":"111222333","purpose":"crisis"}"#
        for _ in 0..<20 {
            let ok = try s.h.call(
                "POST", "/v1/lookups", as: "sociaal-wijkteam", json: body, headers: ["X-Regie-User": "t.smit"])
            #expect(ok.status == 200)
        }
        let told = try #require(
            try s.h.engine.read { try $0.deliveries(limit: 100) }.first { $0.topic == "lookup.match" })
        let data = try JSONParser.parse(told.body)["data"]
        #expect(data?["details"]?["askedBy"] == "sociaal-wijkteam" && data?["details"]?["person"] == "t.smit")
        #expect(data?["details"]?["purpose"] == "crisis")
        for _ in 0..<2 {
            let stopped = try s.h.call("POST", "/v1/lookups", as: "sociaal-wijkteam", json: body)
            #expect(stopped.status == 429)
            #expect(Int(stopped.headers["retry-after"] ?? "") ?? 0 > 3000)
        }
        // Others are not held up; the ketenregisseur heard once, in its own shape.
        #expect(try s.h.call("POST", "/v1/lookups", as: "veilig-thuis", json: body).status == 200)
        let region = try s.h.engine.read { try $0.outbox(of: Notification.regionCase) }
        #expect(region.map(\.topic) == ["lookup.limit"] && region.first?.recipients == ["ketenregisseur-zkih"])
        let limit = try #require(
            try s.h.engine.read { try $0.deliveries(limit: 100) }.first { $0.topic == "lookup.limit" })
        #expect(try JSONParser.parse(limit.body)["kenmerken"]?["partner"] == "sociaal-wijkteam")
        #expect(try s.h.auditLog().filter { $0.partner == "sociaal-wijkteam" && $0.outcome == .refused }.count == 2)
        s.h.clock.advance(seconds: 3601)
        #expect(try s.h.call("POST", "/v1/lookups", as: "sociaal-wijkteam", json: body).status == 200)
    }

    @Test func theAccessLogIsAChainThatShowsTampering() throws {
        let s = try Story()
        for p in ["bw-aanbieder", "politie-haarlem", "verslavingszorg"] {
            try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: p)
        }
        let intact = try s.h.engine.verifyAudit()
        let count = try s.h.auditLog().count
        #expect(intact.firstBroken == nil && intact.checked == count)
        // Someone with the database file rewrites who looked (the trigger stops a plain UPDATE).
        let store = try CaseStore(path: s.h.database)
        #expect(throws: (any Error).self) { try store.db.run("UPDATE audit SET partner='ggz-aanbieder' WHERE id=2") }
        try store.db.execute("DROP TRIGGER audit_append_only_update")
        try store.db.run("UPDATE audit SET partner='ggz-aanbieder' WHERE id=2")
        let broken = try s.h.engine.verifyAudit()
        #expect(broken.firstBroken?.id == 2)
        // Verification goes on after it: record 2 alone is named, and every record is checked.
        #expect(broken.broken.map(\.id) == [2] && broken.checked >= count)
    }

    @Test func whenTheAccessCannotBeLoggedNothingIsShown() throws {
        let s = try Story()
        let store = try CaseStore(path: s.h.database)
        try store.db.execute(
            "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        let refused = try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "ggz-aanbieder")
        #expect(refused.status == 500)
        #expect(!refused.body.contains("psychiatrische") && !refused.body.contains("bw-aanbieder"))
        #expect(refused.json["detail"]?.stringValue?.contains("could not be logged") == true)
        try store.db.execute("DROP TRIGGER audit_refuse")
        let shown = try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "ggz-aanbieder")
        #expect(shown.status == 200)
        #expect(try s.h.engine.verifyAudit().firstBroken == nil)
    }

    @Test func healthAndMetrics() throws {
        let s = try Story()
        try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "bw-aanbieder")
        try s.h.call("GET", "/v1/cases/\(s.netwerk)", as: "verslavingszorg")
        let health = try s.h.call("GET", "/v1/health")
        #expect(health.status == 200 && health.json["status"] == "ok")
        let metrics = try s.h.call("GET", "/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(metrics.body.contains(#"regie_http_requests_total{route="GET /v1/cases/{caseId}",status="200"} 1"#))
        #expect(metrics.body.contains(#"regie_http_requests_total{route="GET /v1/cases/{caseId}",status="404"} 1"#))
        #expect(metrics.body.contains(#"regie_http_request_duration_seconds_count{route="GET /v1/cases/{caseId}"} 2"#))
        #expect(metrics.body.contains(#"regie_cases_open{level="0"} 2"#))
        #expect(metrics.body.contains("regie_timers_pending "))
        #expect(metrics.body.contains("regie_scheduler_lag_seconds 0"))
        // Bytes that are no request, and paths that are no resource, are counted (they are not in the access log).
        let raw = try #require(RawClient(port: s.h.server.port))
        _ = raw.send("GARBAGE\r\n\r\n")
        _ = raw.readResponse()
        try s.h.call("GET", "/v1/nergens")
        let counted = try s.h.call("GET", "/metrics")
        #expect(
            counted.body.contains(#"regie_http_requests_total{route="unparsed",status="400"} 1"#), "\(counted.body)")
        #expect(counted.body.contains(#"regie_http_requests_total{route="unmatched",status="404"} 1"#))
        // Not for a client elsewhere (behind the trusted proxy, the address X-Forwarded-For names).
        let outside = try s.h.call("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.7"])
        #expect(outside.status == 403 && !outside.body.contains("regie_cases_open"))
        #expect(try s.h.call("GET", "/v1/health", headers: ["X-Forwarded-For": "203.0.113.7"]).status == 200)
    }

    @Test func theSchemaCheckCatchesUndescribedAndMissingMembers() throws {
        let v = SchemaValidator(document: try JSONParser.parse(OpenAPIDocument.text))
        let schema: JSONValue = ["$ref": "#/components/schemas/LookupResult"]
        #expect(v.problems(["known": true, "contacts": []], schema).isEmpty)
        #expect(v.problems(["known": true, "contacts": [], "why": "x"], schema) == ["$: member why is not described"])
        #expect(v.problems(["known": "yes"], schema).count == 2)
    }

    @Test func forwardedAddressesAreBelievedOnlyFromTrustedProxies() {
        let direct = HTTPRequest(
            method: "GET", target: "/", headers: HTTPHeaders([("X-Forwarded-For", "10.9.9.9")]),
            remoteAddress: "192.0.2.7")
        #expect(direct.clientAddress(trustedProxies: ["127.0.0.1"]) == "192.0.2.7")
        let proxied = HTTPRequest(
            method: "GET", target: "/", headers: HTTPHeaders([("X-Forwarded-For", "6.6.6.6, 198.51.100.4, 127.0.0.1")]),
            remoteAddress: "127.0.0.1")
        #expect(proxied.clientAddress(trustedProxies: ["127.0.0.1"]) == "198.51.100.4")
    }
}
