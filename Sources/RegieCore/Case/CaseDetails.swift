/// What a case holds besides its state, level and partners: where it belongs, what it was opened with, the handover
/// and the opdrachten that are running, its suspension, and the cases it is linked to.
public struct CaseDetails: Sendable, Equatable {
    /// The responsible municipality (woonplaatsbeginsel); its procesregisseur owns level 1.
    public var municipality: String?
    /// The municipality the case was opened in, once the responsible municipality has changed (nil while it has not):
    /// the monitor's municipality of origin.
    public var origin: String?
    /// The fields the case was opened with, by name.
    public var fields: [String: String]
    /// The running warm handover, if any.
    public var handover: Handover?
    /// The running binding assignments, one per partner, each with its own deadline.
    public var opdrachten: [Opdracht]
    /// The running suspension, if any: who suspended the case and up to which level its timers pause.
    public var suspension: Suspension?
    /// Regie moved without naming the new holder's contact person: its first action must name one.
    public var contactRequired: Bool
    /// The shielding (afscherming) of the case, if any: outsiders learn nothing that names it.
    public var shield: Shield?
    /// The clients of the case: the client it was opened for and, for a household, the others, each with its
    /// relation and its own pseudonym.
    public var members: [CaseMember]
    /// Why the case was last raised, and what the level is asked to decide (cleared back at level 0).
    public var escalation: EscalationRequest?
    /// Cases opened from this one, and the case this one was opened from.
    public var links: [CaseLink]
    /// Since when the case is at its current escalation level (nil at level 0).
    public var levelSince: Instant?
    /// The meeting whose agenda the case is on (a VSO signal: the next meeting of its basisteam before the cut-off).
    public var agenda: Instant?
    /// How often the case went on to the next meeting's agenda without being discussed (a VSO signal).
    public var postponed: Int

    /// Creates details.
    public init(
        municipality: String? = nil, fields: [String: String] = [:], handover: Handover? = nil,
        opdrachten: [Opdracht] = [], links: [CaseLink] = [], levelSince: Instant? = nil
    ) {
        self.municipality = municipality
        self.origin = nil
        self.fields = fields
        self.handover = handover
        self.opdrachten = opdrachten
        self.suspension = nil
        self.contactRequired = false
        self.shield = nil
        self.members = []
        self.escalation = nil
        self.links = links
        self.levelSince = levelSince
        self.postponed = 0
    }

    /// No details at all: what a case opened without fields holds, and what the store keeps as no text.
    public static let empty = CaseDetails()

    /// The running opdracht for a partner.
    public func opdracht(for partner: String) -> Opdracht? { opdrachten.first { $0.partner == partner } }

    /// The highest level whose opdracht is running: below it, nothing may escalate the case (nil: none runs).
    public var decidingLevel: Int? { opdrachten.map(\.level).max() }
}

/// Who raised a case, why, and what the next level is asked (DOMAIN.md: "Escalating records who escalated, why,
/// and what is asked").
public struct EscalationRequest: Sendable, Equatable {
    /// The partner that raised it, or `regie` when a deadline passed.
    public var by: String
    public var at: Instant
    /// The reason: the motivation given, or the deadline that passed.
    public var reason: String
    /// What is asked (the raising command's fields, e.g. `vraag`).
    public var asked: [String: String]

    /// Creates a request.
    public init(by: String, at: Instant, reason: String, asked: [String: String]) {
        self.by = by
        self.at = at
        self.reason = reason
        self.asked = asked
    }
}

/// The shielding (afscherming) of a case: domestic violence, a women's shelter, threats to a professional.
public struct Shield: Sendable, Equatable {
    /// The partner that shielded it.
    public var by: String
    public var at: Instant
    public var motivation: String

    /// Creates a shield.
    public init(by: String, at: Instant, motivation: String) {
        self.by = by
        self.at = at
        self.motivation = motivation
    }
}

/// One client of a case (a household has several).
public struct CaseMember: Sendable, Equatable {
    /// The relations a member can have to the household.
    public static let relations = ["client", "ouder", "kind", "partner", "huisgenoot"]

    /// Its id within the case: its relation and a number, e.g. `kind-2`.
    public var id: String
    public var relation: String
    /// Its keyed pseudonym (never the BSN), when it is known by BSN.
    public var clientKey: String?

    /// Creates a member.
    public init(id: String, relation: String, clientKey: String?) {
        self.id = id
        self.relation = relation
        self.clientKey = clientKey
    }

    /// The next free id for a relation among `members`: `kind-1`, `kind-2`, ...
    public static func nextID(_ relation: String, among members: [CaseMember]) -> String {
        var n = 1
        while members.contains(where: { $0.id == "\(relation)-\(n)" }) { n += 1 }
        return "\(relation)-\(n)"
    }
}

