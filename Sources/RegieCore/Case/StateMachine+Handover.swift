/// Warm handovers and regie: offer, accept, meet and transfer, and the moves of regie they make.
extension StateMachine {
    /// The side of a handover a partner is on.
    enum HandoverSide { case receiver, giver }

    /// Offers the target a warm handover (of regie, or of a part), starting the deadline for its answer.
    func offerHandover(timer: String, _ step: inout Step) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let target = try validTarget(command)
        if let h = step.record.details.handover {
            throw Refusal(
                .wrongState,
                "a handover to \(h.to) is already running in case \(caseId) (\(h.stage)); complete or withdraw it first"
            )
        }
        guard target != step.record.regie.partner, target != command.actor.partner else {
            throw Refusal(.invalidTarget, "\(target) cannot receive a handover from itself")
        }
        let subject = Handover.Subject(rawValue: step.field("onderwerp") ?? "regie") ?? .regie
        if subject == .regie && command.actor.partner != step.record.regie.partner {
            throw Refusal(.wrongRole, "only the regiehouder, \(step.record.regie.partner), can hand over regie")
        }
        let joined = !step.record.participants.contains { $0.partner == target }
        if joined { step.record.participants.append(Participant(partner: target, role: .betrokken)) }
        step.record.details.handover = Handover(
            from: command.actor.partner, to: target, subject: subject, offeredAt: step.now, acceptedAt: nil,
            metAt: nil, receiverJoined: joined, timer: timer)
        step.payload["handover"] = .string("\(subject.rawValue) to \(target)")
        startNamedTimer(timer, &step)
    }

    /// The receiver accepts the offered handover; the deadline for the kennismaking starts.
    func acceptHandover(timer: String, _ step: inout Step) throws(Refusal) {
        var h = try runningHandover(step, by: [.receiver], stage: "aangeboden")
        step.record.timers.removeAll { $0.name == h.timer }
        h.acceptedAt = step.now
        h.timer = timer
        step.record.details.handover = h
        startNamedTimer(timer, &step)
    }

    /// The receiver refuses the offered handover.
    func refuseHandover(_ step: inout Step) throws(Refusal) {
        let h = try runningHandover(step, by: [.receiver], stage: "aangeboden")
        endHandover(&step)
        if h.receiverJoined { step.record.participants.removeAll { $0.partner == h.to } }
    }

    /// Records the kennismaking of an accepted handover.
    func recordMeeting(_ step: inout Step) throws(Refusal) {
        var h = try runningHandover(step, by: [.receiver, .giver], stage: "geaccepteerd")
        step.record.timers.removeAll { $0.name == h.timer }
        h.metAt = step.now
        h.timer = nil
        step.record.details.handover = h
    }

    /// Completes a handover after the kennismaking: regie (or the part handed over) moves in one step.
    func completeHandover(_ step: inout Step) throws(Refusal) {
        let caseId = step.record.id
        guard let h = step.record.details.handover, h.metAt != nil else {
            let stage = step.record.details.handover?.stage ?? "none"
            throw Refusal(
                .wrongState,
                "a handover completes only after the receiver accepted and the kennismaking took place (handover in case \(caseId): \(stage)); record kennismaking first"
            )
        }
        _ = try runningHandover(step, by: [.receiver, .giver], stage: "kennisgemaakt")
        endHandover(&step)
        if h.subject == .regie {
            moveRegie(to: h.to, &step)
        } else if h.from != step.record.regie.partner {
            step.record.participants.removeAll { $0.partner == h.from && $0.role == .betrokken }
        }
    }

    /// The giver withdraws a running handover.
    func withdrawHandover(_ step: inout Step) throws(Refusal) {
        _ = try runningHandover(step, by: [.giver], stage: nil)
        let h = step.record.details.handover
        endHandover(&step)
        if let h, h.receiverJoined { step.record.participants.removeAll { $0.partner == h.to } }
    }

    /// The running handover, if the actor is on an allowed side of it and it is at `stage` (nil: any stage).
    func runningHandover(_ step: Step, by sides: [HandoverSide], stage: String?) throws(Refusal) -> Handover {
        guard let h = step.record.details.handover else {
            throw Refusal(
                .wrongState, "case \(step.record.id) has no running handover; offer one with overdracht-aanbieden")
        }
        let who = step.command.actor.partner
        let allowed =
            (sides.contains(.receiver) && who == h.to)
            || (sides.contains(.giver) && (who == h.from || who == step.record.regie.partner))
        guard allowed else {
            let names = sides.map { $0 == .receiver ? h.to : h.from }.joined(separator: " or ")
            throw Refusal(.wrongRole, "only \(names) may do this in the handover of case \(step.record.id)")
        }
        if let stage, h.stage != stage {
            throw Refusal(
                .wrongState,
                "the handover to \(h.to) in case \(step.record.id) is \(h.stage), not \(stage); \(stage == "aangeboden" ? "it was already accepted" : "accept it first, then hold the kennismaking")"
            )
        }
        return h
    }

    func endHandover(_ step: inout Step) {
        if let t = step.record.details.handover?.timer { step.record.timers.removeAll { $0.name == t } }
        step.record.details.handover = nil
    }

    func assignRegie(to target: String, _ step: inout Step) throws(Refusal) {
        guard target != step.record.regie.partner else {
            throw Refusal(.invalidTarget, "\(target) already holds regie in case \(step.record.id)")
        }
        if step.record.details.handover != nil { endHandover(&step) }
        moveRegie(to: target, &step)
    }

    /// Regie moves in one step: the new holder leaves the other partners, the old one stays as `betrokken`. Unless
    /// the command names the new holder's contact person, its first action must.
    func moveRegie(to target: String, _ step: inout Step) {
        step.record.participants.removeAll { $0.partner == target && $0.role == .betrokken }
        let previous = Participant(partner: step.record.regie.partner, role: .betrokken)
        if !step.record.participants.contains(previous) { step.record.participants.append(previous) }
        step.record.regie = RegieHolder(partner: target, contact: nil)
        step.record.details.contactRequired = true
        step.payload["regie"] = .string(target)
    }
}
