import Foundation
import RegieCore
import Testing

@testable import RegieHTTP

/// Authentication, the access log and metrics are middleware, so every route passes through them; these tests go
/// through the whole route table, so that a route added tomorrow is checked too.
@Suite struct MiddlewareTests {
    /// A concrete path for a route's template.
    static func path(_ route: Route) -> String {
        route.template.replacingOccurrences(of: "{caseId}", with: "c-unknown")
            .replacingOccurrences(of: "{webhookId}", with: "wh-unknown")
            .replacingOccurrences(of: "{basisteam}", with: "Haarlem")
    }

    @Test func everyAuthenticatedRouteRefusesACallWithoutAKeyAndLogsAndCountsIt() throws {
        let h = try APIHarness()
        let guarded = PartnerAPI.routes.filter(\.authenticated)
        #expect(guarded.count == PartnerAPI.routes.filter { $0.access != .service }.count)
        for route in guarded {
            let r = try h.call(route.method, Self.path(route), json: route.method == "POST" ? "{}" : nil)
            #expect(r.status == 401, "\(route.name) answered \(r.status) without a key")
        }
        let refused = try h.auditLog().filter { $0.outcome == .unauthorized }
        #expect(Set(refused.map(\.resource)) == Set(guarded.map(\.name)))
        let exposition = h.api.metrics.exposition(engine: h.engine)
        for route in guarded {
            #expect(exposition.contains("regie_http_requests_total{route=\"\(route.name)\",status=\"401\"} 1"))
        }
    }

    /// The service routes answer without a key and are not in the access log (they touch no case), but are counted.
    @Test func serviceRoutesAreCountedButNotLogged() throws {
        let h = try APIHarness()
        let before = try h.auditLog().count
        for route in PartnerAPI.routes where route.access == .service {
            let r = try h.call(route.method, Self.path(route))
            #expect(r.status == 200, "\(route.name) answered \(r.status)")
        }
        #expect(try h.auditLog().count == before)
        let exposition = h.api.metrics.exposition(engine: h.engine)
        #expect(exposition.contains("regie_http_requests_total{route=\"GET /v1/health/live\",status=\"200\"} 1"))
    }
}
