/// The checks that need the whole workflow: names, references, reachability, ways out, timers.
struct WorkflowChecker {
    let workflow: Workflow
    let sink: ProblemSink
    let root: JSONObject

    func check() {
        checkStates()
        let expanded = checkTransitions()
        checkOpening()
        checkTimers(expanded)
        checkReachability(expanded)
    }

    private func index(in key: String, where field: String, is value: String) -> Int? {
        root[key]?.arrayValue?.firstIndex { $0[field]?.stringValue == value }
    }

    private func statePath(_ name: String) -> String {
        index(in: "states", where: "name", is: name).map { "$.states[\($0)]" } ?? "$.states"
    }

    private func transitionPath(_ i: Int) -> String { "$.transitions[\(i)]" }

    private func checkStates() {
        var seen = Set<String>()
        for (i, s) in workflow.states.enumerated() where !seen.insert(s.name).inserted {
            sink.add("$.states[\(i)].name", nil, "duplicate state name \"\(s.name)\"", "give every state its own name")
        }
        let initials = workflow.states.filter(\.initial)
        if initials.isEmpty && !workflow.states.isEmpty {
            sink.add("$.states", nil, "no initial state", "mark the state where a case starts with \"initial\": true")
        } else if initials.count > 1 {
            sink.add(
                "$.states", nil, "more than one initial state (\(initials.map(\.name).joined(separator: ", ")))",
                "keep \"initial\": true on one state only")
        }
        if !workflow.states.isEmpty && !workflow.states.contains(where: \.final) {
            sink.add("$.states", nil, "no final state", "mark the state where a case ends with \"final\": true")
        }
        for s in workflow.states {
            if s.initial && s.final {
                sink.add(
                    statePath(s.name), nil, "state \"\(s.name)\" is both initial and final",
                    "a case must be able to run; split it in two states")
            }
            if s.final && !s.timers.isEmpty {
                sink.add(
                    statePath(s.name) + ".timers", nil, "final state \"\(s.name)\" has timers, which could never fire",
                    "remove them or make the state non-final")
            }
        }
    }

    /// Checks each transition and returns them with `*` expanded to the states they apply to.
    private func checkTransitions() -> [(index: Int, transition: TransitionDefinition, from: [String])] {
        let names = Set(workflow.states.map(\.name))
        let finals = Set(workflow.states.filter(\.final).map(\.name))
        let nonFinal = workflow.states.filter { !$0.final }.map(\.name)
        let timerNames = Set(workflow.timers.map(\.name))
        let allTimerNames = timerNames.union(workflow.states.flatMap(\.timers).map(\.name))
        var expanded: [(Int, TransitionDefinition, [String])] = []
        var handled: [String: Int] = [:]
        for (i, t) in workflow.transitions.enumerated() {
            let p = transitionPath(i)
            var from: [String] = []
            for (j, f) in t.from.enumerated() {
                if f == "*" {
                    from.append(contentsOf: nonFinal)
                } else if !names.contains(f) {
                    let hint =
                        closest(f, in: Array(names)).map { "did you mean \"\($0)\"?" } ?? "declare it in \"states\""
                    sink.add(
                        "\(p).from[\(j)]", nil, "transition \"\(t.event)\" starts from unknown state \"\(f)\"", hint)
                } else if finals.contains(f) {
                    sink.add(
                        "\(p).from[\(j)]", nil, "transition \"\(t.event)\" leaves final state \"\(f)\"",
                        "a final state has no way out; make it non-final or remove it from \"from\"")
                } else {
                    from.append(f)
                }
            }
            if let to = t.to, !names.contains(to) {
                let hint = closest(to, in: Array(names)).map { "did you mean \"\($0)\"?" } ?? "declare it in \"states\""
                sink.add("\(p).to", nil, "transition \"\(t.event)\" goes to unknown state \"\(to)\"", hint)
            }
            if t.roles.isEmpty && root["transitions"]?.arrayValue?[i]["roles"]?.arrayValue?.isEmpty == true {
                sink.add(
                    "\(p).roles", nil, "transition \"\(t.event)\" has no roles, so nobody may fire it",
                    "name at least one role")
            }
            for state in from {
                let key = "\(t.event)@\(state)"
                if let other = handled[key] {
                    sink.add(
                        p, nil,
                        "duplicate transition: \"\(t.event)\" from \"\(state)\" is already handled by $.transitions[\(other)]",
                        "each event may have one transition per state")
                } else {
                    handled[key] = i
                }
            }
            let fieldNames = Set((t.fields + workflow.opening.fields).map(\.name))
            for (j, e) in t.effects.enumerated() {
                checkEffect(
                    e, at: "\(p).effects[\(j)]", t, timerNames: timerNames, allTimerNames: allTimerNames,
                    fieldNames: fieldNames)
            }
            expanded.append((i, t, from))
        }
        return expanded
    }

