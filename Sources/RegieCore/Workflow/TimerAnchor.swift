/// A moment other than "now" that a timer counts from.
public enum TimerAnchor: String, Sendable, Equatable {
    /// The next Vroegsignaleringsoverleg of the case's basisteam (field `basisteam`), by the schedule and cut-off.
    case vsoMeeting
}
