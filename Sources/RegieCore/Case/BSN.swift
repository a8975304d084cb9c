/// A Dutch citizen service number, checked with the 11-proef. Held only in memory, long enough to pseudonymise it.
public struct BSN: Sendable {
    /// The nine digits.
    public let digits: String

    /// Checks a BSN: eight or nine digits (eight get a leading zero) that pass the 11-proef.
    /// - Throws: `Refusal` (.invalidArgument) saying what is wrong, without repeating the number.
    public init(_ text: String) throws(Refusal) {
        var t = text.filter { $0 != " " && $0 != "." && $0 != "-" }
        if t.count == 8 { t = "0" + t }
        guard t.count == 9, t.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw Refusal(.invalidArgument, "a BSN has nine digits; the one given does not")
        }
        let d = t.utf8.map { Int($0 - UInt8(ascii: "0")) }
        var sum = 0
        for i in 0..<8 { sum += d[i] * (9 - i) }
        sum -= d[8]
        guard sum % 11 == 0, d.contains(where: { $0 != 0 }) else {
            throw Refusal(.invalidArgument, "the BSN given fails the 11-proef; check it for a typo")
        }
        digits = t
    }
}
