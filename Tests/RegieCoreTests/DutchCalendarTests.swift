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
        // Good Friday is not a general holiday under the Algemene termijnenwet.
        #expect(calendar.holidayName(date("2026-04-03")) == nil)
        #expect(calendar.isWorkingDay(date("2026-04-03")))
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
        #expect(calendar.deadlineText(due) == "end of 2026-12-07 (ma)")
    }

    @Test func workingDaysSkipHolidays() throws {
        // Christmas: Thu 24 (1), Fri 25 and Sat/Sun skipped, Mon 28 (2), Tue 29 (3).
        #expect(calendar.addingWorkingDays(3, to: date("2026-12-23")) == date("2026-12-29"))
        // Easter: Fri 3 April (1), Easter Monday skipped, Tue 7 (2).
        #expect(calendar.addingWorkingDays(2, to: date("2026-04-02")) == date("2026-04-07"))
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
        #expect(throws: DutchCalendar.TimeParseError.self) { try at("yesterday") }
        #expect(throws: DutchCalendar.TimeParseError.self) { try at("2026-02-30") }
    }
}
