/// The escalation ladder: raising and lowering the level, and the opdrachten a level gives.
extension StateMachine {
    /// Raises the case one level up the ladder and records the escalation's question (by the system, not past the top, silently).
    func raiseLevel(_ step: inout Step) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let bySystem = step.command.actor.role == .systeem
        guard step.record.level < topLevel else {
            if bySystem { return }
            throw Refusal(
                .wrongState,
                "case \(caseId) is already at the top level \(topLevel) (\(region.level(topLevel)?.name ?? "")); it cannot go higher"
            )
        }
        changeLevel(&step.record, to: step.record.level + 1, now: step.now)
        step.payload["level"] = .int(Int64(step.record.level))
        step.record.details.escalation = EscalationRequest(
            by: command.actor.partner, at: step.now,
            reason: command.motivation ?? step.firing.map { "\($0.label) passed" } ?? step.event,
            asked: command.fields)
    }

    /// The partner carrying an opdracht reports it done.
    func completeOpdracht(_ step: inout Step) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let partner = command.actor.partner
        guard let o = step.record.details.opdracht(for: partner) else {
            let running = step.record.details.opdrachten.map(\.partner)
            throw Refusal(
                .wrongState,
                "case \(caseId) has no running opdracht for \(partner)\(running.isEmpty ? "" : "; running: \(running.joined(separator: ", ")) (only the partner that carries one reports it done)")"
            )
        }
        endOpdracht(o, &step, key: "opdracht")
    }

    /// Withdraws the target's opdracht: only the owner of the level that gave it, or of a level above.
    func withdrawOpdracht(_ step: inout Step) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let target = try validTarget(command)
        guard let o = step.record.details.opdracht(for: target) else {
            throw Refusal(.invalidTarget, "case \(caseId) has no running opdracht for \(target)")
        }
        let authority = self.authority(of: command.actor, in: step.record) ?? -1
        guard authority >= o.level else {
            throw Refusal(
                .wrongRole,
                "the opdracht for \(target) was given at \(levelName(o.level)); only \(owners(from: o.level)) may withdraw it"
            )
        }
        endOpdracht(o, &step, key: "opdracht")
    }

    /// Ends the opdracht whose own deadline fired, and tells its partner.
    func expireOpdracht(_ step: inout Step) {
        // Only the expiry of an opdracht's own deadline ends it here; a person ends one by reporting it done or
        // withdrawing it (workflow versions before this rule also listed it in afschalen and afsluiten).
        if let t = step.firing, let o = step.record.details.opdrachten.first(where: { t.belongs(to: $0) }) {
            endOpdracht(o, &step, key: "opdracht")
            step.notify("opdracht.expired", [o.partner])
        }
    }

    /// Sets the level. Lowering it is the decision of the owner of the level the case is at (or a level above), and
    /// withdraws, on the record and with notice to their partners, the opdrachten the levels left behind gave.
    func setLevel(_ level: Int, _ step: inout Step) throws(Refusal) {
        let record = step.record
        let actor = step.command.actor
        let bySystem = actor.role == .systeem
        // Refused when setting the level is the transition's point (afschalen at level 0); as a side effect of
        // a transition that moves on (afsluiten of a case that never escalated), it is simply already so.
        if level == record.level && !bySystem && !step.movesOn {
            throw Refusal(.wrongState, "case \(record.id) is already at level \(level)")
        }
        let lowered = level < record.level
        if lowered && !bySystem && (authority(of: actor, in: record) ?? -1) < record.level {
            throw Refusal(
                .wrongRole,
                "case \(record.id) is escalated to \(levelName(record.level)); \"\(step.event)\" would lower it, which only \(owners(from: record.level)) may do (afschalen); ask them, or wait for their decision"
            )
        }
        changeLevel(&step.record, to: level, now: step.now)
        step.payload["level"] = .int(Int64(level))
        guard lowered else { return }
        for o in step.record.details.opdrachten where o.level > level {
            endOpdracht(o, &step, key: "withdrawn")
            step.notify("opdracht.withdrawn", [o.partner])
        }
        if level == 0, let state = workflow.state(step.record.state) {
            // Back at level 0 the case is under its regular watch again: state timers that fired while it was
            // escalated (the stagnation timer) start afresh, so a de-escalated case is never left unwatched.
            for def in state.timers where !step.record.timers.contains(where: { $0.name == def.name }) {
                step.record.timers += startTimer(def, owner: state.name, step)
            }
        }
    }

    func giveOpdracht(to target: String, timer: String, _ step: inout Step) throws(Refusal) {
        if let o = step.record.details.opdracht(for: target) {
            throw Refusal(
                .wrongState,
                "an opdracht for \(target) is already running in case \(step.record.id) (given \(region.calendar.deadlineText(o.givenAt))); extend it with verlengen --timer \(o.timer):\(target), or withdraw it with opdracht-intrekken first"
            )
        }
        if !step.record.partners.contains(where: { $0.partner == target }) {
            step.record.participants.append(Participant(partner: target, role: .betrokken))
        }
        let level = step.record.level
        step.record.details.opdrachten.append(
            Opdracht(
                partner: target, text: step.command.note, givenBy: step.command.actor.partner, givenAt: step.now,
                timer: timer, level: level))
        step.payload["opdracht"] = .string(target)
        guard let def = workflow.timer(timer) else { return }
        step.record.timers += startTimer(def, owner: nil, step, ownerLevel: level, subject: target)
    }

    /// Ends an opdracht, recording its partner in the payload under `key`.
    func endOpdracht(_ o: Opdracht, _ step: inout Step, key: String) {
        step.record.timers.removeAll { $0.belongs(to: o) }
        step.record.details.opdrachten.removeAll { $0.partner == o.partner }
        var ended = step.payload[key]?.arrayValue ?? []
        if key == "opdracht" {
            step.payload[key] = .string(o.partner)
        } else {
            ended.append(.string(o.partner))
            step.payload[key] = .array(ended)
        }
    }

    /// Moves the case to `level`, restarting the level's response deadline from the ladder.
    func changeLevel(_ record: inout CaseRecord, to level: Int, now: Instant) {
        record.timers.removeAll { $0.name == Self.levelTimer }
        record.level = level
        guard level > 0 else {
            record.details.levelSince = nil
            record.details.escalation = nil
            return
        }
        record.details.levelSince = now
        guard let l = region.level(level) else { return }
        record.timers.append(
            TimerRecord(
                name: Self.levelTimer, kind: .deadline, event: Self.levelTimerEvent,
                dueAt: calendar.deadline(after: l.deadline, from: now), startedAt: now, ownerState: nil,
                ownerLevel: level))
    }
}
