/// Who owns a timer's deadline, and so who may extend or suspend it.
public enum TimerOwner: String, Sendable, Equatable, CaseIterable {
    /// The regiehouder (level 0), and every level above it.
    case regiehouder
    /// The escalation level the case is at when the timer starts, and the levels above it; never a partner below.
    case levelOwner
}
