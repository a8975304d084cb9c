/// When a police basisteam's Vroegsignaleringsoverleg meets, and until when a signal makes its agenda.
public struct VSOSchedule: Sendable, Equatable {
    /// The basisteam (a partner in the safety domain).
    public var basisteam: String
    /// ISO weekday of the meeting: 1 is Monday.
    public var weekday: Int
    /// Seconds after local midnight when the meeting starts.
    public var time: Int
    /// A signal must be registered by this many working days before the meeting ...
    public var cutoffWorkingDaysBefore: Int
    /// ... at this local time (seconds after midnight).
    public var cutoffTime: Int
    /// The meeting's standing participants, who see its agenda (besides the chairs of its signals).
    public var participants: [String]

    /// Creates a schedule.
    public init(
        basisteam: String, weekday: Int, time: Int, cutoffWorkingDaysBefore: Int, cutoffTime: Int,
        participants: [String] = []
    ) {
        self.participants = participants
        self.basisteam = basisteam
        self.weekday = weekday
        self.time = time
        self.cutoffWorkingDaysBefore = cutoffWorkingDaysBefore
        self.cutoffTime = cutoffTime
    }

    /// The first meeting whose agenda a signal registered at `signal` makes. A meeting day that is not a working day
    /// (a holiday) has no meeting; the signal goes to the next one.
    public func meeting(for signal: Instant, in calendar: DutchCalendar) -> Instant {
        var day = calendar.localDate(of: signal)
        while true {
            if day.isoWeekday == weekday && calendar.isWorkingDay(day) {
                let cutoffDay = calendar.addingWorkingDays(-cutoffWorkingDaysBefore, to: day)
                if signal <= calendar.instant(of: cutoffDay, secondOfDay: cutoffTime) {
                    return calendar.instant(of: day, secondOfDay: time)
                }
            }
            day = day.adding(days: 1)
        }
    }

    /// The cut-off for the meeting at `meeting`.
    public func cutoff(before meeting: Instant, in calendar: DutchCalendar) -> Instant {
        let day = calendar.addingWorkingDays(-cutoffWorkingDaysBefore, to: calendar.localDate(of: meeting))
        return calendar.instant(of: day, secondOfDay: cutoffTime)
    }
}
