/// Timers: when they fall due, what firing one does, and when they pause and resume.
extension StateMachine {
    /// The timer rows for a definition: the deadline and its reminders still in the future.
    /// - Parameters:
    ///   - owner: the state that owns the timer (cancelled when left), or nil for one an effect starts.
    ///   - ownerLevel: the level that owns the deadline; by default the case's level for a `levelOwner` timer and
    ///     the regiehouder's (0) otherwise.
    ///   - subject: the partner an instance is about (an opdracht's carrier).
    func startTimer(
        _ def: TimerDefinition, owner: String?, _ step: Step, ownerLevel: Int? = nil, subject: String? = nil
    ) -> [TimerRecord] {
        let level = ownerLevel ?? (def.owner == .levelOwner && !def.statutory ? step.record.level : 0)
        let deadline = TimerRecord(
            name: def.name, kind: .deadline, event: def.fires, dueAt: due(def, step), startedAt: step.now,
            ownerState: owner, ownerLevel: level, subject: subject)
        return def.reminders.isEmpty ? [deadline] : [deadline] + reminders(for: deadline, def, now: step.now)
    }

    /// The calendar a timer counts in: the law's for a statutory period, the region's practice otherwise.
    public func calendar(for def: TimerDefinition?) -> DutchCalendar {
        def?.statutory == true ? calendar.law : calendar
    }

    /// When a timer started now falls due: its duration (a fixed one, the region's window, or working days given in a
    /// field) counted from now or from its anchor.
    private func due(_ def: TimerDefinition, _ step: Step) -> Instant {
        var spec = def.duration
        if let w = def.window, let d = region.window(w) { spec = d }
        if let f = def.durationField, let n = step.command.fields[f].flatMap({ Int($0) }) { spec = .workingDays(n) }
        var start = step.now
        if def.anchor == .vsoMeeting {
            // The meeting the case is on (a signal joins the agenda item of the same person's earlier signal).
            if let agenda = step.record.details.agenda {
                start = agenda
            } else if let team = step.field("basisteam"), let schedule = region.vsoSchedule(team) {
                start = schedule.meeting(for: step.now, in: calendar)
            }
        }
        return calendar(for: def).deadline(after: spec, from: start, statutory: def.statutory)
    }

    func reminders(for deadline: TimerRecord, _ def: TimerDefinition, now: Instant) -> [TimerRecord] {
        def.reminders.compactMap { before in
            let at = calendar(for: def).reminder(before, ahead: deadline.dueAt)
            guard at > now else { return nil }
            return TimerRecord(
                name: def.name, kind: .reminder, event: "herinnering", dueAt: at, startedAt: now,
                ownerState: deadline.ownerState, ownerLevel: deadline.ownerLevel, subject: deadline.subject,
                pausedAt: deadline.pausedAt)
        }
    }

    // MARK: Firing

    /// Fires a due timer of a case, if it is still running and not paused.
    /// - Returns: the decision, or nil when the timer is gone or paused (then nothing happens).
    public func fire(timerID: Int64, of record: CaseRecord, now: Instant) -> Decision? {
        guard let timer = record.timers.first(where: { $0.id == timerID }), !timer.paused, record.closedAt == nil else {
            return nil
        }
        var base = record
        base.timers.removeAll { $0.id == timerID }
        let lateness = max(0, now.milliseconds - timer.dueAt.milliseconds)
        var details: [JSONObject.Member] = [
            .init(key: "timer", value: .string(timer.name)), .init(key: "dueAt", value: .string(timer.dueAt.iso8601)),
            .init(key: "latenessMs", value: .int(lateness)),
        ]
        if let subject = timer.subject { details.append(.init(key: "subject", value: .string(subject))) }
        let sequence = record.sequence + 1
        if timer.kind == .reminder {
            let deadline = record.timers.first { $0.sameTimer(as: timer) && $0.kind == .deadline }
            var payload = JSONObject(details)
            if let deadline { payload["deadline"] = .string(deadline.dueAt.iso8601) }
            base.sequence = sequence
            base.updatedAt = now
            let event = CaseEvent(
                caseId: record.id, sequence: sequence, at: now, event: "herinnering", actor: .system,
                payload: .object(payload))
            let note = Notification(
                caseId: record.id, sequence: sequence, topic: "deadline.reminder", recipients: [record.regie.partner],
                event: "herinnering", level: record.level)
            return Decision(record: base, events: [event], notifications: [note])
        }
        base.timers.removeAll { $0.sameTimer(as: timer) && $0.kind == .reminder }
        // A window that ran out is over; the handover itself stays until someone acts on it.
        if base.details.handover?.timer == timer.name { base.details.handover?.timer = nil }
        if timer.name == Self.levelTimer && timer.event == Self.levelTimerEvent {
            return levelDeadlineMissed(base, details: details, now: now)
        }
        let command = CaseCommand(event: timer.event, actor: .system)
        if let transition = transitions[timer.event]?[record.state], transition.roles.contains(.systeem),
            let decision = try? run(
                transition, command: command, record: base, now: now, extra: details, firing: timer)
        {
            return decision
        }
        // The timer's event no longer applies here (a transition timer outlived its purpose): record that it lapsed.
        base.sequence = sequence
        base.updatedAt = now
        let event = CaseEvent(
            caseId: record.id, sequence: sequence, at: now, event: "timer-vervallen", actor: .system,
            payload: .object(JSONObject(details)))
        return Decision(record: base, events: [event], notifications: [])
    }

