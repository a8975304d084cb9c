extension DutchCalendar {
    /// A problem with a date-time given on the command line or in a request.
    public struct TimeParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses a moment: `2026-12-01T09:00:00Z`, `2026-12-01T09:00:00+01:00`, `2026-12-01T09:00` (Amsterdam time)
    /// or `2026-12-01` (local midnight).
    public func parseInstant(_ text: String) throws(TimeParseError) -> Instant {
        let hint = "use ISO 8601, e.g. 2026-12-01T09:00:00Z, 2026-12-01T10:00 (Amsterdam time) or 2026-12-01"
        let t = text.trimmingSpaces
        guard t.count >= 10, let date = LocalDate.parse(String(t.prefix(10))) else {
            throw TimeParseError(description: "\"\(text)\" is not a date-time; \(hint)")
        }
        var rest = Substring(t.dropFirst(10))
        if rest.isEmpty { return startOfDay(date) }
        guard rest.first == "T" || rest.first == " " else { throw TimeParseError(description: "\"\(text)\": \(hint)") }
        rest = rest.dropFirst()
        var offset: Int? = nil
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0
            rest = rest.dropLast()
        } else if rest.count >= 6, let signIndex = rest.index(rest.endIndex, offsetBy: -6, limitedBy: rest.startIndex),
            rest[signIndex] == "+" || rest[signIndex] == "-"
        {
            let zone = rest[rest.index(after: signIndex)...].split(separator: ":")
            guard zone.count == 2, let h = Int(zone[0]), let m = Int(zone[1]), h < 15, m < 60 else {
                throw TimeParseError(description: "\"\(text)\" has a bad UTC offset; \(hint)")
            }
            offset = (h * 3600 + m * 60) * (rest[signIndex] == "-" ? -1 : 1)
            rest = rest[..<signIndex]
        }
        let clock = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2 || clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), h < 24, m < 60,
            clock[0].count == 2, clock[1].count == 2
        else { throw TimeParseError(description: "\"\(text)\" has a bad clock time; \(hint)") }
        var wholeSeconds = 0
        var ms: Int64 = 0
        if clock.count == 3 {
            // Whole seconds and milliseconds read as digits: through a Double, 57.979 came back as 57.978.
            let parts = clock[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard let s = Int(parts[0]), parts[0].count == 2, s < 61,
                parts.count == 1
                    || (!parts[1].isEmpty && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber))
            else {
                throw TimeParseError(description: "\"\(text)\" has bad seconds; \(hint)")
            }
            wholeSeconds = s
            if parts.count == 2 { ms = Int64(String((parts[1] + "00").prefix(3))) ?? 0 }
        }
        let secondOfDay = h * 3600 + m * 60 + wholeSeconds
        if let offset {
            let local = Int64(date.dayNumber) * 86400 + Int64(secondOfDay) - Int64(offset)
            return Instant(milliseconds: local * 1000 + ms)
        }
        return Instant(milliseconds: instant(of: date, secondOfDay: secondOfDay).milliseconds + ms)
    }

    /// Amsterdam local time for people: `2026-12-08 17:00 CET`.
    public func localText(_ instant: Instant) -> String {
        let date = localDate(of: instant)
        let s = localSecondOfDay(of: instant)
        let zone = utcOffset(at: instant) == 7200 ? "CEST" : "CET"
        return "\(date.isoText) \(pad2(s / 3600)):\(pad2(s / 60 % 60)) \(zone)"
    }

    /// A deadline or reminder as people read it, in local time: "end of Friday 10 April 2026" for one at local
    /// midnight (the end of the day before, not the start of the next), else "Friday 10 April 2026, 14:00".
    public func deadlineText(_ instant: Instant) -> String {
        if localSecondOfDay(of: instant) == 0 { return "end of " + dayText(deadlineDay(of: instant)) }
        let s = localSecondOfDay(of: instant)
        return "\(dayText(localDate(of: instant))), \(pad2(s / 3600)):\(pad2(s / 60 % 60))"
    }

    /// A day for people: "Friday 10 April 2026".
    public func dayText(_ day: LocalDate) -> String {
        "\(Self.weekdayNames[day.isoWeekday - 1]) \(day.day) \(Self.monthNames[day.month - 1]) \(day.year)"
    }

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
}
