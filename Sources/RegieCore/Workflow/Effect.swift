/// Something a transition does besides changing state.
public indirect enum Effect: Sendable, Equatable {
    /// Regie moves to the command's target partner; the previous holder stays involved as `betrokken`. Directly,
    /// without acceptance (a doorzettingsbesluit); a running handover ends.
    case assignRegie
    /// Like `assignRegie` when the command names a target; nothing otherwise (e.g. `afschalen`).
    case assignRegieIfTarget
    /// A warm handover to the target is offered (by the command's actor); the named timer is the acceptance window.
    case offerHandover(timer: String)
    /// The receiver accepts the handover; the named timer is the window for the joint meeting.
    case acceptHandover(timer: String)
    /// The receiver refuses the handover (before accepting it); nothing moves.
    case refuseHandover
    /// The joint meeting (kennismaking) of an accepted handover took place.
    case recordMeeting
    /// The handover completes after the meeting: regie (or care) moves to the receiver, atomically.
    case completeHandover
    /// The offering partner withdraws the handover.
    case withdrawHandover
    /// A binding assignment (opdracht) to the target, with the named timer as its deadline.
    case giveOpdracht(timer: String)
    /// The acting partner reports its opdracht done.
    case completeOpdracht
    /// The opdracht of the command's target is withdrawn (by the owner of the level that gave it, or a level above).
    case withdrawOpdracht
    /// The opdracht whose deadline passed ends (in the transition its timer fires).
    case endOpdracht
    /// Opens a case of another workflow, linked both ways, with the command's target as its regiehouder.
    case openCase(workflow: String)
    /// Puts the case on the agenda of the next meeting of its basisteam's Vroegsignaleringsoverleg (a signal that
    /// was not discussed).
    case nextMeeting
    /// The effect applies only when a field (of the command, else of the case) has one of the values.
    case when(field: String, values: [String], Effect)
    /// The command's target partner joins the case with a role.
    case addPartner(Role)
    /// The command's target partner leaves the case (never the regiehouder).
    case removePartner
    /// Starts a transition timer by name.
    case startTimer(String)
    /// Cancels a running timer by name.
    case cancelTimer(String)
    /// Raises the escalation level by one (at most 3).
    case raiseLevel
    /// Lowers the escalation level to a given level.
    case setLevel(Int)
    /// Emits a notification to the partners in the given roles (and `target`).
    case notify(topic: String, to: [Audience])
}

extension Effect {
    /// Whether this effect (or the effect it guards) opens another case.
    public var opensCase: Bool {
        switch unconditional {
        case .openCase: return true
        case .assignRegie, .assignRegieIfTarget, .offerHandover, .acceptHandover, .refuseHandover, .recordMeeting,
            .completeHandover, .withdrawHandover, .giveOpdracht, .completeOpdracht, .withdrawOpdracht, .endOpdracht,
            .nextMeeting, .when, .addPartner, .removePartner, .startTimer, .cancelTimer, .raiseLevel, .setLevel,
            .notify:
            return false
        }
    }

    /// Whether this effect starts the named timer.
    public func starts(_ timer: String) -> Bool {
        switch unconditional {
        case .startTimer(let t), .offerHandover(let t), .acceptHandover(let t), .giveOpdracht(let t): return t == timer
        case .assignRegie, .assignRegieIfTarget, .refuseHandover, .recordMeeting, .completeHandover, .withdrawHandover,
            .completeOpdracht, .withdrawOpdracht, .endOpdracht, .openCase, .nextMeeting, .when, .addPartner,
            .removePartner, .cancelTimer, .raiseLevel, .setLevel, .notify:
            return false
        }
    }

    /// Whether this effect (or the effect it guards) can move regie to another partner.
    public var movesRegie: Bool {
        switch unconditional {
        case .assignRegie, .assignRegieIfTarget, .completeHandover: return true
        case .offerHandover, .acceptHandover, .refuseHandover, .recordMeeting, .withdrawHandover, .giveOpdracht,
            .completeOpdracht, .withdrawOpdracht, .endOpdracht, .openCase, .nextMeeting, .when, .addPartner,
            .removePartner, .startTimer, .cancelTimer, .raiseLevel, .setLevel, .notify:
            return false
        }
    }

    /// The workflow an `openCase` effect opens.
    public var openedWorkflow: String? {
        if case .openCase(let w) = unconditional { return w }
        return nil
    }

    /// The effect without its condition.
    public var unconditional: Effect {
        if case .when(_, _, let inner) = self { return inner.unconditional }
        return self
    }
}
