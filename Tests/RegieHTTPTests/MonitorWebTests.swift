import RegieCore
import RegieEngine
import RegieStore
import Testing

@testable import RegieHTTP

/// The Monitor page: for the people of the partners region.json allows; charts with their tables, a CSV download,
/// every view in the access log.
@Suite struct MonitorWebTests {
    @Test func theKetenregisseurSeesTheMonitorAndAProviderDoesNot() throws {
        let web = try WebHarness()
        for i in 0..<12 {
            _ = try web.engine.open(
                .init(
                    workflow: "netwerkcasus", regie: i % 3 == 0 ? "ggz-aanbieder" : "bw-aanbieder",
                    municipality: i < 9 ? "gemeente-haarlem" : "gemeente-velsen"))
        }
        try web.firstLogin("k.keten", partner: "ketenregisseur-zkih", roles: [.ketenregisseur])
        let home = try web.request("GET", "/")
        #expect(home.body.contains("href=\"/monitor\""))

        let page = try web.request("GET", "/monitor?by=quarter&from=2026-10&to=2026-12")
        #expect(page.status == 200)
        #expect(page.body.contains("<svg") && page.body.contains("role=\"img\""))
        #expect(page.body.contains("<title id=\"w0-flow-t\">Instroom en uitstroom van"))
        #expect(page.body.contains("Instroom en uitstroom (de getallen van de grafiek)"))
        #expect(page.body.contains("Instroom: casussen geopend, naar bron"))
        #expect(page.body.contains("href=\"/monitor.csv?by=quarter&amp;from=2026-10&amp;to=2026-12\""))
        // Haarlem alone: nine cases opened in the quarter, shown; Velsen's three are "< 5".
        let haarlem = try web.request("GET", "/monitor?by=quarter&from=2026-10&to=2026-12&gemeente=gemeente-haarlem")
        #expect(haarlem.body.contains("<td>2026-K4</td>"))
        #expect(haarlem.body.contains("<td>9</td>"))
        let velsen = try web.request("GET", "/monitor?by=quarter&from=2026-10&to=2026-12&gemeente=gemeente-velsen")
        #expect(velsen.body.contains("<td>&lt; 5</td>"))
        #expect(!velsen.body.contains("<td>3</td>"))

        let csv = try web.request("GET", "/monitor.csv?from=2026-11&to=2026-11")
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["content-disposition"]?.contains("regie-monitor-2026-11-2026-11.csv") == true)
        #expect(csv.body.hasPrefix("werkstroom,figuur,periode,categorie,waarde\n"))

        let wrong = try web.request("GET", "/monitor?from=2026-13")
        #expect(wrong.status == 400 && wrong.body.contains("Van: a month as YYYY-MM"))

        let log = try web.engine.auditRecords(CaseStore.AuditFilter()).filter { $0.action == "report" }
        #expect(log.count == 5)
        #expect(log.allSatisfy { $0.partner == "ketenregisseur-zkih" && $0.person == "k.keten" && $0.caseId == nil })
        #expect(log.first?.detail == "monitor 2026-10..2026-12 by quarter, region, all workflows")
        #expect(log.last?.outcome == .refused)

        // A provider's casusregisseur has no Monitor.
        web.cookies = [:]
        try web.firstLogin("c.ggz", partner: "ggz-aanbieder", roles: [.casusregisseur])
        #expect(try !web.request("GET", "/").body.contains("href=\"/monitor\""))
        #expect(try web.request("GET", "/monitor").status == 404)
        #expect(try web.request("GET", "/monitor.csv").status == 404)
    }
}
