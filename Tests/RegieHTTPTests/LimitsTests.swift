import RegieStore
import RegieTestSupport
import Foundation
import RegieCore
import RegieHTTP
import Testing

@testable import RegieEngine

/// One participant cannot make the server hold a case's whole history in memory: every free text has a limit, named
/// when it is passed, and the timeline comes in pages of bounded size.
@Suite struct LimitsTests {
    static let bw = Actor(partner: "bw-aanbieder", role: .regiehouder)

    @Test func aTextPastItsLimitIsRefusedNamingItAndChangesNothing() throws {
        let h = try APIHarness()
        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem")
        let huge = String(repeating: "n", count: 1_000_000)
        for (body, name) in [
            (#"{"event":"plan-vastgesteld","note":"\#(huge)"}"#, "body.note"),
            (#"{"event":"contactpersoon","contact":"\#(String(repeating: "c", count: 300))"}"#, "body.contact"),
            (
                #"{"event":"plan-vastgesteld","note":"plan","fields":{"x":"\#(String(repeating: "f", count: 3000))"}}"#,
                "body.fields.x"
            ),
        ] {
            let r = try h.call("POST", "/v1/cases/\(id)/events", as: "bw-aanbieder", json: body)
            #expect(r.status == 422, "\(name): \(r.status)")
            #expect(r.json["type"]?.stringValue == "urn:regie:problem:text-too-long")
            #expect(r.json["invalidParams"]?.arrayValue?.first?["name"]?.stringValue == name, "\(r.json)")
        }
        #expect(try h.engine.show(id).sequence == 1)
        // Within the limit it is accepted.
        let ok = try h.call(
            "POST", "/v1/cases/\(id)/events", as: "bw-aanbieder",
            json: #"{"event":"plan-vastgesteld","note":"\#(String(repeating: "n", count: 20_000))"}"#)
        #expect(ok.status == 200)
    }

    /// A NUL inside a JSON string was stored cut off at the NUL while its hash covered the whole string, and the
    /// access log's verification then stopped at "altered". Now identifiers with control characters are unknown,
    /// free text with them is refused naming the field, and every record verifies.
    @Test func aNulInARequestChangesNothingAndTheAccessLogStillVerifies() throws {
        let h = try APIHarness()
        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem")
        let event = try h.call(
            "POST", "/v1/cases/\(id)/events", as: "bw-aanbieder", json: #"{"event":"voortgang\u0000x","note":"n"}"#)
        #expect(event.status == 422)
        let contact = try h.call(
            "POST", "/v1/cases/\(id)/events", as: "bw-aanbieder",
            json: #"{"event":"contactpersoon","contact":"abc\u0000def"}"#)
        #expect(contact.status == 400)
        #expect(contact.json["invalidParams"]?.arrayValue?.first?["name"]?.stringValue == "body.contact")
        #expect(try h.engine.show(id).sequence == 1)
        let verified = try h.engine.verifyAudit()
        #expect(verified.broken.isEmpty && verified.checked >= 2, "\(verified.broken)")
        // Text is bound with its length: a NUL that reaches the store (an access record's detail) survives whole.
        try h.engine.audit(
            AuditEntry(
                at: h.clock.now(), channel: .system, action: "test", resource: "nul", partner: "regie", outcome: .ok,
                status: 0, detail: "voor\u{0}na"))
        #expect(try h.engine.auditRecords(.init()).last?.detail == "voor\u{0}na")
        #expect(try h.engine.verifyAudit().broken.isEmpty)
    }

    @Test func theTimelineComesInPagesOfBoundedSize() throws {
        let h = try APIHarness()
        let id = try h.open("netwerkcasus", regie: "bw-aanbieder", gemeente: "gemeente-haarlem")
        try h.fire(id, "plan-vastgesteld", as: Self.bw, note: "plan")
        let long = String(repeating: "x", count: 19_000)
        for i in 0..<120 { try h.fire(id, "voortgang", as: Self.bw, note: "\(i) \(long)") }
        var sequences: [Int] = []
        var next: String? = "/v1/cases/\(id)/events"
        var pages = 0
        while let path = next {
            let page = try h.call("GET", path, as: "bw-aanbieder")
            #expect(page.status == 200)
            #expect(page.body.utf8.count <= (1 << 20) + 4096, "a page of \(page.body.utf8.count) bytes")
            sequences += (page.json["events"]?.arrayValue ?? []).compactMap { $0["sequence"]?.intValue }.map { Int($0) }
            next = page.json["_links"]?["next"]?["href"]?.stringValue
            pages += 1
        }
        #expect(sequences == Array(1...122), "every event once, in order")
        #expect(pages >= 3, "about fifty 19 KB notes fit in a 1 MiB page: \(pages) page(s)")
        let small = try h.call("GET", "/v1/cases/\(id)/events?pageSize=10&after=5", as: "bw-aanbieder")
        #expect(small.json["events"]?.arrayValue?.first?["sequence"] == 6)
        #expect(small.json["events"]?.arrayValue?.count == 10)
        let bad = try h.call("GET", "/v1/cases/\(id)/events?pageSize=1000", as: "bw-aanbieder")
        #expect(bad.status == 400)
    }
}
