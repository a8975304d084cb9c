import Testing

@testable import RegieCore

@Suite struct DurationSpecTests {
    @Test func parsesCalendarAndWorkingDays() throws {
        #expect(try DurationSpec.parse("PT4H") == .calendar(days: 0, seconds: 14400))
        #expect(try DurationSpec.parse("P14D") == .calendar(days: 14, seconds: 0))
        #expect(try DurationSpec.parse("P2W") == .calendar(days: 14, seconds: 0))
        #expect(try DurationSpec.parse("P1DT12H30M") == .calendar(days: 1, seconds: 45000))
        #expect(try DurationSpec.parse("10 werkdagen") == .workingDays(10))
        #expect(try DurationSpec.parse("1 werkdag") == .workingDays(1))
        #expect(try DurationSpec.parse("3 working days") == .workingDays(3))
        #expect(DurationSpec.workingDays(10).description == "10 werkdagen")
        #expect(DurationSpec.calendar(days: 1, seconds: 7200).description == "P1DT2H")
    }

    @Test func refusesBadDurationsWithAHint() {
        for bad in ["10 dagen", "P1M", "P1Y", "PT", "4H", "P", "-3 werkdagen", "P1DT", "PT4X"] {
            #expect(throws: DurationSpec.ParseError.self, "\(bad)") { try DurationSpec.parse(bad) }
        }
        do {
            _ = try DurationSpec.parse("P1M")
        } catch {
            #expect(error.description.contains("no fixed length"))
        }
    }
}