/// A suspension (opschorting) of a case.
public struct Suspension: Sendable, Equatable {
    /// Who suspended it (the last to widen it).
    public var by: Actor
    /// Timers owned up to this escalation level pause; those of higher levels, and statutory ones, run on.
    public var level: Int
    public var motivation: String

    /// Creates a suspension.
    public init(by: Actor, level: Int, motivation: String) {
        self.by = by
        self.level = level
        self.motivation = motivation
    }
}

/// A warm handover in progress: offered, then accepted, then the joint meeting; only completing it moves anything.
public struct Handover: Sendable, Equatable {
    /// What is handed over.
    public enum Subject: String, Sendable {
        case regie, zorg
    }

    /// The partner offering (for regie: the regiehouder).
    public var from: String
    /// The receiving partner.
    public var to: String
    public var subject: Subject
    public var offeredAt: Instant
    public var acceptedAt: Instant?
    public var metAt: Instant?
    /// Whether the receiver joined the case for this handover (it leaves again if it refuses).
    public var receiverJoined: Bool
    /// The window timer now running (acceptance, then meeting), if any.
    public var timer: String?

    /// The stage for people: `aangeboden`, `geaccepteerd` or `kennisgemaakt`.
    public var stage: String { metAt != nil ? "kennisgemaakt" : acceptedAt != nil ? "geaccepteerd" : "aangeboden" }
}

/// A binding assignment to a partner, given with a doorzettingsbesluit, with its own deadline. It ends only by an
/// event: the partner reports it done, the level withdraws it, or its deadline passes.
public struct Opdracht: Sendable, Equatable {
    public var partner: String
    /// What the partner must do.
    public var text: String?
    public var givenBy: String
    public var givenAt: Instant
    /// The deadline timer's name (its instance is the one whose subject is `partner`).
    public var timer: String
    /// The escalation level that gave it, and owns its deadline.
    public var level: Int

    /// Creates an opdracht.
    public init(partner: String, text: String?, givenBy: String, givenAt: Instant, timer: String, level: Int) {
        self.partner = partner
        self.text = text
        self.givenBy = givenBy
        self.givenAt = givenAt
        self.timer = timer
        self.level = level
    }
}

/// A link between two cases.
public struct CaseLink: Sendable, Equatable {
    /// Which way the link points.
    public enum Direction: String, Sendable {
        /// This case was opened from the other one.
        case openedFrom
        /// The other case was opened from this one.
        case opened
        /// A signal about the same person on the same agenda item (a Vroegsignaleringsoverleg discusses them
        /// together).
        case sameItem
    }

    public var caseId: String
    public var workflow: String
    public var direction: Direction

    /// Creates a link.
    public init(caseId: String, workflow: String, direction: Direction) {
        self.caseId = caseId
        self.workflow = workflow
        self.direction = direction
    }
}

extension CaseDetails {
    /// The details as stored (and shown): a JSON object with only what is set.
    public var json: JSONValue {
        var o = JSONObject()
        if let municipality { o["municipality"] = .string(municipality) }
        if let origin { o["origin"] = .string(origin) }
        if !fields.isEmpty {
            o["fields"] = .object(JSONObject(sortedStrings: fields))
        }
        if let h = handover {
            var ho = JSONObject(pairs: [
                "from": .string(h.from), "to": .string(h.to), "subject": .string(h.subject.rawValue),
                "stage": .string(h.stage), "offeredAt": .string(h.offeredAt.iso8601),
            ])
            if let a = h.acceptedAt { ho["acceptedAt"] = .string(a.iso8601) }
            if let m = h.metAt { ho["metAt"] = .string(m.iso8601) }
            ho["receiverJoined"] = .bool(h.receiverJoined)
            if let t = h.timer { ho["timer"] = .string(t) }
            o["handover"] = .object(ho)
        }
        if !opdrachten.isEmpty {
            o["opdrachten"] = .array(
                opdrachten.map { d in
                    var od = JSONObject(pairs: [
                        "partner": .string(d.partner), "givenBy": .string(d.givenBy),
                        "givenAt": .string(d.givenAt.iso8601), "timer": .string(d.timer), "level": .int(Int64(d.level)),
                    ])
                    if let t = d.text { od["text"] = .string(t) }
                    return .object(od)
                })
        }
        if let s = suspension {
            o["suspension"] = [
                "by": .string(s.by.partner), "role": .string(s.by.role.rawValue), "person": .optional(s.by.person),
                "level": .int(Int64(s.level)), "motivation": .string(s.motivation),
            ]
        }
        if contactRequired { o["contactRequired"] = true }
        if let e = escalation {
            o["escalation"] = [
                "by": .string(e.by), "at": .string(e.at.iso8601), "reason": .string(e.reason),
                "asked": .object(JSONObject(sortedStrings: e.asked)),
            ]
        }
        if let shield {
            o["shield"] = [
                "by": .string(shield.by), "at": .string(shield.at.iso8601), "motivation": .string(shield.motivation),
            ]
        }
        if !members.isEmpty {
            o["members"] = .array(
                members.map {
                    ["id": .string($0.id), "relation": .string($0.relation), "clientKey": .optional($0.clientKey)]
                })
        }
        if !links.isEmpty {
            o["links"] = .array(
                links.map {
                    [
                        "case": .string($0.caseId), "workflow": .string($0.workflow),
                        "direction": .string($0.direction.rawValue),
                    ]
                })
        }
        if let levelSince { o["levelSince"] = .string(levelSince.iso8601) }
        if let agenda { o["agenda"] = .string(agenda.iso8601) }
        if postponed > 0 { o["postponed"] = .int(Int64(postponed)) }
        return .object(o)
    }

