/// A point in time: milliseconds since 1970-01-01T00:00:00Z. Regie stores and compares time only as this.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public var milliseconds: Int64

    /// Creates an instant from milliseconds since the epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates an instant from seconds since the epoch.
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public static func < (a: Instant, b: Instant) -> Bool { a.milliseconds < b.milliseconds }

    /// This instant moved by a number of seconds.
    public func adding(seconds: Int64) -> Instant { Instant(milliseconds: milliseconds + seconds * 1000) }

    /// Seconds from `other` to this instant (negative when `other` is later).
    public func seconds(since other: Instant) -> Double { Double(milliseconds - other.milliseconds) / 1000 }

    /// ISO 8601 in UTC with milliseconds, e.g. `2026-11-22T17:55:41.123Z`.
    public var iso8601: String {
        let secs = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let ms = Int(milliseconds - secs * 1000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let date = LocalDate(dayNumber: Int(days))
        return "\(date.isoText)T\(pad2(rem / 3600)):\(pad2(rem / 60 % 60)):\(pad2(rem % 60)).\(pad3(ms))Z"
    }

    public var description: String { iso8601 }
}

func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
func pad3(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : String(v) }
func pad4(_ v: Int) -> String { v < 10 ? "000\(v)" : v < 100 ? "00\(v)" : v < 1000 ? "0\(v)" : String(v) }

extension Instant {
    /// Parses the form `iso8601` writes (or any ISO 8601 form `DutchCalendar.parseInstant` reads).
    public init?(iso8601 text: String) {
        if let fast = Self.parseWritten(text) {
            self = fast
            return
        }
        guard let parsed = try? DutchCalendar().parseInstant(text) else { return nil }
        self = parsed
    }

    /// Exactly the form `iso8601` writes (`2026-11-22T17:55:41.123Z`), read without a calendar: every case's
    /// stored details hold such instants, and a list of a thousand cases reads thousands of them.
    static func parseWritten(_ text: String) -> Instant? {
        var utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { b -> Instant? in
            guard b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
                b[19] == 0x2E, b[23] == 0x5A
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var n = 0
                for i in from..<(from + count) {
                    let d = Int(b[i]) - 0x30
                    guard (0...9).contains(d) else { return nil }
                    n = n * 10 + d
                }
                return n
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                let ms = number(20, 3), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
                second < 60
            else { return nil }
            let date = LocalDate(year: year, month: month, day: day)
            // No 30 February: the day must survive the round trip through its number.
            guard LocalDate(dayNumber: date.dayNumber) == date else { return nil }
            let seconds = Int64(date.dayNumber) * 86400 + Int64(hour * 3600 + minute * 60 + second)
            return Instant(milliseconds: seconds * 1000 + Int64(ms))
        } ?? nil
    }
}
