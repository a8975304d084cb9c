/// A Dutch working-day calendar in the Europe/Amsterdam time zone.
///
/// Non-working days are weekends, the general holidays of the Algemene termijnenwet (art. 3: computed from rules
/// each year, Good Friday included), the days a decree adds to them (art. 3 lid 3, configured), and, in a region's
/// practice calendar, the extra days its offices close. Local time follows the EU rule for Amsterdam: CET (UTC+1),
/// and CEST (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
public struct DutchCalendar: Sendable {
    /// Which calendar this is: the law's, for statutory periods, or the region's practice, for its agreements.
    public enum Kind: String, Sendable {
        /// The Algemene termijnenwet: weekends, its holidays and decreed days.
        case law = "wet"
        /// The region's office calendar: the law's days plus the extra days its offices close.
        case practice = "praktijk"
    }

    /// Which calendar this is.
    public let kind: Kind
    /// Days a decree under art. 3 lid 3 of the Algemene termijnenwet equates with general holidays, with a reason.
    public let decreedDays: [LocalDate: String]
    /// Extra non-working days of the region's practice (e.g. a collective closing day), with a reason.
    public let extraDays: [LocalDate: String]
    private let otherDayNumbers: Set<Int>

    /// Creates a calendar.
    /// - Parameters:
    ///   - decreedDays: the days a decree adds to the law's holidays (both calendars observe them).
    ///   - extraDays: the practice's own closing days; a law calendar has none.
    public init(kind: Kind = .practice, decreedDays: [LocalDate: String] = [:], extraDays: [LocalDate: String] = [:]) {
        self.kind = kind
        self.decreedDays = decreedDays
        self.extraDays = kind == .law ? [:] : extraDays
        self.otherDayNumbers = Set(decreedDays.keys.map(\.dayNumber)).union(self.extraDays.keys.map(\.dayNumber))
    }

    /// The law's calendar with the same decreed days: what statutory periods are counted in.
    public var law: DutchCalendar { DutchCalendar(kind: .law, decreedDays: decreedDays) }

    // MARK: Holidays and working days

    /// The name of the general holiday of the Algemene termijnenwet (art. 3 lid 1 and 2) on `date`, or nil.
    public func holidayName(_ date: LocalDate) -> String? {
        switch (date.month, date.day) {
        case (1, 1): return "Nieuwjaarsdag"
        case (12, 25): return "Eerste Kerstdag"
        case (12, 26): return "Tweede Kerstdag"
        case (5, 5): return "Bevrijdingsdag"
        case (4, 27) where date.isoWeekday != 7: return "Koningsdag"
        case (4, 26) where date.isoWeekday == 6: return "Koningsdag"
        default: break
        }
        guard date.month >= 3 && date.month <= 6 else { return nil }
        let easter = LocalDate.easterSunday(date.year).dayNumber
        switch date.dayNumber - easter {
        case -2: return "Goede Vrijdag"
        case 1: return "Tweede Paasdag"
        case 39: return "Hemelvaartsdag"
        case 50: return "Tweede Pinksterdag"
        default: return nil
        }
    }