    private func checkEffect(
        _ e: Effect, at ep: String, _ t: TransitionDefinition, timerNames: Set<String>, allTimerNames: Set<String>,
        fieldNames: Set<String>
    ) {
        switch e {
        case .when(let field, _, let inner):
            if !fieldNames.contains(field) {
                sink.add(
                    ep + ".when", nil,
                    "the condition reads field \"\(field)\", which neither this transition nor the opening declares",
                    "declare it in \"fields\"")
            }
            checkEffect(inner, at: ep, t, timerNames: timerNames, allTimerNames: allTimerNames, fieldNames: fieldNames)
        case .assignRegie, .removePartner, .addPartner, .offerHandover, .giveOpdracht, .openCase, .withdrawOpdracht:
            if !t.requires.contains(.target) {
                sink.add(
                    ep, nil,
                    "this effect acts on the command's target partner, but the transition does not require one",
                    "add \"target\" to \"requires\"")
            }
            if case .offerHandover(let name) = e { checkStarted(name, ep, timerNames) }
            if case .giveOpdracht(let name) = e {
                checkStarted(name, ep, timerNames)
                if let timer = workflow.timer(name), timer.owner != .levelOwner || timer.statutory {
                    sink.add(
                        ep, nil,
                        "the deadline of an opdracht belongs to the level that gives it, but timer \"\(name)\" does not",
                        "declare \"owner\": \"levelOwner\" on timer \"\(name)\"")
                }
                if !(t.levelOwner || t.doorzettingsmacht) {
                    sink.add(
                        ep, nil, "only the owner of an escalation level gives an opdracht",
                        "add \"doorzettingsmacht\": true (or \"levelOwner\": true) to the transition")
                }
            }
            if case .withdrawOpdracht = e, !t.requires.contains(.motivation) {
                sink.add(
                    ep, nil, "withdrawing an opdracht needs a written motivation",
                    "add \"motivation\" to \"requires\"")
            }
        case .endOpdracht:
            if t.roles != [.systeem] {
                sink.add(
                    ep, nil,
                    "\"endOpdracht\" ends the opdracht whose deadline passed; a person ends one only by reporting it done (completeOpdracht) or withdrawing it (withdrawOpdracht)",
                    "use it in the transition the opdracht's timer fires, with roles [\"systeem\"]")
            }
        case .acceptHandover(let name), .startTimer(let name):
            checkStarted(name, ep, timerNames)
        case .cancelTimer(let name):
            if !allTimerNames.contains(name) && name != StateMachine.levelTimer {
                sink.add(ep, nil, "cancels unknown timer \"\(name)\"", "declare the timer, or remove this effect")
            }
        case .notify(_, let to):
            if to.contains(.target) && !t.requires.contains(.target) {
                sink.add(
                    ep, nil, "notifies the target, but the transition does not require one",
                    "add \"target\" to \"requires\"")
            }
        case .nextMeeting:
            if !workflow.opening.fields.contains(where: { $0.kind == .basisteam }) {
                sink.add(
                    ep, nil, "\"nextMeeting\" needs the case's basisteam, and the opening declares none",
                    "add an opening field with \"kind\": \"basisteam\"")
            }
        case .raiseLevel, .setLevel, .assignRegieIfTarget, .refuseHandover, .recordMeeting, .completeHandover,
            .withdrawHandover, .completeOpdracht:
            break
        }
    }

