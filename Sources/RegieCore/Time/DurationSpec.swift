/// How long a timer runs: calendar time (`PT4H`, `P14D`) or working days (`10 werkdagen`).
public enum DurationSpec: Sendable, Hashable, CustomStringConvertible {
    /// Calendar time: whole local days (which keep the clock time across daylight saving) plus seconds.
    case calendar(days: Int, seconds: Int)
    /// Working days in the Dutch calendar; the period ends at the end of the last working day.
    case workingDays(Int)

    /// A problem with the text of a duration.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `PT4H`, `P14D`, `P2W`, `P1DT12H`, `10 werkdagen`, `1 werkdag` or `10 working days`.
    /// - Throws: `ParseError` saying which forms are accepted.
    public static func parse(_ text: String) throws(ParseError) -> DurationSpec {
        let t = text.trimmingSpaces
        let words = t.split(separator: " ")
        if words.count == 2 || words.count == 3 {
            let unit = words.dropFirst().joined(separator: " ").lowercased()
            guard ["werkdag", "werkdagen", "working day", "working days"].contains(unit) else {
                throw ParseError(description: "unknown unit '\(unit)' in \"\(text)\"; write e.g. \"10 werkdagen\"")
            }
            guard let n = Int(words[0]), n >= 0, n <= 3650 else {
                throw ParseError(description: "\"\(text)\" needs a whole number of working days from 0 to 3650")
            }
            return .workingDays(n)
        }
        return try parseISO(t, original: text)
    }

    private static func parseISO(_ t: String, original: String) throws(ParseError) -> DurationSpec {
        let hint = "write an ISO 8601 duration such as PT4H, P14D or P1DT12H, or working days as \"10 werkdagen\""
        guard t.hasPrefix("P"), t.count > 1 else {
            throw ParseError(description: "\"\(original)\" is not a duration; \(hint)")
        }
        var days = 0
        var seconds = 0
        var number = ""
        var inTime = false
        var sawUnit = false
        var sawTimeUnit = false
        for c in t.dropFirst() {
            if c.isASCII && c.isNumber {
                number.append(c)
                continue
            }
            if c == "T" {
                guard number.isEmpty, !inTime else {
                    throw ParseError(description: "misplaced 'T' in \"\(original)\"; \(hint)")
                }
                inTime = true
                continue
            }
            guard let n = Int(number), n <= 100_000 else {
                throw ParseError(description: "\"\(original)\" has a unit without a number; \(hint)")
            }
            number = ""
            sawUnit = true
            sawTimeUnit = sawTimeUnit || inTime
            switch (inTime, c) {
            case (false, "W"): days += 7 * n
            case (false, "D"): days += n
            case (true, "H"): seconds += 3600 * n
            case (true, "M"): seconds += 60 * n
            case (true, "S"): seconds += n
            case (false, "Y"), (false, "M"):
                throw ParseError(
                    description:
                        "\"\(original)\": years and months have no fixed length; use days (P30D) or working days")
            default: throw ParseError(description: "unknown unit '\(c)' in \"\(original)\"; \(hint)")
            }
        }
        guard number.isEmpty, sawUnit, !inTime || sawTimeUnit else {
            throw ParseError(description: "\"\(original)\" ends without a unit; \(hint)")
        }
        return .calendar(days: days, seconds: seconds)
    }

    /// The canonical text: `P14D`, `PT4H`, `P1DT2H`, `10 werkdagen`.
    public var description: String {
        switch self {
        case .workingDays(let n): return n == 1 ? "1 werkdag" : "\(n) werkdagen"
        case .calendar(let days, let seconds):
            var s = "P"
            if days > 0 || seconds == 0 { s += "\(days)D" }
            if seconds > 0 {
                s += "T"
                if seconds / 3600 > 0 { s += "\(seconds / 3600)H" }
                if seconds / 60 % 60 > 0 { s += "\(seconds / 60 % 60)M" }
                if seconds % 60 > 0 { s += "\(seconds % 60)S" }
            }
            return s
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    /// Whether the text is empty or only whitespace: `trimmingSpaces.isEmpty`, without making the trimmed copy.
    var isBlank: Bool { allSatisfy(\.isWhitespace) }
}