    /// Whether `date` is a working day: not a weekend, general holiday, decreed day or (in practice) extra day.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        date.isoWeekday <= 5 && holidayName(date) == nil && !otherDayNumbers.contains(date.dayNumber)
    }

    /// Why `date` is not a working day ("zaterdag", "Koningsdag", a configured reason), or nil if it is one.
    public func nonWorkingReason(_ date: LocalDate) -> String? {
        if let h = holidayName(date) { return h }
        if let d = decreedDays[date] { return d }
        if let e = extraDays[date] { return e }
        if date.isoWeekday == 6 { return "zaterdag" }
        if date.isoWeekday == 7 { return "zondag" }
        return nil
    }

    /// The date `n` working days after `date` (before it when `n` is negative); `date` itself need not be one.
    public func addingWorkingDays(_ n: Int, to date: LocalDate) -> LocalDate {
        var d = date
        var left = abs(n)
        let step = n >= 0 ? 1 : -1
        while left > 0 {
            d = d.adding(days: step)
            if isWorkingDay(d) { left -= 1 }
        }
        return d
    }

    /// `date` if it is a working day, else the next working day.
    public func workingDayOnOrAfter(_ date: LocalDate) -> LocalDate {
        var d = date
        while !isWorkingDay(d) { d = d.adding(days: 1) }
        return d
    }

    /// The number of working days that ended between two instants: days `d` with local(a) < d <= local(b).
    public func workingDaysBetween(_ a: Instant, _ b: Instant) -> Int {
        let from = localDate(of: a).dayNumber
        let to = localDate(of: b).dayNumber
        guard to > from else { return 0 }
        var count = 0
        for n in (from + 1)...to where isWorkingDay(LocalDate(dayNumber: n)) { count += 1 }
        return count
    }

    // MARK: Deadlines

    /// The deadline of a period of `spec` that starts at `start`.
    ///
    /// Working days end at the end of the last working day in local time. Calendar days keep the local clock
    /// time across daylight-saving changes. A statutory period in whole days ends at the end of its last day; one
    /// that ends on a non-working day is extended to the end of the next working day (Algemene termijnenwet,
    /// art. 1), and one of three days or more is extended so that it holds at least two working days (art. 2).
    /// Count statutory periods in the law's calendar (`law`).
    public func deadline(after spec: DurationSpec, from start: Instant, statutory: Bool = false) -> Instant {
        switch spec {
        case .workingDays(let n):
            let first = localDate(of: start)
            let last = n == 0 ? workingDayOnOrAfter(first) : addingWorkingDays(n, to: first)
            return endOfDay(last)
        case .calendar(let days, let seconds):
            var due = addingLocalDays(days, to: start).adding(seconds: Int64(seconds))
            guard statutory else { return due }
            if seconds == 0 { due = endOfDay(localDate(of: due)) }
            let lastDay = deadlineDay(of: due)
            if !isWorkingDay(lastDay) { due = endOfDay(workingDayOnOrAfter(lastDay)) }
            if days >= 3 {
                // Art. 2: the days after the start up to the deadline hold at least two working days.
                let second = addingWorkingDays(2, to: localDate(of: start))
                if deadlineDay(of: due) < second { due = endOfDay(second) }
            }
            return due
        }
    }

    /// A deadline moved later by `n` working days, keeping its local clock time (extension, suspension).
    public func shifting(_ deadline: Instant, byWorkingDays n: Int) -> Instant {
        let day = deadlineDay(of: deadline)
        let moved = addingWorkingDays(n, to: day)
        return addingLocalDays(moved.dayNumber - day.dayNumber, to: deadline)
    }

    /// `instant` moved later by the local clock time that passed from `a` to `b`: a calendar-time deadline paused
    /// across a daylight-saving change keeps its local clock time.
    public func shifting(_ instant: Instant, byLocalTimeFrom a: Instant, to b: Instant) -> Instant {
        func wall(_ i: Instant) -> Int64 { i.milliseconds + Int64(utcOffset(at: i)) * 1000 }
        let moved = wall(instant) + wall(b) - wall(a)
        let day = floorDiv(moved, 86_400_000)
        let msOfDay = moved - day * 86_400_000
        let base = self.instant(of: LocalDate(dayNumber: Int(day)), secondOfDay: Int(msOfDay / 1000))
        return Instant(milliseconds: base.milliseconds + msOfDay % 1000)
    }

    /// The moment a reminder `before` a deadline is due.
    public func reminder(_ before: DurationSpec, ahead deadline: Instant) -> Instant {
        switch before {
        case .workingDays(let n): return shifting(deadline, byWorkingDays: -n)
        case .calendar(let days, let seconds):
            return addingLocalDays(-days, to: deadline).adding(seconds: -Int64(seconds))
        }
    }

    /// The day a deadline belongs to: a deadline at local midnight is the end of the day before.
    public func deadlineDay(of deadline: Instant) -> LocalDate {
        localDate(of: Instant(milliseconds: deadline.milliseconds - 1))
    }

    // MARK: Local time (Europe/Amsterdam)

    /// The offset from UTC, in seconds, of Amsterdam local time at `instant`.
    public func utcOffset(at instant: Instant) -> Int {
        let secs = Int(instant.milliseconds >= 0 ? instant.milliseconds / 1000 : (instant.milliseconds - 999) / 1000)
        // Looked up among the changes of the years around now (every deadline asks several times); by the rule itself
        // outside them.
        let changes = Self.summerTimeChanges
        guard let first = changes.first, let last = changes.last, secs >= first, secs < last else {
            return Self.utcOffsetByRule(seconds: secs)
        }
        var (low, high) = (0, changes.count)
        while low < high {
            let middle = (low + high) / 2
            if changes[middle] <= secs { low = middle + 1 } else { high = middle }
        }
        // An odd number of changes at or before `secs`: summer time has started and not yet ended.
        return low % 2 == 1 ? 7200 : 3600
    }

    /// `utcOffset` by the EU rule: summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
    /// Sunday of October.
    static func utcOffsetByRule(seconds secs: Int) -> Int {
        let year = LocalDate(dayNumber: secs >= 0 ? secs / 86400 : (secs - 86399) / 86400).year
        let summerStart = lastSunday(year: year, month: 3).dayNumber * 86400 + 3600
        let summerEnd = lastSunday(year: year, month: 10).dayNumber * 86400 + 3600
        return secs >= summerStart && secs < summerEnd ? 7200 : 3600
    }

    /// The moments (seconds since 1970) summer time starts and ends, in order, from 1970 to 2199.
    static let summerTimeChanges: [Int] = (1970...2199).flatMap { year in
        [3, 10].map { month in lastSunday(year: year, month: month).dayNumber * 86400 + 3600 }
    }

    /// The local date of `instant` in Amsterdam.
    public func localDate(of instant: Instant) -> LocalDate {
        let local = Int(floorDiv(instant.milliseconds, 1000)) + utcOffset(at: instant)
        return LocalDate(dayNumber: local >= 0 ? local / 86400 : (local - 86399) / 86400)
    }

    /// Seconds since local midnight of `instant`.
    public func localSecondOfDay(of instant: Instant) -> Int {
        let local = Int(floorDiv(instant.milliseconds, 1000)) + utcOffset(at: instant)
        let r = local % 86400
        return r < 0 ? r + 86400 : r
    }

    /// The instant of a local wall-clock time in Amsterdam (in a spring-forward gap, the time after it).
    public func instant(of date: LocalDate, secondOfDay: Int = 0) -> Instant {
        let local = Int64(date.dayNumber) * 86400 + Int64(secondOfDay)
        let summer = Instant(seconds: local - 7200)
        if utcOffset(at: summer) == 7200 { return summer }
        return Instant(seconds: local - 3600)
    }

    /// Local midnight at the start of `date`.
    public func startOfDay(_ date: LocalDate) -> Instant { instant(of: date) }

    /// The end of `date`: local midnight at the start of the next day.
    public func endOfDay(_ date: LocalDate) -> Instant { instant(of: date.adding(days: 1)) }

    /// `instant` moved by whole local days, keeping the local clock time.
    public func addingLocalDays(_ days: Int, to instant: Instant) -> Instant {
        guard days != 0 else { return instant }
        let ms = Int64(floorMod(instant.milliseconds, 1000))
        let moved = self.instant(
            of: localDate(of: instant).adding(days: days), secondOfDay: localSecondOfDay(of: instant))
        return Instant(milliseconds: moved.milliseconds + ms)
    }

    /// The last Sunday of a month.
    static func lastSunday(year: Int, month: Int) -> LocalDate {
        let next =
            month == 12 ? LocalDate(year: year + 1, month: 1, day: 1) : LocalDate(year: year, month: month + 1, day: 1)
        // The month's last day, less its ISO weekday (Sunday is 7, so 0 days back): computed, not stepped, as every
        // conversion between an instant and local time asks for two of these.
        let last = LocalDate(dayNumber: next.dayNumber - 1)
        return LocalDate(dayNumber: last.dayNumber - last.isoWeekday % 7)
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
