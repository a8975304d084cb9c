/// A deadline as the workspace shows it, in Dutch and local time, with how urgent it is.
public struct DeadlineReading: Sendable, Equatable {
    public enum Urgency: String, Sendable {
        /// The deadline has passed (shown red).
        case overdue
        /// It falls within the warning window (shown amber).
        case soon
        case later
    }

    /// "einde vrijdag 10 april, nog 3 werkdagen"; "verlopen: einde donderdag 9 april, 2 werkdagen geleden".
    public var text: String
    public var urgency: Urgency
}

extension DutchCalendar {
    static let dutchWeekdays = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
    static let dutchMonths = [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
        "november", "december",
    ]

    /// A day in Dutch: "vrijdag 10 april", with the year when it is not `year`.
    public func dutchDayText(_ day: LocalDate, omittingYear year: Int? = nil) -> String {
        "\(Self.dutchWeekdays[day.isoWeekday - 1]) \(day.day) \(Self.dutchMonths[day.month - 1])"
            + (day.year == year ? "" : " \(day.year)")
    }

    /// A moment in Dutch: "einde vrijdag 10 april" for a deadline at local midnight (the end of the day before),
    /// else "vrijdag 10 april, 14:00".
    public func dutchDeadlineText(_ instant: Instant, now: Instant) -> String {
        let year = localDate(of: now).year
        let s = localSecondOfDay(of: instant)
        if s == 0 { return "einde " + dutchDayText(deadlineDay(of: instant), omittingYear: year) }
        return "\(dutchDayText(localDate(of: instant), omittingYear: year)), \(pad2(s / 3600)):\(pad2(s / 60 % 60))"
    }

    /// How a deadline reads at `now`: when it is, how many working days are left (after today, up to and
    /// including its day) or have passed since, and whether it is overdue or within `warningWorkingDays`.
    public func reading(of deadline: Instant, now: Instant, warningWorkingDays: Int = 2) -> DeadlineReading {
        let when = dutchDeadlineText(deadline, now: now)
        let day = deadlineDay(of: deadline)
        func days(_ n: Int) -> String { n == 1 ? "1 werkdag" : "\(n) werkdagen" }
        if deadline <= now {
            let ago = workingDaysBetween(startOfDay(day), now)
            return DeadlineReading(
                text: "verlopen: \(when)" + (ago == 0 ? "" : ", \(days(ago)) geleden"), urgency: .overdue)
        }
        let left = workingDaysBetween(now, startOfDay(day))
        let text = left == 0 ? "\(when), vandaag" : "\(when), nog \(days(left))"
        return DeadlineReading(text: text, urgency: left <= warningWorkingDays ? .soon : .later)
    }
}
