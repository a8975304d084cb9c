import RegieCore
import RegieEngine
import Testing

@testable import RegieHTTP

/// `GET /v1/reports/monitor`: for the partners region.json allows, only aggregates, every run in the access log.
@Suite struct MonitorAPITests {
    @Test func theCentrumgemeenteGetsAggregatesAndNobodyElseDoes() throws {
        let h = try APIHarness(at: "2026-11-23T09:00")
        var ids: [String] = []
        for i in 0..<12 {
            ids.append(
                try h.open(
                    "netwerkcasus", regie: i % 3 == 0 ? "ggz-aanbieder" : "bw-aanbieder",
                    gemeente: i < 9 ? "gemeente-haarlem" : "gemeente-velsen", bsn: i == 0 ? "111222333" : nil))
        }
        for id in ids.prefix(6) {
            let holder = try h.engine.show(id).regie.partner
            try h.fire(id, "plan-vastgesteld", as: Actor(partner: holder, role: .regiehouder), note: "plan")
        }

        // The region, by quarter: nine cases opened in Haarlem are shown, the three in Velsen are small.
        let r = try h.call("GET", "/v1/reports/monitor?from=2026-10&to=2026-12&by=quarter", as: "gemeente-haarlem")
        #expect(r.status == 200, "\(r.body)")
        let section = try #require(r.json["sections"]?.arrayValue?.first)
        #expect(section["workflow"]?.stringValue == "netwerkcasus")
        #expect(r.json["countingSince"] == .null)
        let instroom = try #require(
            section["figures"]?.arrayValue?.first { $0["figure"]?.stringValue == "instroom.bron" })
        #expect(instroom["rows"]?.arrayValue?.first?["period"]?.stringValue == "2026-K4")
        let haarlem = try h.call(
            "GET", "/v1/reports/monitor?from=2026-10&to=2026-12&by=quarter&gemeente=gemeente-haarlem",
            as: "ketenregisseur-zkih")
        let haarlemRow = haarlem.json["sections"]?.arrayValue?.first?["figures"]?.arrayValue?.first?["rows"]?
            .arrayValue?.first
        #expect(haarlemRow?["total"] == .int(9))
        let velsen = try h.call(
            "GET", "/v1/reports/monitor?from=2026-10&to=2026-12&by=quarter&gemeente=gemeente-velsen",
            as: "gemeente-haarlem")
        #expect(
            velsen.json["sections"]?.arrayValue?.first?["figures"]?.arrayValue?.first?["rows"]?.arrayValue?.first?[
                "total"] == .string("< 5"))
        // No case id, pseudonym or free text in any of it.
        for body in [r.body, haarlem.body, velsen.body] {
            for id in ids { #expect(!body.contains(id)) }
            #expect(!body.contains("plan\"") && !body.contains("111222333"))
        }

        // CSV for a spreadsheet.
        let csv = try h.call("GET", "/v1/reports/monitor?from=2026-10&to=2026-12&format=csv", as: "gemeente-haarlem")
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.body.hasPrefix("werkstroom,figuur,periode,categorie,waarde\n"))
        // The region is the sum of Haarlem (9) and Velsen (small): withheld, as its Velsen part is.
        #expect(csv.body.contains("netwerkcasus,instroom.bron,2026-11,totaal,x\n"))

        // Partners the configuration does not name are refused; wrong parameters are named.
        let provider = try h.call("GET", "/v1/reports/monitor", as: "ggz-aanbieder")
        #expect(provider.status == 403 && provider.json["detail"]?.stringValue?.contains("monitor.partners") == true)
        let municipality = try h.call("GET", "/v1/reports/monitor", as: "gemeente-velsen")
        #expect(municipality.status == 403)
        for (query, name) in [
            ("from=2026-13", "query.from"), ("by=week", "query.by"), ("gemeente=ggz-aanbieder", "query.gemeente"),
            ("from=2026-12&to=2026-01", "query.from"), ("format=xml", "query.format"), ("bsn=1", "query.bsn"),
            ("workflow=onbekend", "query.workflow"),
        ] {
            let bad = try h.call("GET", "/v1/reports/monitor?\(query)", as: "gemeente-haarlem")
            #expect(bad.status == 400, "\(query)")
            #expect(bad.json["invalidParams"]?.arrayValue?.first?["name"]?.stringValue == name, "\(query): \(bad.body)")
        }
        let none = try h.call("GET", "/v1/reports/monitor")
        #expect(none.status == 401)

        // Who ran which report, and who was refused, is in the access log.
        let log = try h.auditLog().filter { $0.resource == "GET /v1/reports/monitor" }
        let ran = log.filter { $0.outcome == .ok }
        #expect(
            ran.map(\.partner) == ["gemeente-haarlem", "ketenregisseur-zkih", "gemeente-haarlem", "gemeente-haarlem"])
        #expect(ran.allSatisfy { $0.action == "report" && $0.caseId == nil })
        #expect(ran.first?.detail == "monitor 2026-10..2026-12 by quarter, region, all workflows")
        #expect(log.contains { $0.partner == "ggz-aanbieder" && $0.outcome == .refused && $0.status == 403 })
    }
}
