import Foundation
import Testing

@testable import RegieCore

@Suite struct RegionConfigTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../Config"
    ).standardized

    static func file(_ name: String) throws -> (bytes: [UInt8], file: String) {
        let data = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path))
        return (Array(data), name)
    }

    /// The shipped region file with `old` replaced by `new` (the replacement must apply).
    func problems(replacing old: String, with new: String) throws -> [ValidationProblem] {
        let region = try Self.file("region.json")
        let text = String(decoding: region.bytes, as: UTF8.self)
        precondition(text.contains(old), "test edit does not apply: \(old)")
        let partners = try Self.file("partners.json")
        let edited = Array(text.replacingOccurrences(of: old, with: new).utf8)
        do {
            _ = try RegionConfig.load(region: (edited, "region.json"), partners: partners)
            return []
        } catch {
            return error.problems
        }
    }

    func expectProblem(
        _ found: [ValidationProblem], path: String, contains message: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            found.contains { $0.path == path && $0.description.contains(message) },
            "expected \(path): \(message); got:\n\(found.map(\.description).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    }

    @Test func theShippedRegionLoads() throws {
        let c = try RegionConfig.load(region: try Self.file("region.json"), partners: try Self.file("partners.json"))
        #expect(c.centrumgemeente == "gemeente-haarlem")
        #expect(c.partners.filter { $0.kind == "gemeente" }.count == 8)
        #expect(c.procesregisseurs.count == 8)
        #expect(c.mandates[.ketenregisseur] == ["ketenregisseur-zkih"])
        #expect(c.ladder.map(\.deadline) == [.workingDays(10), .workingDays(5), .workingDays(5), .workingDays(10)])
        #expect(c.ladder.map(\.doorzettingsmacht) == [false, false, true, true])
        #expect(c.windows["handoverAcceptance"] == .workingDays(3))
        #expect(c.vsoSchedule("politie-haarlem")?.weekday == 2)
        for kind in [
            "beschermd-wonen", "maatschappelijke-opvang", "vrouwenopvang", "ggz", "verslavingszorg", "bemoeizorg",
            "toegang", "politie", "wijkteam", "woningcorporatie", "veilig-thuis",
        ] {
            #expect(c.partners.contains { $0.kind == kind && $0.example }, "no example partner of kind \(kind)")
        }
    }

    /// The decree of 2026-2028 under Algemene termijnenwet art. 3 lid 3 ships in Config/; both calendars observe it.
    @Test func theShippedDecreedDaysAreNonWorkingDaysInBothCalendars() throws {
        let c = try RegionConfig.load(region: try Self.file("region.json"), partners: try Self.file("partners.json"))
        for text in ["2026-01-02", "2026-05-15", "2027-05-07", "2028-04-28", "2028-05-26"] {
            let day = try #require(LocalDate.parse(text))
            #expect(!c.calendar.law.isWorkingDay(day), "\(text) is a working day for the law")
            #expect(!c.calendar.isWorkingDay(day), "\(text) is a working day in practice")
            #expect(c.calendar.law.nonWorkingReason(day)?.contains("art. 3 lid 3") == true)
        }
    }

    @Test func calendarDaysAreChecked() throws {
        let decreed =
            #"{ "date": "2026-01-02", "reason": "vrijdag na Nieuwjaarsdag (Atw art. 3 lid 3, besluit 2026-2028)" }"#
        expectProblem(
            try problems(replacing: decreed, with: #"{ "date": "2026-01-02" }"#), path: "$.calendar.decreedDays[0]",
            contains: "needs a \"reason\"")
        expectProblem(
            try problems(replacing: decreed, with: #"{ "date": "2026-01-03", "reason": "x" }"#),
            path: "$.calendar.decreedDays", contains: "2026-01-03 is a Saturday")
        expectProblem(
            try problems(
                replacing: #""extraNonWorkingDays": []"#,
                with: #""extraNonWorkingDays": [{ "date": "31-12-2026", "reason": "x" }]"#),
            path: "$.calendar.extraNonWorkingDays[0]", contains: "needs a \"date\" as YYYY-MM-DD")
    }

    @Test func anUnknownPartnerInAMandate() throws {
        expectProblem(
            try problems(
                replacing: #""ketenregisseur": ["ketenregisseur-zkih"]"#,
                with: #""ketenregisseur": ["ketenregisseur-zkh"]"#), path: "$.mandates.ketenregisseur[0]",
            contains: "unknown partner \"ketenregisseur-zkh\"; did you mean \"ketenregisseur-zkih\"?")
        expectProblem(
            try problems(
                replacing: #""gemeente-velsen": "gemeente-velsen""#, with: #""ggz-aanbieder": "gemeente-velsen""#),
            path: "$.mandates.procesregisseur.ggz-aanbieder", contains: "is a ggz, not a gemeente")
    }

    @Test func aLevelWithoutOwner() throws {
        expectProblem(
            try problems(replacing: #""ketenregisseur": ["ketenregisseur-zkih"],"#, with: ""), path: "$.ladder[2]",
            contains: "level 2 (ketenregie) has no owner")
        expectProblem(
            try problems(replacing: #""owner": "regiehouder""#, with: #""owner": "betrokken""#),
            path: "$.ladder[0].owner", contains: "cannot own a level")
    }

    @Test func aNegativeOrBadDeadline() throws {
        expectProblem(
            try problems(replacing: #""deadline": "5 werkdagen" }"#, with: #""deadline": "-5 werkdagen" }"#),
            path: "$.ladder[1].deadline", contains: "cannot be negative")
        expectProblem(
            try problems(replacing: #""handoverMeeting": "10 werkdagen""#, with: #""handoverMeeting": "10 dagen""#),
            path: "$.windows.handoverMeeting", contains: "bad duration")
        expectProblem(
            try problems(replacing: #""handoverMeeting""#, with: #""handoverMeting""#),
            path: "$.windows.handoverMeting", contains: "did you mean \"handoverMeeting\"?")
    }

    @Test func levelsInOrder() throws {
        expectProblem(
            try problems(replacing: #"{ "level": 3,"#, with: #"{ "level": 2,"#), path: "$.ladder",
            contains: "levels must be 0, 1, 2")
    }

    @Test func vsoSchedulesAreChecked() throws {
        expectProblem(
            try problems(replacing: #""weekday": "di""#, with: #""weekday": "dinsdg""#), path: "$.vso[0].weekday",
            contains: "unknown weekday")
        expectProblem(
            try problems(replacing: #""time": "10:00", "cutoff""#, with: #""time": "25:00", "cutoff""#),
            path: "$.vso[0].time", contains: "not a time of day")
        expectProblem(
            try problems(replacing: #""basisteam": "politie-haarlem""#, with: #""basisteam": "ggz-aanbieder""#),
            path: "$.vso[0].basisteam", contains: "in domain zorg, not veiligheid")
    }

    @Test func syntaxErrorsGiveLineAndColumn() throws {
        let found = try problems(
            replacing: #""centrumgemeente": "gemeente-haarlem","#, with: #""centrumgemeente": "gemeente-haarlem""#)
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
    }

    @Test func aSignalMakesTheNextMeetingWhoseAgendaIsStillOpen() throws {
        let calendar = DutchCalendar()
        // Haarlem meets on Tuesdays at 10:00; the agenda closes the working day before at 12:00.
        let schedule = VSOSchedule(
            basisteam: "politie-haarlem", weekday: 2, time: 36000, cutoffWorkingDaysBefore: 1, cutoffTime: 43200)
        let before = try calendar.parseInstant("2026-11-23T11:59")  // Monday, just before the cut-off
        let after = try calendar.parseInstant("2026-11-23T12:01")  // Monday, just after it
        #expect(calendar.localText(schedule.meeting(for: before, in: calendar)) == "2026-11-24 10:00 CET")
        #expect(calendar.localText(schedule.meeting(for: after, in: calendar)) == "2026-12-01 10:00 CET")
        // No meeting on a holiday: Tuesday 5 May 2026 is Bevrijdingsdag, so a signal from 1 May goes to 12 May.
        let may = try calendar.parseInstant("2026-05-01T09:00")
        #expect(calendar.localText(schedule.meeting(for: may, in: calendar)) == "2026-05-12 10:00 CEST")
        // The cut-off for Tuesday 12 May is Monday 11 May 12:00.
        #expect(
            calendar.localText(schedule.cutoff(before: schedule.meeting(for: may, in: calendar), in: calendar))
                == "2026-05-11 12:00 CEST")
    }
}