    /// A level's response deadline passed: the case goes one level up and its new owner is told; at the top level
    /// the owner is told that the deadline passed.
    private func levelDeadlineMissed(_ base: CaseRecord, details: [JSONObject.Member], now: Instant) -> Decision {
        var record = base
        let from = record.level
        var topic = "escalation.overdue"
        if from < topLevel {
            changeLevel(&record, to: from + 1, now: now)
            record.details.escalation = EscalationRequest(
                by: Actor.system.partner, at: now,
                reason: "the response deadline of \(levelName(from)) passed",
                asked: record.details.escalation?.asked ?? [:])
            topic = "escalation.raised"
        }
        settleTimers(&record, now: now)
        record.sequence += 1
        record.updatedAt = now
        var payload = JSONObject(details)
        payload["fromLevel"] = .int(Int64(from))
        payload["level"] = .int(Int64(record.level))
        let event = CaseEvent(
            caseId: record.id, sequence: record.sequence, at: now, event: Self.levelTimerEvent, actor: .system,
            payload: .object(payload))
        var notes = [
            Notification(
                caseId: record.id, sequence: record.sequence, topic: topic,
                recipients: recipients([.levelOwner, .role(.regiehouder)], record, nil), event: Self.levelTimerEvent,
                level: record.level)
        ]
        if record.level != from {
            notes.append(
                Notification(
                    caseId: record.id, sequence: record.sequence, topic: "case.changed",
                    recipients: changeRecipients(record), event: Self.levelTimerEvent, level: record.level))
        }
        return Decision(record: record, events: [event], notifications: notes)
    }

    // MARK: Pausing and resuming

    /// What `settleTimers` changed, by timer label.
    struct Settled {
        var paused: [String] = []
        var resumed: [(label: String, from: Instant, to: Instant)] = []

        /// The changes for an event's payload.
        func add(to payload: inout JSONObject) {
            if !paused.isEmpty { payload["paused"] = .array(paused.map { .string($0) }) }
            if !resumed.isEmpty {
                payload["resumed"] = .array(
                    resumed.map {
                        ["timer": .string($0.label), "from": .string($0.from.iso8601), "to": .string($0.to.iso8601)]
                    })
            }
        }
    }

    /// Whether a deadline must stand still now. It pauses while the case is suspended by the owner of its level or
    /// a level above (never a statutory one), and it holds while a higher level's opdracht runs if it would
    /// escalate the case: while a level has decided, nothing below it escalates above it.
    func mustPause(_ t: TimerRecord, in record: CaseRecord) -> Bool {
        if let s = record.details.suspension, workflow.timer(t.name)?.statutory != true, t.ownerLevel <= s.level {
            return true
        }
        if let deciding = record.details.decidingLevel, t.ownerLevel < deciding, escalates(t, in: record.state),
            !record.details.opdrachten.contains(where: { t.belongs(to: $0) })
        {
            return true
        }
        return false
    }

    /// Whether firing a deadline would raise the case's level.
    func escalates(_ t: TimerRecord, in state: String) -> Bool {
        if t.name == Self.levelTimer { return true }
        return transitions[t.event]?[state]?.effects.contains { $0.unconditional == .raiseLevel } ?? false
    }

