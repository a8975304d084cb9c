import Testing

@testable import RegieCore

/// Deadlines as the workspace shows them: in Dutch, local time, the working days left or passed (the law's
/// holidays counted: Easter Monday 2026 is 6 April), and how urgent they are.
@Suite struct DeadlineReadingTests {
    let calendar = DutchCalendar()
    func at(_ text: String) throws -> Instant { try calendar.parseInstant(text) }

    @Test func readsAsPeopleSayIt() throws {
        let endOfFriday = try at("2026-04-11T00:00")  // the end of Friday 10 April
        let cases: [(String, String, DeadlineReading.Urgency)] = [
            ("2026-04-03T10:00", "einde vrijdag 10 april, nog 4 werkdagen", .later),  // Good Friday; Easter Monday off
            ("2026-04-07T10:00", "einde vrijdag 10 april, nog 3 werkdagen", .later),
            ("2026-04-09T09:00", "einde vrijdag 10 april, nog 1 werkdag", .soon),
            ("2026-04-10T16:59", "einde vrijdag 10 april, vandaag", .soon),
            ("2026-04-11T00:00", "verlopen: einde vrijdag 10 april", .overdue),
            ("2026-04-13T09:00", "verlopen: einde vrijdag 10 april, 1 werkdag geleden", .overdue),
            ("2026-04-14T09:00", "verlopen: einde vrijdag 10 april, 2 werkdagen geleden", .overdue),
        ]
        for (now, text, urgency) in cases {
            let reading = calendar.reading(of: endOfFriday, now: try at(now))
            #expect(reading == DeadlineReading(text: text, urgency: urgency), "at \(now)")
        }
    }

    @Test func aTimeOfDayAndAnotherYearAreShown() throws {
        #expect(
            calendar.reading(of: try at("2026-04-08T14:00"), now: try at("2026-04-07T10:00")).text
                == "woensdag 8 april, 14:00, nog 1 werkdag")
        #expect(
            calendar.reading(of: try at("2027-01-05T00:00"), now: try at("2026-12-21T10:00"), warningWorkingDays: 5)
                == DeadlineReading(text: "einde maandag 4 januari 2027, nog 8 werkdagen", urgency: .later))
    }
}
