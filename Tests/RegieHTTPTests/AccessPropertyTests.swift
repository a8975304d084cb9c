import RegieTestSupport
import Foundation
import RegieCore
import RegieStore
import Testing

@testable import RegieEngine
@testable import RegieHTTP

/// Random stories on the shipped region, and after them every partner's key against every case and every endpoint,
/// checked against the rules of need-to-know written out independently here: outsiders always get 404 and never
/// find the case in a list or on the board; the regiehouder, a level's owner, the responsible municipality and an
/// opdracht's carrier see what the rules give them; no lookup of a shielded case names its holder to an outsider;
/// and no answer or webhook body carries a BSN, nor a care note to anyone without the full view.
@Suite struct AccessPropertyTests {
    /// SplitMix64, so a failing seed can be replayed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Valid BSNs (11-proef) for the stories' clients.
    static let bsns = ["100000009", "100000022", "100000034", "100000046", "100000058", "100000071", "100000083"]
    static let holders = [
        "bw-aanbieder", "ggz-aanbieder", "vrouwenopvang", "veilig-thuis", "gemeente-haarlem", "ggd-vangnet",
        "woningcorporatie",
    ]
    static let municipalities: [String?] = [nil, "gemeente-haarlem", "gemeente-velsen", "gemeente-bloemendaal"]

    /// The view the rules give a partner of a case, or nil: written from README's rule order, not from the code.
    static func expectedView(_ p: Partner, _ c: CaseRecord, _ config: RegionConfig) -> CaseAccess.View? {
        var view: CaseAccess.View?
        func atLeast(_ v: CaseAccess.View) { view = max(view ?? v, v) }
        let roles = Set(c.partners.filter { $0.partner == p.id }.map(\.role))
        if roles.contains(.regiehouder) {
            atLeast(.full)
        } else if !roles.isEmpty {
            if roles == [.melder] {
                atLeast(.outcome)
            } else {
                atLeast(p.domain == .zorg || p.domain == .gemeente ? .full : .status)
            }
            if !roles.isDisjoint(with: [.procesregisseur, .ketenregisseur, .bestuurlijk]) { atLeast(.oversight) }
        }
        if c.level > 0 && levelOwners(c, config).contains(p.id) { atLeast(.oversight) }
        if let m = c.details.municipality, m == p.id || config.procesregisseurs[m] == p.id { atLeast(.oversight) }
        if c.details.opdrachten.contains(where: { $0.partner == p.id }) { atLeast(.status) }
        return view
    }

    static func levelOwners(_ c: CaseRecord, _ config: RegionConfig) -> Set<String> {
        switch c.level {
        case 1:
            let m = c.details.municipality ?? config.centrumgemeente ?? ""
            return Set([config.procesregisseurs[m]].compactMap { $0 })
        case 2: return config.mandates[.ketenregisseur] ?? []
        case 3: return config.mandates[.bestuurlijk] ?? []
        default: return []
        }
    }

    /// Whether a text holds one of the stories' BSNs as a number of its own.
    static func carriesBSN(_ text: String) -> Bool {
        bsns.contains { bsn in
            var from = text.startIndex
            while let r = text.range(of: bsn, range: from..<text.endIndex) {
                let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
                let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
                if !(before?.isNumber ?? false) && !(after?.isNumber ?? false) { return true }
                from = r.upperBound
            }
            return false
        }
    }