    /// Pauses the timers that must stand still and resumes those that may run again, after every decision: one
    /// rule for suspension, resumption and the hold of an opdracht. A resumed deadline moves later by the time it
    /// stood still: by the working days that began while it was paused (from the day after it paused up to and
    /// including the day it resumes), or, for a calendar-time deadline, by the local clock time that passed.
    /// Its reminders are made afresh.
    @discardableResult
    func settleTimers(_ record: inout CaseRecord, now: Instant) -> Settled {
        var settled = Settled()
        // Most decisions are on cases with nothing suspended or held: nothing to do.
        if record.details.suspension == nil && record.details.opdrachten.isEmpty
            && !record.timers.contains(where: \.paused)
        {
            return settled
        }
        var kept: [TimerRecord] = []
        var fresh: [TimerRecord] = []
        let deadlines = record.timers.filter { $0.kind == .deadline }
        for t in record.timers {
            guard let d = t.kind == .deadline ? t : deadlines.first(where: { $0.sameTimer(as: t) }) else {
                kept.append(t)
                continue
            }
            let pause = mustPause(d, in: record)
            switch (pause, d.pausedAt) {
            case (true, nil):
                var p = t
                p.pausedAt = now
                kept.append(p)
                if t.kind == .deadline { settled.paused.append(t.label) }
            case (false, let since?):
                // The group comes back once, from its deadline; its old reminders are dropped.
                guard t.kind == .deadline else { continue }
                let def = workflow.timer(t.name)
                var moved = t
                moved.pausedAt = nil
                if countsInWorkingDays(t, def) {
                    moved.dueAt = calendar.shifting(t.dueAt, byWorkingDays: calendar.workingDaysBetween(since, now))
                } else {
                    moved.dueAt = calendar.shifting(t.dueAt, byLocalTimeFrom: since, to: now)
                }
                kept.append(moved)
                if let def {
                    fresh += reminders(for: moved, def, now: now).map {
                        var r = $0
                        r.startedAt = t.startedAt
                        return r
                    }
                }
                settled.resumed.append((t.label, t.dueAt, moved.dueAt))
            default:
                kept.append(t)
            }
        }
        record.timers = kept + fresh
        return settled
    }

    /// Whether a deadline is counted in working days (and so moves by working days), or in calendar time.
    func countsInWorkingDays(_ t: TimerRecord, _ def: TimerDefinition?) -> Bool {
        var spec: DurationSpec?
        if t.name == Self.levelTimer {
            spec = region.level(t.ownerLevel)?.deadline
        } else if let def {
            spec = def.durationField != nil ? .workingDays(0) : def.window.flatMap { region.window($0) } ?? def.duration
        }
        if case .calendar = spec { return false }
        return true
    }

    // MARK: For people

    /// What people need to know of a running deadline: whose it is, whether the law sets it, which calendar counts.
    public struct TimerInfo: Sendable, Equatable {
        /// `name`, or `name:partner` for one of several instances.
        public var label: String
        public var statutory: Bool
        public var legalBasis: String?
        public var calendar: DutchCalendar.Kind
        /// The level that owns it, and the role owning that level.
        public var ownerLevel: Int
        public var ownerRole: Role?
    }

    /// The case as JSON (`CaseRecord.json`), its deadlines with what people need to know of each: whose it is
    /// (`owner`), whether the law sets it (`statutory`, `legalBasis`) and which calendar counts it (`calendar`).
    public func json(of record: CaseRecord) -> JSONValue {
        guard case .object(var o) = record.json else { return record.json }
        o["timers"] = .array(
            record.timers.filter { $0.kind == .deadline }.map { t in
                guard case .object(var j) = t.json else { return t.json }
                let i = info(t)
                j["owner"] = ["level": .int(Int64(i.ownerLevel)), "role": .optional(i.ownerRole?.rawValue)]
                j["statutory"] = .bool(i.statutory)
                j["legalBasis"] = .optional(i.legalBasis)
                j["calendar"] = .string(i.calendar.rawValue)
                return .object(j)
            })
        return .object(o)
    }

    /// What people need to know of a timer.
    public func info(_ t: TimerRecord) -> TimerInfo {
        let def = t.name == Self.levelTimer ? nil : workflow.timer(t.name)
        return TimerInfo(
            label: t.label, statutory: def?.statutory ?? false, legalBasis: def?.legalBasis,
            calendar: calendar(for: def).kind, ownerLevel: t.ownerLevel, ownerRole: region.level(t.ownerLevel)?.owner)
    }
}

/// Timers that effects start and cancel.
extension StateMachine {
    /// Cancels a timer by name: a level's own deadlines only by the owner of that level or above.
    func cancelTimer(_ name: String, _ step: inout Step) throws(Refusal) {
        let actor = step.command.actor
        if actor.role != .systeem,
            let owned = step.record.timers.first(where: { $0.name == name && $0.kind == .deadline && $0.ownerLevel > 0 }
            ),
            (authority(of: actor, in: step.record) ?? -1) < owned.ownerLevel
        {
            throw Refusal(
                .wrongRole,
                "\"\(step.event)\" would cancel \(owned.label), which belongs to \(levelName(owned.ownerLevel)); only \(owners(from: owned.ownerLevel)) may"
            )
        }
        step.record.timers.removeAll { $0.name == name }
    }

    func startNamedTimer(_ name: String, _ step: inout Step) {
        guard let def = workflow.timer(name) else { return }
        step.record.timers.removeAll { $0.name == name }
        step.record.timers += startTimer(def, owner: nil, step)
    }
}
