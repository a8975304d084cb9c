import Testing

@testable import RegieCore

@Suite struct BSNTests {
    @Test func acceptsNumbersThatPassTheElevenTest() throws {
        #expect(try BSN("111222333").digits == "111222333")
        #expect(try BSN("123456782").digits == "123456782")
        #expect(try BSN("1112.22.333").digits == "111222333")
        #expect(try BSN("12345672").digits == "012345672")
    }

    @Test func refusesOthersWithoutRepeatingTheNumber() {
        for bad in ["123456789", "000000000", "12345", "abcdefghi", "1234567890"] {
            do {
                _ = try BSN(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!error.message.contains(bad))
            }
        }
    }
}
