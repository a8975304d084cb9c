/// The partners in a case: adding and removing them.
extension StateMachine {
    /// Adds the command's target in `role` (serving some household members, or all).
    func addPartner(_ role: Role, _ step: inout Step) throws(Refusal) {
        let command = step.command
        let target = try validTarget(command)
        let serves = Set(command.members).subtracting([Self.household])
        let p = Participant(
            partner: target, role: role,
            members: serves.isEmpty || command.members.contains(Self.household) ? nil : serves)
        if !step.record.participants.contains(p) && !(role == .betrokken && target == step.record.regie.partner) {
            step.record.participants.append(p)
        }
        step.payload["added"] = .string("\(target):\(role.rawValue)")
        if let m = p.members { step.payload["serves"] = .array(m.sorted().map { .string($0) }) }
    }

    /// Removes the command's target: never the regiehouder (regie is never empty), nor a partner with a running handover or opdracht.
    func removePartner(_ step: inout Step) throws(Refusal) {
        let command = step.command
        let caseId = step.record.id
        let target = try validTarget(command)
        guard target != step.record.regie.partner else {
            throw Refusal(
                .regieEmpty,
                "\(target) holds regie in case \(caseId) and cannot leave it; hand regie over first, so regie is never empty"
            )
        }
        guard step.record.participants.contains(where: { $0.partner == target }) else {
            throw Refusal(.invalidTarget, "\(target) does not take part in case \(caseId)")
        }
        if step.record.details.handover?.to == target || step.record.details.opdracht(for: target) != nil {
            throw Refusal(
                .invalidArgument,
                "\(target) has a running handover or opdracht in case \(caseId); end that first")
        }
        step.record.participants.removeAll { $0.partner == target }
        step.payload["removed"] = .string(target)
    }
}