    private func checkOpening() {
        let timerNames = Set(workflow.timers.map(\.name))
        let all = timerNames.union(workflow.states.flatMap(\.timers).map(\.name))
        let opening = TransitionDefinition(event: "geopend", from: [], to: nil, roles: [], requires: [])
        for (j, e) in workflow.opening.effects.enumerated() {
            checkEffect(
                e, at: "$.opening.effects[\(j)]", opening, timerNames: timerNames, allTimerNames: all,
                fieldNames: Set(workflow.opening.fields.map(\.name)))
        }
    }

    private func checkStarted(_ name: String, _ ep: String, _ timerNames: Set<String>) {
        if !timerNames.contains(name) {
            sink.add(
                ep, nil, "starts unknown timer \"\(name)\"",
                "declare it in the top-level \"timers\" (state timers start by themselves)")
        }
    }

    private func accepts(
        _ state: String, _ event: String, _ expanded: [(index: Int, transition: TransitionDefinition, from: [String])]
    ) -> TransitionDefinition? {
        expanded.first { $0.transition.event == event && $0.from.contains(state) }?.transition
    }

    private func checkTimers(_ expanded: [(index: Int, transition: TransitionDefinition, from: [String])]) {
        var seen = Set<String>()
        let all =
            workflow.states.flatMap { s in s.timers.map { (s.name as String?, $0) } }
            + workflow.timers.map { (nil, $0) }
        for (owner, timer) in all {
            let p = owner.map { statePath($0) + ".timers" } ?? "$.timers"
            if !seen.insert(timer.name).inserted {
                sink.add(p, nil, "duplicate timer name \"\(timer.name)\"", "timer names are unique within a workflow")
            }
            for r in timer.reminders where timer.window == nil && timer.anchor == nil {
                switch (r, timer.duration) {
                case (.workingDays(let a), .workingDays(let b)) where a >= b,
                    (.calendar(let a, 0), .calendar(let b, 0)) where a >= b:
                    sink.add(
                        p, nil,
                        "timer \"\(timer.name)\" has a reminder \(r) before a deadline of only \(timer.duration)",
                        "make the reminder shorter than the timer")
                default: break
                }
            }
            // The states in which this timer can be running.
            var states: [String] = []
            if let owner {
                states = [owner]
            } else {
                if workflow.opening.effects.contains(where: { $0.starts(timer.name) }),
                    let initial = workflow.states.first(where: \.initial)
                {
                    states.append(initial.name)
                }
                for e in expanded where e.transition.effects.contains(where: { $0.starts(timer.name) }) {
                    if let to = e.transition.to { states.append(to) } else { states.append(contentsOf: e.from) }
                }
            }
            for state in Set(states).sorted() {
                guard let t = accepts(state, timer.fires, expanded) else {
                    sink.add(
                        p, nil,
                        "timer \"\(timer.name)\" fires \"\(timer.fires)\", but state \"\(state)\" has no transition for that event",
                        "add a transition for \"\(timer.fires)\" from \"\(state)\" with role \"systeem\"")
                    continue
                }
                if !t.roles.contains(.systeem) {
                    sink.add(
                        p, nil,
                        "timer \"\(timer.name)\" fires \"\(timer.fires)\", but that transition does not allow role \"systeem\"",
                        "add \"systeem\" to its roles so the timer may fire it")
                }
            }
        }
    }

    private func checkReachability(_ expanded: [(index: Int, transition: TransitionDefinition, from: [String])]) {
        guard let initial = workflow.states.first(where: \.initial) else { return }
        var reached: Set<String> = [initial.name]
        var queue = [initial.name]
        while let s = queue.popLast() {
            for e in expanded where e.from.contains(s) {
                if let to = e.transition.to, reached.insert(to).inserted { queue.append(to) }
            }
        }
        for s in workflow.states where !reached.contains(s.name) {
            sink.add(
                statePath(s.name), nil, "state \"\(s.name)\" is unreachable from the initial state \"\(initial.name)\"",
                "add a transition into it, or remove it")
        }
        for s in workflow.states where !s.final {
            let out = expanded.contains { e in
                e.from.contains(s.name) && e.transition.to != nil && e.transition.to != s.name
            }
            if !out {
                sink.add(
                    statePath(s.name), nil, "non-final state \"\(s.name)\" has no way out",
                    "add a transition to another state, or mark it \"final\": true")
            }
        }
    }
}