    @Test(arguments: [7, 11] as [UInt64])
    func everyKeyAgainstEveryCaseFollowsTheRules(seed: UInt64) throws {
        var random = Random(state: seed)
        let h = try APIHarness()
        let config = h.engine.config
        for p in ["ketenregisseur-zkih", "gemeente-haarlem", "politie-haarlem", "ggz-aanbieder", "woningcorporatie"] {
            _ = try h.engine.addWebhook(partner: p, url: "https://\(p).example.nl/hook", events: ["*"], format: .thin)
        }
        var ids: [String] = []
        var notes = 0
        func open() throws {
            let regie = Self.holders.randomElement(using: &random)!
            var request = Engine.OpenRequest(
                workflow: "netwerkcasus", regie: regie, bsn: Self.bsns.randomElement(using: &random),
                municipality: Self.municipalities.randomElement(using: &random)!)
            if Int.random(in: 0..<6, using: &random) == 0 { request.shield = "dreiging" }
            if Int.random(in: 0..<5, using: &random) == 0 {
                request.relation = "ouder"
                request.members = [("kind", nil)]
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                request.workflow = "vso"
                request.fields = ["basisteam": "politie-haarlem"]
                request.actor = Actor(partner: "politie-haarlem", role: .melder)
            }
            if let id = try h.engine.open(request).record?.id { ids.append(id) }
        }
        func step() throws {
            guard let id = ids.randomElement(using: &random) else { return }
            let before = try h.engine.show(id)
            guard before.closedAt == nil else { return }
            let machine = try h.engine.stateMachine(for: before)
            let event = machine.allowedEvents(in: before.state).randomElement(using: &random)!
            let role = machine.roles(allowedFor: event, in: before.state).filter { $0 != .systeem }.sorted()
                .randomElement(using: &random)
            guard let role, let partner = machine.holders(of: role, in: before).randomElement(using: &random) else {
                return
            }
            notes += 1
            let escalation = machine.isEscalationEvent(event)
            var command = CaseCommand(
                event: event, actor: Actor(partner: partner, role: role),
                note: escalation ? "ESCALATIE-\(notes)" : "ZORGNOTITIE-\(notes)",
                target: (config.partners.map(\.id) + ["ggz-aanbieder", "woningcorporatie"]).randomElement(
                    using: &random),
                motivation: "REDEN-\(notes)", timer: before.timers.randomElement(using: &random)?.label,
                days: 2, fields: [:], contact: role == .regiehouder ? "contactpersoon" : nil)
            for f in machine.transition(event, in: before.state)?.fields ?? [] {
                switch f.kind {
                case .choice(let values): command.fields[f.name] = values.randomElement(using: &random)!
                case .workingDays: command.fields[f.name] = "5"
                case .basisteam: command.fields[f.name] = "politie-haarlem"
                case .text: command.fields[f.name] = "VELD-\(notes)"
                }
            }
            if machine.transition(event, in: before.state)?.effects.contains(where: \.opensCase) == true {
                command.fields.merge([
                    "ernstige-problematiek": "ja", "meerdere-domeinen": "ja", "geen-hulpvraag": "ja",
                    "outreach-nodig": "ja",
                ]) { a, _ in a }
            }
            if event == "lid-toevoegen" { command.relation = "kind" }
            if let after = try? h.engine.fire(id, command).record {
                for link in after.details.links where !ids.contains(link.caseId) { ids.append(link.caseId) }
            }
        }
        func lookup() throws {
            let asker = config.partners.randomElement(using: &random)!.id
            let bsn = Self.bsns.randomElement(using: &random)!
            let answer = try h.call(
                "POST", "/v1/lookups", as: asker, json: #"{"bsn":"\#(bsn)","purpose":"afstemming-zorg"}"#)
            guard answer.status == 200 else {
                #expect(answer.status == 429, "lookup: \(answer.status)")
                return
            }
            let key = try h.engine.clientKey(bsn: bsn)
            var filter = CaseFilter()
            filter.clientKey = key
            let cases = try h.engine.read { try $0.cases(filter) }
            let named = Set(answer.json["contacts"]?.arrayValue?.compactMap { $0["partner"]?.stringValue } ?? [])
            let openly = Set(
                cases.filter { c in c.details.shield == nil || c.partners.contains { $0.partner == asker } }.map(
                    \.regie.partner))
            for c in cases where c.details.shield != nil && !c.partners.contains(where: { $0.partner == asker }) {
                // The safe point is named for every shielded case, so naming it reveals no holder.
                #expect(
                    !named.contains(c.regie.partner) || openly.contains(c.regie.partner)
                        || c.regie.partner == config.shieldedContact,
                    "seed \(seed): a lookup by \(asker) named \(c.regie.partner), holder of shielded case \(c.id)")
            }
            #expect(answer.json["known"] == .bool(!cases.isEmpty))
        }
        func sweep() throws {
            let records = try ids.map { try h.engine.show($0) }
            for p in config.partners {
                var visibleOpen = Set<String>()
                var owned = Set<String>()
                for c in records {
                    let expected = Self.expectedView(p, c, config)
                    let one = try h.call("GET", "/v1/cases/\(c.id)", as: p.id)
                    let events = try h.call("GET", "/v1/cases/\(c.id)/events", as: p.id)
                    let context =
                        "seed \(seed): \(p.id) on \(c.id) (level \(c.level), roles \(c.partners.filter { $0.partner == p.id }.map(\.role.rawValue)))"
                    guard let expected else {
                        #expect(one.status == 404 && events.status == 404, "\(context): an outsider got \(one.status)")
                        continue
                    }
                    #expect(
                        one.status == 200 && one.json["view"]?.stringValue == expected.rawValue,
                        "\(context): \(one.json["view"] ?? .null), expected \(expected)")
                    if c.closedAt == nil { visibleOpen.insert(c.id) }
                    if c.level > 0 && Self.levelOwners(c, config).contains(p.id) && c.closedAt == nil {
                        owned.insert(c.id)
                    }
                    for body in [one.body, events.body] {
                        #expect(!Self.carriesBSN(body), "\(context): a BSN")
                        if expected < .full {
                            #expect(!body.contains("ZORGNOTITIE"), "\(context): a care note in \(expected)")
                        }
                        if expected < .oversight {
                            #expect(!body.contains("REDEN-"), "\(context): a motivation in \(expected)")
                        }
                    }
                    if let mine = c.details.opdracht(for: p.id) {
                        let shown = one.json["opdrachten"]?.arrayValue?.contains {
                            $0["partner"]?.stringValue == mine.partner
                        }
                        #expect(shown == true, "\(context): its own opdracht is not shown")
                    }
                }
                let list = try h.call("GET", "/v1/cases?pageSize=100", as: p.id)
                let listed = Set(list.json["cases"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                #expect(listed == visibleOpen, "seed \(seed): \(p.id) lists \(listed.symmetricDifference(visibleOpen))")
                let board = try h.call("GET", "/v1/escalations", as: p.id)
                let onBoard = Set(board.json["cases"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                #expect(onBoard == owned, "seed \(seed): \(p.id)'s board \(onBoard.symmetricDifference(owned))")
                #expect(!Self.carriesBSN(list.body + board.body))
            }
        }
        for _ in 0..<12 { try open() }
        for n in 0..<240 {
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<2: try open()
            case 2..<4: try lookup()
            case 4:
                h.clock.advance(seconds: Int64.random(in: 3600...600_000, using: &random))
                _ = try h.engine.fireDueTimers()
            default: try step()
            }
            if n == 120 && seed == 7 { try sweep() }
        }
        try sweep()
        let bodies = try h.engine.read { try $0.deliveries(limit: 100_000) }.map(\.body)
        #expect(bodies.count > 20)
        for body in bodies {
            #expect(!Self.carriesBSN(body) && !body.contains("ZORGNOTITIE") && !body.contains("REDEN-"))
        }
    }
}
