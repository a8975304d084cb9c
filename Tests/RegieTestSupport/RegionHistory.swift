public import RegieCore
public import RegieEngine

/// A year and more of closed network cases in a few municipalities, for pages and screenshots that need a history (the
/// Monitor): opened, planned, some escalated and lowered, some handed over warmly, all closed with an outcome. Played
/// on the simulated clock in time order; every case is closed by `until`, so nothing of it runs on afterwards.
public enum RegionHistory {
    /// Plays the history from `from` (a local date) and leaves the clock at the last action.
    public static func play(engine: Engine, clock: TestClock, from: LocalDate, cases: Int, every: Int = 2) throws {
        let cal = engine.config.calendar
        var state: UInt64 = 42
        func roll(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        final class Box: @unchecked Sendable { var id = "" }
        var actions: [(at: Instant, order: Int, run: () throws -> Void)] = []
        let gemeenten = ["gemeente-haarlem", "gemeente-haarlem", "gemeente-velsen"]
        let providers = ["bw-aanbieder", "ggz-aanbieder", "sociaal-wijkteam"]
        let outcomes = ["doel-bereikt", "doel-bereikt", "overgedragen-regulier", "geen-medewerking"]
        for k in 0..<cases {
            let box = Box()
            var day = cal.addingWorkingDays(k * every, to: from)
            var step = 0
            func at(_ d: LocalDate, _ run: @escaping () throws -> Void) {
                step += 1
                actions.append((cal.instant(of: d, secondOfDay: 10 * 3600 + k % 3600), k * 100 + step, run))
            }
            let g = gemeenten[roll(3)]
            var holder = providers[roll(3)]
            let opener = roll(4) == 0 ? "brede-centrale-toegang" : holder
            let (regie, first) = (holder, holder)
            at(day) {
                let actor =
                    opener == regie
                    ? Actor(partner: regie, role: .regiehouder) : Actor(partner: opener, role: .betrokken)
                box.id =
                    try engine.open(.init(workflow: "netwerkcasus", regie: regie, actor: actor, municipality: g))
                    .record?.id ?? ""
            }
            day = cal.addingWorkingDays(1 + roll(8), to: day)
            at(day) {
                _ = try engine.fire(
                    box.id,
                    CaseCommand(
                        event: "plan-vastgesteld", actor: .init(partner: first, role: .regiehouder), note: "plan"))
            }
            if roll(3) == 0 {
                day = cal.addingWorkingDays(1 + roll(3), to: day)
                at(day) {
                    _ = try engine.fire(
                        box.id,
                        CaseCommand(
                            event: "opschalen", actor: .init(partner: first, role: .regiehouder), motivation: "vast",
                            fields: ["vraag": "wie neemt dit op?"]))
                }
                day = cal.addingWorkingDays(1 + roll(5), to: day)
                at(day) {
                    _ = try engine.fire(
                        box.id,
                        CaseCommand(
                            event: "afschalen", actor: .init(partner: g, role: .procesregisseur), motivation: "belegd"))
                }
            }
            if roll(3) == 0 {
                let to = providers.filter { $0 != first }[roll(2)]
                day = cal.addingWorkingDays(1, to: day)
                at(day) {
                    _ = try engine.fire(
                        box.id,
                        CaseCommand(
                            event: "overdracht-aanbieden", actor: .init(partner: first, role: .regiehouder),
                            note: "over", target: to))
                }
                day = cal.addingWorkingDays(1 + roll(2), to: day)
                at(day) {
                    _ = try engine.fire(
                        box.id, CaseCommand(event: "overdracht-accepteren", actor: .init(partner: to, role: .betrokken))
                    )
                    _ = try engine.fire(
                        box.id,
                        CaseCommand(event: "kennismaking", actor: .init(partner: to, role: .betrokken), note: "samen"))
                    _ = try engine.fire(
                        box.id,
                        CaseCommand(event: "overdracht-afronden", actor: .init(partner: first, role: .regiehouder)))
                }
                holder = to
            }
            day = cal.addingWorkingDays(5 + roll(35), to: day)
            let (closer, outcome, nazorg) = (holder, outcomes[roll(4)], roll(2) == 0 ? "ja" : "nee")
            at(day) {
                _ = try engine.fire(
                    box.id,
                    CaseCommand(
                        event: "afsluiten", actor: .init(partner: closer, role: .regiehouder), note: "klaar",
                        fields: ["uitkomst": outcome, "nazorg": nazorg], contact: "Els"))
            }
        }
        for action in actions.sorted(by: { ($0.at, $0.order) < ($1.at, $1.order) }) {
            clock.set(max(clock.now(), action.at))
            try action.run()
        }
    }
}
