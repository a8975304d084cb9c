/// One thing the monitor counts: a case opened, closed, handed over, raised a level, and so on, in the month it
/// happened, for the case's workflow and responsible municipality. A fact with `days` is a duration in working days
/// (a lead time); the others are counts. Facts carry no case id, pseudonym or free text: they are the only thing the
/// monitor keeps, and what it keeps is already an aggregate.
public struct MonitorFact: Sendable, Hashable {
    /// The month, as `year * 100 + month` in Dutch local time (202612 is December 2026).
    public var month: Int
    public var workflow: String
    /// The responsible municipality, or "" when the case has none.
    public var municipality: String
    /// What is counted: a figure of `MonitorFigure`, or a duration (`duur:...`).
    public var figure: String
    /// The category within the figure (a source, an outcome, a level); "" for a duration.
    public var category: String
    /// The duration in working days, or -1 for a count.
    public var days: Int

    /// Creates a fact.
    public init(month: Int, workflow: String, municipality: String, figure: String, category: String, days: Int = -1) {
        self.month = month
        self.workflow = workflow
        self.municipality = municipality
        self.figure = figure
        self.category = category
        self.days = days
    }
}

/// A number of equal facts: what the store keeps per fact, and what a report is built from.
public struct MonitorCount: Sendable, Hashable {
    public var fact: MonitorFact
    public var count: Int

    /// Creates a count.
    public init(_ fact: MonitorFact, count: Int) {
        self.fact = fact
        self.count = count
    }
}
