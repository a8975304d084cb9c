/// Lengths of time as a person reads them in a list or on a board.
public enum DurationText {
    /// A rough length: "12 min", "5 h", "3 days"; a negative length reads as overdue ("2 h overdue").
    public static func rough(seconds: Int64) -> String {
        let s = abs(seconds)
        let text: String
        if s < 3600 {
            text = "\(max(1, s / 60)) min"
        } else if s < 2 * 86400 {
            text = "\(s / 3600) h"
        } else {
            text = "\(s / 86400) days"
        }
        return seconds < 0 ? "\(text) overdue" : text
    }
}
