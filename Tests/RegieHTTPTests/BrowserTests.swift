import Foundation
import RegieCore
import RegieStore
import RegieTestSupport
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// The workspace in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by
/// Selenium, every page checked by axe-core at WCAG 2.1 A and AA (`Browser/workspace_story.py`). This test serves
/// the shipped region with a case that stalled and escalated to procesregie, hands the story its people and their
/// one-time passwords, runs it, and checks afterwards what the browser did in the engine.
@Suite struct BrowserTests {
    /// The folder of the screenshots: `.build/test-artifacts/workspace` in the package.
    static var artifacts: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/test-artifacts/workspace").path
    }

    @Test func theRegionsStoryInChromiumWithAxeOnEveryPage() throws {
        var identity = WebHarness.fastIdentity
        // Plain cookies on loopback (the browser talks HTTP to 127.0.0.1, where `Secure` cookies are not kept).
        identity.secureCookies = false
        let web = try WebHarness(identity: identity, at: "2024-06-28T09:00")
        let engine = web.engine
        // Fifteen months of closed cases for the Monitor, then the day of the story, when their nazorg is over.
        try RegionHistory.play(
            engine: engine, clock: web.clock, from: LocalDate(year: 2024, month: 7, day: 1), cases: 330, every: 1)
        web.clock.set(try engine.config.calendar.parseInstant("2026-11-23T09:00"))
        while try engine.fireDueTimers().fired > 0 {}
        #expect(try engine.list().isEmpty, "the history left cases open")
        var people: [String: String] = [:]
        for (login, partner, roles) in [
            ("p.haarlem", "gemeente-haarlem", Set([PersonRole.procesregisseur])),
            ("k.keten", "ketenregisseur-zkih", [.ketenregisseur]),
            ("c.ggz", "ggz-aanbieder", [.casusregisseur]),
            ("c.bw", "bw-aanbieder", [.casusregisseur]),
            ("c.vz", "verslavingszorg", [.casusregisseur]),
            ("c.woning", "woningcorporatie", [.casusregisseur]),
            ("f.beheer", "gemeente-haarlem", [.functioneelBeheer]),
        ] {
            let added = try engine.addPerson(
                login: login, name: "Test \(login)", partner: partner, roles: roles, audit: WebHarness.administrator)
            people[login] = added.temporaryPassword
        }
        // A case that stalled: opened, its plan made, then ten working days without progress.
        let holder = Actor(partner: "bw-aanbieder", person: "c.bw", role: .regiehouder)
        let id = try #require(
            try engine.open(
                Engine.OpenRequest(
                    workflow: "netwerkcasus", regie: "bw-aanbieder", bsn: "111222333", actor: holder,
                    municipality: "gemeente-haarlem")
            ).record?.id)
        _ = try engine.fire(id, CaseCommand(event: "plan-vastgesteld", actor: holder, note: "plan: wonen en schulden"))
        web.clock.set(engine.config.calendar.shifting(web.clock.now(), byWorkingDays: 11))
        _ = try engine.fireDueTimers()
        #expect(try engine.show(id).level == 1)

        let story: JSONValue = [
            "base": .string("http://127.0.0.1:\(web.server.port)"), "now": .int(web.clock.now().milliseconds / 1000),
            "caseId": .string(id), "artifacts": .string(Self.artifacts),
            "people": .object(
                JSONObject(people.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) })),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "regie-story-\(UUID().uuidString).json")
        try Data(story.compactText.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Browser/workspace_story.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the browser story failed:\n\(text)")
        #expect(text.contains("pages checked by axe"), "\(text)")

        // What the people did in the browser is what the engine holds.
        let after = try engine.show(id)
        #expect(after.regie.partner == "verslavingszorg" && after.level == 2 && after.details.opdrachten.isEmpty)
        let events = try engine.timeline(id).map(\.event)
        for e in ["opschalen", "doorzettingsbesluit", "opdracht-uitgevoerd", "overdracht-afronden"] {
            #expect(events.contains(e), "\(e) is not on the timeline")
        }
        let woning = try engine.auditRecords(CaseStore.AuditFilter()).filter {
            $0.person == "c.woning" && $0.caseId == id
        }
        #expect(!woning.isEmpty && woning.allSatisfy { $0.outcome == .notFound })
    }
}
