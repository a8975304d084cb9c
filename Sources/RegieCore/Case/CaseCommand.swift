/// A request to fire an event on a case.
public struct CaseCommand: Sendable, Equatable {
    public var event: String
    public var actor: Actor
    public var note: String?
    /// The partner the event is about (hand over to, add, remove, assign).
    public var target: String?
    public var motivation: String?
    /// For `verlengen`: the timer to extend.
    public var timer: String?
    /// For `verlengen`: by how many working days.
    public var days: Int?
    /// Optimistic concurrency: the sequence the sender last saw; refused if the case moved on.
    public var expectedSequence: Int?
    /// Named details the transition declares (e.g. `uitkomst`), by name.
    public var fields: [String: String]
    /// The regiehouder's contact person after the command: set by the regiehouder itself, or by the command that
    /// moves regie to another partner.
    public var contact: String?
    /// In a household case, the members the event is about (`voor`): their part of the case; `gezin` for all of
    /// them (the shared plan). Empty: the client the case was opened for.
    public var members: [String] = []
    /// For `lid-toevoegen`: the new member's pseudonym (the engine turns a BSN into it; the core never sees one).
    public var clientKey: String?
    /// For `lid-toevoegen`: the new member's relation (see `CaseMember.relations`).
    public var relation: String?

    /// Creates a command.
    public init(
        event: String, actor: Actor, note: String? = nil, target: String? = nil, motivation: String? = nil,
        timer: String? = nil, days: Int? = nil, expectedSequence: Int? = nil,
        fields: [String: String] = [:], contact: String? = nil
    ) {
        self.contact = contact
        self.event = event
        self.actor = actor
        self.note = note
        self.target = target
        self.motivation = motivation
        self.timer = timer
        self.days = days
        self.expectedSequence = expectedSequence
        self.fields = fields
    }
}

/// Why a command was refused. Nothing changes when a command is refused.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, stable for programs.
    public enum Reason: String, Sendable {
        case caseClosed, staleSequence, unknownEvent, wrongState, wrongRole, notInCase, missingRequirement,
            regieEmpty, invalidTarget, invalidArgument, tooLong
    }

    public var reason: Reason
    public var message: String
    /// The input the refusal is about (`note`, `fields.uitkomst`), when it is about one.
    public var field: String?

    /// Creates a refusal.
    public init(_ reason: Reason, _ message: String, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }

    public var description: String { message }
}
