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
        guard let parsed = try? DutchCalendar().parseInstant(text) else { return nil }
        self = parsed
    }
}