    /// Reads details stored by `json`; what cannot be read is left empty.
    public init(json: JSONValue) {
        self.init()
        postponed = json["postponed"]?.intValue.map { Int($0) } ?? 0
        municipality = json["municipality"]?.stringValue
        origin = json["origin"]?.stringValue
        for m in json["fields"]?.objectValue?.members ?? [] { fields[m.key] = m.value.stringValue ?? "" }
        func instant(_ v: JSONValue?) -> Instant? { v?.stringValue.flatMap { Instant(iso8601: $0) } }
        if let h = json["handover"], let from = h["from"]?.stringValue, let to = h["to"]?.stringValue,
            let offered = instant(h["offeredAt"])
        {
            handover = Handover(
                from: from, to: to, subject: Handover.Subject(rawValue: h["subject"]?.stringValue ?? "") ?? .regie,
                offeredAt: offered, acceptedAt: instant(h["acceptedAt"]), metAt: instant(h["metAt"]),
                receiverJoined: h["receiverJoined"] == .bool(true), timer: h["timer"]?.stringValue)
        }
        // Before schema 5 a case held one opdracht ("opdracht"), always given at level 2 or above.
        let stored = json["opdrachten"]?.arrayValue ?? json["opdracht"].map { [$0] } ?? []
        for d in stored {
            if let partner = d["partner"]?.stringValue, let by = d["givenBy"]?.stringValue,
                let at = instant(d["givenAt"]), let timer = d["timer"]?.stringValue
            {
                opdrachten.append(
                    Opdracht(
                        partner: partner, text: d["text"]?.stringValue, givenBy: by, givenAt: at, timer: timer,
                        level: d["level"]?.intValue.map { Int($0) } ?? 2))
            }
        }
        if let s = json["suspension"], let by = s["by"]?.stringValue,
            let role = s["role"]?.stringValue.flatMap(Role.init(rawValue:)), let level = s["level"]?.intValue
        {
            suspension = Suspension(
                by: Actor(partner: by, person: s["person"]?.stringValue, role: role), level: Int(level),
                motivation: s["motivation"]?.stringValue ?? "")
        }
        contactRequired = json["contactRequired"] == .bool(true)
        if let e = json["escalation"], let by = e["by"]?.stringValue, let at = instant(e["at"]) {
            var asked: [String: String] = [:]
            for m in e["asked"]?.objectValue?.members ?? [] { asked[m.key] = m.value.stringValue ?? "" }
            escalation = EscalationRequest(by: by, at: at, reason: e["reason"]?.stringValue ?? "", asked: asked)
        }
        if let s = json["shield"], let by = s["by"]?.stringValue, let at = instant(s["at"]) {
            shield = Shield(by: by, at: at, motivation: s["motivation"]?.stringValue ?? "")
        }
        for m in json["members"]?.arrayValue ?? [] {
            if let id = m["id"]?.stringValue, let relation = m["relation"]?.stringValue {
                members.append(CaseMember(id: id, relation: relation, clientKey: m["clientKey"]?.stringValue))
            }
        }
        for l in json["links"]?.arrayValue ?? [] {
            if let id = l["case"]?.stringValue, let w = l["workflow"]?.stringValue,
                let d = CaseLink.Direction(rawValue: l["direction"]?.stringValue ?? "")
            {
                links.append(CaseLink(caseId: id, workflow: w, direction: d))
            }
        }
        levelSince = instant(json["levelSince"])
        agenda = instant(json["agenda"])
    }
}
