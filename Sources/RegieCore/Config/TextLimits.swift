/// The most characters each kind of free text may have (region.json `textLimits`): a case note or motivation, a
/// field's value, and short texts (a contact person, a person's name, a relation, a purpose). Longer text is refused,
/// naming the field, before anything is decided.
public struct TextLimits: Sendable, Equatable {
    /// A note or a motivation.
    public var note: Int
    /// One field's value.
    public var field: Int
    /// A contact person, a person's name, a relation.
    public var short: Int

    /// 20,000 characters for a note (some ten pages), 2,000 for a field, 200 for a name.
    public init(note: Int = 20_000, field: Int = 2_000, short: Int = 200) {
        self.note = note
        self.field = field
        self.short = short
    }

    /// Refuses a text longer than `limit`, or one with a control character (other than tab and line breaks),
    /// naming it.
    public func check(_ text: String?, _ name: String, _ limit: Int) throws(Refusal) {
        guard let text else { return }
        if let c = text.unicodeScalars.first(where: {
            ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || (0x7F...0x9F).contains($0.value)
        }) {
            throw Refusal(
                .invalidArgument,
                "\(name) contains the control character U+\(String(c.value, radix: 16, uppercase: true).leftPadded(4)); remove it",
                field: name)
        }
        let n = text.count
        guard n > limit else { return }
        throw Refusal(
            .tooLong,
            "\(name) is \(n) characters; at most \(limit) are accepted (region.json textLimits): shorten it, or put the rest in the partner's own file",
            field: name)
    }

    /// Checks every free text of a command.
    public func check(_ command: CaseCommand) throws(Refusal) {
        try check(command.note, "note", note)
        try check(command.motivation, "motivation", note)
        try check(command.contact, "contact", short)
        try check(command.actor.person, "person", short)
        try check(command.relation, "relation", short)
        for (name, value) in command.fields.sorted(by: { $0.key < $1.key }) {
            try check(value, "fields.\(name)", field)
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
