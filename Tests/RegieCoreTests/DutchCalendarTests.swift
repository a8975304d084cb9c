import Foundation
import Testing

@testable import RegieCore

@Suite struct DutchCalendarTests {
    let calendar = DutchCalendar()

    func date(_ s: String) -> LocalDate {
        guard let d = LocalDate.parse(s) else { fatalError("bad date in test: \(s)") }
        return d
    }

    func at(_ s: String) throws -> Instant { try calendar.parseInstant(s) }

    @Test func easterMatchesKnownDates() {
        // Hand-checked against published Easter dates, including the earliest possible (22 March) and a late one.
        let known = [
            2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16",
            2038: "2038-04-25", 2285: "2285-03-22",
        ]
        for (year, expected) in known { #expect(LocalDate.easterSunday(year) == date(expected)) }
    }

    @Test func holidaysOfTheAlgemeneTermijnenwet() {
        #expect(calendar.holidayName(date("2026-01-01")) == "Nieuwjaarsdag")
        #expect(calendar.holidayName(date("2026-04-06")) == "Tweede Paasdag")
        #expect(calendar.holidayName(date("2026-05-14")) == "Hemelvaartsdag")
        #expect(calendar.holidayName(date("2026-05-25")) == "Tweede Pinksterdag")
        #expect(calendar.holidayName(date("2026-12-25")) == "Eerste Kerstdag")
        #expect(calendar.holidayName(date("2026-12-26")) == "Tweede Kerstdag")
        #expect(calendar.holidayName(date("2026-05-05")) == "Bevrijdingsdag")
        #expect(calendar.holidayName(date("2027-05-05")) == "Bevrijdingsdag")
        // Good Friday is a holiday for the law (art. 3 lid 2), though not a general public holiday.
        #expect(calendar.holidayName(date("2026-04-03")) == "Goede Vrijdag")
        #expect(!calendar.isWorkingDay(date("2026-04-03")))
        #expect(calendar.holidayName(date("2027-03-26")) == "Goede Vrijdag")
        #expect(calendar.isWorkingDay(date("2026-12-24")))
    }

    @Test func kingsDayMovesToSaturdayWhenThe27thIsASunday() {
        #expect(calendar.holidayName(date("2026-04-27")) == "Koningsdag")
        #expect(calendar.holidayName(date("2025-04-27")) == nil)
        #expect(calendar.holidayName(date("2025-04-26")) == "Koningsdag")
        #expect(calendar.holidayName(date("2031-04-26")) == "Koningsdag")
        #expect(calendar.holidayName(date("2026-04-26")) == nil)
    }

    @Test func tenWorkingDaysEndAtTheEndOfTheLastOne() throws {
        // Monday 23 Nov 2026 + 10 working days = end of Monday 7 Dec (local midnight = 23:00Z).
        let due = calendar.deadline(after: .workingDays(10), from: try at("2026-11-23T09:00"))
        #expect(due.iso8601 == "2026-12-07T23:00:00.000Z")
        #expect(calendar.deadlineText(due) == "end of Monday 7 December 2026")
    }

    @Test func workingDaysSkipHolidays() throws {
        // Christmas: Thu 24 (1), Fri 25 and Sat/Sun skipped, Mon 28 (2), Tue 29 (3).
        #expect(calendar.addingWorkingDays(3, to: date("2026-12-23")) == date("2026-12-29"))
        // Easter: Good Friday 3 April and Easter Monday skipped: Tue 7 (1), Wed 8 (2).
        #expect(calendar.addingWorkingDays(2, to: date("2026-04-02")) == date("2026-04-08"))
        // King's Day Monday 27 April 2026 skipped.
        #expect(calendar.addingWorkingDays(1, to: date("2026-04-24")) == date("2026-04-28"))
        // Liberation Day Tuesday 5 May 2026 skipped.
        #expect(calendar.addingWorkingDays(1, to: date("2026-05-04")) == date("2026-05-06"))
        // Ascension Thursday 14 May 2026 and the Friday after are handled: Wed 13 + 1 = Fri 15.
        #expect(calendar.addingWorkingDays(1, to: date("2026-05-13")) == date("2026-05-15"))
        // Backwards across New Year: Mon 4 Jan 2027, skipping the weekend and New Year's Day (Fri 1 Jan):
        // Thu 31 Dec is 1, Wed 30 Dec is 2.
        #expect(calendar.addingWorkingDays(-2, to: date("2027-01-04")) == date("2026-12-30"))
    }

    @Test func statutoryPeriodEndingOnANonWorkingDayMovesToTheNextWorkingDay() throws {
        // A Wvggz melding on Saturday 11 April 2026: 14 days end on Saturday 25 April; Monday 27 is King's Day,
        // so the period ends at the end of Tuesday 28 April.
        let due = calendar.deadline(
            after: .calendar(days: 14, seconds: 0), from: try at("2026-04-11T15:00"), statutory: true)
        #expect(calendar.deadlineDay(of: due) == date("2026-04-28"))
        #expect(due.iso8601 == "2026-04-28T22:00:00.000Z")
        // The same period, not statutory, ends at the same clock time 14 days later.
        let plain = calendar.deadline(after: .calendar(days: 14, seconds: 0), from: try at("2026-04-11T15:00"))
        #expect(plain.iso8601 == "2026-04-25T13:00:00.000Z")
        // A statutory period ending on a working day is not moved: Mon 2 Nov + 14 days = end of Mon 16 Nov.
        let weekday = calendar.deadline(
            after: .calendar(days: 14, seconds: 0), from: try at("2026-11-02T10:00"), statutory: true)
        #expect(calendar.deadlineDay(of: weekday) == date("2026-11-16"))
    }

    /// Wvggz art. 5:3 and the Algemene termijnenwet: a melding on Friday 20 March 2026 at 10:00 has 14 days, which
    /// end on Good Friday 3 April; art. 1 moves that past Easter Monday to the end of Tuesday 7 April.
    @Test func aStatutoryPeriodEndingOnGoodFridayMovesPastEaster() throws {
        let due = calendar.law.deadline(
            after: .calendar(days: 14, seconds: 0), from: try at("2026-03-20T10:00"), statutory: true)
        #expect(calendar.deadlineText(due) == "end of Tuesday 7 April 2026")
    }

    /// Art. 2: a statutory period of three days or more holds at least two working days. Three days from Friday 9
    /// January 2026 end on Monday 12, which leaves only one; the period ends on Tuesday 13 January.
    @Test func aStatutoryPeriodOfThreeDaysHoldsTwoWorkingDays() throws {
        let law = calendar.law
        let friday = try at("2026-01-09T10:00")
        #expect(
            law.deadlineDay(of: law.deadline(after: .calendar(days: 3, seconds: 0), from: friday, statutory: true))
                == date("2026-01-13"))
        // From a Monday three days hold three working days: no extension.
        let monday = try at("2026-01-12T10:00")
        #expect(
            law.deadlineDay(of: law.deadline(after: .calendar(days: 3, seconds: 0), from: monday, statutory: true))
                == date("2026-01-15"))
        // Two days are too short for art. 2, and a period that is not statutory is never extended.
        #expect(
            law.deadlineDay(of: law.deadline(after: .calendar(days: 2, seconds: 0), from: friday, statutory: true))
                == date("2026-01-12"))
        #expect(
            law.deadlineDay(of: law.deadline(after: .calendar(days: 3, seconds: 0), from: friday)) == date("2026-01-12")
        )
    }

    /// The decree under art. 3 lid 3 adds days both calendars observe; the practice calendar adds the region's own,
    /// which the law's calendar ignores.
    @Test func lawAndPracticeCalendarsAreDistinct() {
        let practice = DutchCalendar(
            decreedDays: [date("2026-05-15"): "vrijdag na Hemelvaartsdag"],
            extraDays: [date("2026-12-31"): "kantoren gesloten"])
        let law = practice.law
        #expect(law.kind == .law && practice.kind == .practice)
        #expect(!law.isWorkingDay(date("2026-05-15")) && !practice.isWorkingDay(date("2026-05-15")))
        #expect(law.nonWorkingReason(date("2026-05-15")) == "vrijdag na Hemelvaartsdag")
        #expect(law.isWorkingDay(date("2026-12-31")) && !practice.isWorkingDay(date("2026-12-31")))
        // Ascension Thursday 14 May and the decreed Friday: Wed 13 + 1 working day = Mon 18.
        #expect(law.addingWorkingDays(1, to: date("2026-05-13")) == date("2026-05-18"))
        // A statutory period ending on 31 December stays there in the law's calendar.
        let due = law.deadline(
            after: .calendar(days: 14, seconds: 0), from: law.instant(of: date("2026-12-17"), secondOfDay: 36000),
            statutory: true)
        #expect(law.deadlineDay(of: due) == date("2026-12-31"))
    }

    /// The law's holidays from 2020 to 2040, day by day, against an independent source: the `holidays` package
    /// (PyPI) for the Netherlands, whose Easter and King's Day rules are its own, with the law's additions: 5 May
    /// every year (art. 3 lid 1; the package lists it only in lustrum years). Weekends are not compared: a
    /// holiday on a Saturday or Sunday changes nothing.
    @Test func theLawsHolidaysMatchAnIndependentSourceFrom2020To2040() throws {
        let script = """
            import datetime, json, holidays
            days = set()
            for year in range(2020, 2041):
                for day in holidays.NL(years=year):
                    days.add(day)
                days.add(datetime.date(year, 5, 5))
            print(json.dumps(sorted(d.isoformat() for d in days if d.weekday() < 5)))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 with the holidays package (pip install holidays) is needed")
        let expected = try #require(try JSONParser.parse(Array(data)).arrayValue).compactMap(\.stringValue)
        var ours: [String] = []
        var day = date("2020-01-01")
        while day <= date("2040-12-31") {
            if day.isoWeekday <= 5 && calendar.law.holidayName(day) != nil { ours.append(day.isoText) }
            day = day.adding(days: 1)
        }
        #expect(expected.count > 150)
        #expect(
            ours == expected,
            "only ours: \(Set(ours).subtracting(expected).sorted()), only theirs: \(Set(expected).subtracting(ours).sorted())"
        )
    }

    @Test func deadlinesKeepLocalTimeAcrossDaylightSaving() throws {
        // 20 March 10:00 CET + 14 days = 3 April 10:00 CEST = 08:00Z.
        let due = calendar.deadline(after: .calendar(days: 14, seconds: 0), from: try at("2026-03-20T10:00"))
        #expect(due.iso8601 == "2026-04-03T08:00:00.000Z")
        // A working-day deadline just after the switch ends at local midnight in summer time (22:00Z).
        let wd = calendar.deadline(after: .workingDays(1), from: try at("2026-03-27T16:00"))
        #expect(wd.iso8601 == "2026-03-30T22:00:00.000Z")
        // And after the autumn switch at 23:00Z again.
        let autumn = calendar.deadline(after: .workingDays(1), from: try at("2026-10-23T16:00"))
        #expect(autumn.iso8601 == "2026-10-26T23:00:00.000Z")
        // PT4H is exact time, even across the switch night.
        let hours = calendar.deadline(after: .calendar(days: 0, seconds: 4 * 3600), from: try at("2026-03-29T00:30"))
        #expect(hours.milliseconds - (try at("2026-03-29T00:30")).milliseconds == 4 * 3600 * 1000)
    }

    /// The offset is looked up among the summer-time changes of 1970 to 2199; it must be the rule's, at every change,
    /// a second either side of it, and outside that range.
    @Test func theLookedUpOffsetIsTheRules() {
        var moments = DutchCalendar.summerTimeChanges.flatMap { [$0 - 1, $0, $0 + 1] }
        moments += [-86_400 * 400, -1, 0, 1, 7_258_118_400, 7_258_118_400 + 86_400 * 200]
        moments += stride(from: 0, to: 7_258_118_400, by: 86_400 * 37 + 3_601)
        for secs in moments {
            #expect(
                calendar.utcOffset(at: Instant(seconds: Int64(secs)))
                    == DutchCalendar.utcOffsetByRule(seconds: secs), "at \(secs)")
        }
    }

    @Test func utcOffsetFollowsTheEURule() throws {
        #expect(calendar.utcOffset(at: try at("2026-03-29T00:59:59Z")) == 3600)
        #expect(calendar.utcOffset(at: try at("2026-03-29T01:00:00Z")) == 7200)
        #expect(calendar.utcOffset(at: try at("2026-10-25T00:59:59Z")) == 7200)
        #expect(calendar.utcOffset(at: try at("2026-10-25T01:00:00Z")) == 3600)
    }

    @Test func extraNonWorkingDaysFromConfiguration() {
        let region = DutchCalendar(extraDays: [date("2026-12-24"): "collectieve vrije dag"])
        #expect(!region.isWorkingDay(date("2026-12-24")))
        #expect(region.nonWorkingReason(date("2026-12-24")) == "collectieve vrije dag")
        #expect(region.addingWorkingDays(1, to: date("2026-12-23")) == date("2026-12-28"))
    }

    /// A calendar-time deadline paused across the change to summer time keeps its local clock time.
    @Test func shiftingByLocalTimeKeepsTheClock() throws {
        let due = try at("2026-06-01T14:00")
        let moved = calendar.shifting(due, byLocalTimeFrom: try at("2026-03-20T10:00"), to: try at("2026-04-03T13:00"))
        #expect(calendar.localText(moved) == "2026-06-15 17:00 CEST")
        // Across the change back: 14 local days and 3 hours later, at the same local time of day plus 3 hours.
        let autumn = calendar.shifting(due, byLocalTimeFrom: try at("2026-10-20T10:00"), to: try at("2026-11-03T13:00"))
        #expect(calendar.localText(autumn) == "2026-06-15 17:00 CEST")
    }

    /// A reminder at local midnight belongs to the day that ends there, not to the day that starts.
    @Test func deadlinesAndRemindersReadAsPeopleReadThem() throws {
        #expect(calendar.deadlineText(try at("2026-03-26T00:00")) == "end of Wednesday 25 March 2026")
        #expect(calendar.deadlineText(try at("2026-04-10T14:30")) == "Friday 10 April 2026, 14:30")
    }

    @Test func shiftingAndReminders() throws {
        let due = try at("2026-12-07T23:00:00Z")  // end of Monday 7 Dec
        #expect(calendar.shifting(due, byWorkingDays: 5).iso8601 == "2026-12-14T23:00:00.000Z")
        #expect(calendar.reminder(.workingDays(2), ahead: due).iso8601 == "2026-12-03T23:00:00.000Z")
        #expect(calendar.workingDaysBetween(try at("2026-12-20T10:00"), try at("2026-12-28T10:00")) == 5)
        #expect(calendar.workingDaysBetween(try at("2026-12-21T10:00"), try at("2026-12-21T15:00")) == 0)
    }

    @Test func parsesTimesInSeveralForms() throws {
        #expect(try at("2026-12-01T09:00:00Z").iso8601 == "2026-12-01T09:00:00.000Z")
        #expect(try at("2026-12-01T09:00:00+01:00").iso8601 == "2026-12-01T08:00:00.000Z")
        #expect(try at("2026-07-01T09:00").iso8601 == "2026-07-01T07:00:00.000Z")
        #expect(try at("2026-12-01").iso8601 == "2026-11-30T23:00:00.000Z")
        // Milliseconds round-trip exactly (through a Double, .979 came back as .978).
        for ms in 0..<1000 {
            let t = Instant(milliseconds: 1_796_289_177_000 + Int64(ms))
            #expect(Instant(iso8601: t.iso8601) == t, "\(t.iso8601)")
        }
        #expect(throws: DutchCalendar.TimeParseError.self) { try at("2026-12-01T09:00:5.5Z") }
        #expect(throws: DutchCalendar.TimeParseError.self) { try at("yesterday") }
        #expect(throws: DutchCalendar.TimeParseError.self) { try at("2026-02-30") }
    }
}

/// Instants as Regie writes them are read back without a calendar, to the millisecond, and anything else goes the
/// calendar's way.
@Suite struct InstantTextTests {
    @Test func writtenInstantsReadBackExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let instant = Instant(milliseconds: Int64.random(in: 0...4_102_444_800_000, using: &generator))
            #expect(Instant.parseWritten(instant.iso8601) == instant)
            #expect(Instant(iso8601: instant.iso8601) == instant)
        }
        for bad in [
            "2026-02-30T10:00:00.000Z", "2026-13-01T10:00:00.000Z", "2026-11-22T24:00:00.000Z",
            "2026-11-22T17:55:41.12Z", "2026-11-22 17:55:41.123Z", "2026-11-22T17:55:4x.123Z",
        ] {
            #expect(Instant.parseWritten(bad) == nil, "\(bad)")
        }
        // Other ISO 8601 forms still parse, through the calendar.
        #expect(Instant(iso8601: "2026-11-22T17:55:41Z") == Instant.parseWritten("2026-11-22T17:55:41.000Z"))
    }
}
