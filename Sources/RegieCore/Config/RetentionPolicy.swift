/// How long the region keeps what it records: each workflow's closed cases for a number of years after closing,
/// the access log for longer (DOMAIN.md: "closed cases are purged after a configured period; the access log is
/// kept longer"). Years count on the Dutch calendar date: a case closed on 3 December 2026 with 15 years is purged
/// from 3 December 2041 at the same local time.
public struct RetentionPolicy: Sendable, Equatable {
    /// Years for a workflow without its own period.
    public var defaultYears: Int
    /// Years by workflow name.
    public var workflowYears: [String: Int]
    /// Years an access-log record is kept; longer than every case period, so that a client can still ask who
    /// looked at a file after the file itself is gone.
    public var accessLogYears: Int

    /// Fifteen years for a case (the Wmo's practice), twenty-five for the access log.
    public init(defaultYears: Int = 15, workflowYears: [String: Int] = [:], accessLogYears: Int = 25) {
        self.defaultYears = defaultYears
        self.workflowYears = workflowYears
        self.accessLogYears = accessLogYears
    }

    /// The years a closed case of `workflow` is kept.
    public func years(for workflow: String) -> Int { workflowYears[workflow] ?? defaultYears }

    /// The longest period of any case.
    public var longestCaseYears: Int { max(defaultYears, workflowYears.values.max() ?? 0) }

    /// When a case of `workflow` closed at `closedAt` may be purged.
    public func purgeFrom(closedAt: Instant, workflow: String, calendar: DutchCalendar) -> Instant {
        calendar.addingYears(years(for: workflow), to: closedAt)
    }

    /// Access-log records from before this instant may be purged at `now`.
    public func accessLogCutoff(now: Instant, calendar: DutchCalendar) -> Instant {
        calendar.addingYears(-accessLogYears, to: now)
    }
}

extension DutchCalendar {
    /// The same local date and time `years` later (or earlier); 29 February becomes 1 March in a common year.
    public func addingYears(_ years: Int, to instant: Instant) -> Instant {
        let date = localDate(of: instant)
        let target = LocalDate(year: date.year + years, month: date.month, day: 1)
            .adding(days: date.day - 1)
        return self.instant(of: target, secondOfDay: localSecondOfDay(of: instant))
    }
}
