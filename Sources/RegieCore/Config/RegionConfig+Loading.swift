extension RegionConfig {
    static let regionKeys = [
        "$schema", "region", "centrumgemeente", "pseudonymSecretFile", "mandates", "ladder", "windows", "vso",
        "calendar", "safePoint", "lookups", "retention", "textLimits", "monitor",
    ]
    static let partnerFileKeys = ["$schema", "partners"]
    static let partnerKeys = ["id", "name", "domain", "kind", "contact", "example", "shieldsByDefault"]
    static let levelKeys = ["level", "name", "owner", "deadline", "doorzettingsmacht"]
    static let vsoKeys = ["basisteam", "weekday", "time", "cutoff", "participants"]
    /// Accepted names of each weekday, Monday first.
    static let weekdayNames = [
        ["ma", "maandag", "monday"], ["di", "dinsdag", "tuesday"], ["wo", "woensdag", "wednesday"],
        ["do", "donderdag", "thursday"], ["vr", "vrijdag", "friday"], ["za", "zaterdag", "saturday"],
        ["zo", "zondag", "sunday"],
    ]

    /// Loads the region file and the partner file, validating both.
    /// - Parameters:
    ///   - region: the bytes and name of `region.json`, if present.
    ///   - partners: the bytes and name of `partners.json`, if present.
    /// - Throws: `ValidationFailure` with one line per problem: file, line, JSON path, what is wrong, what to do.
    public static func load(region: (bytes: [UInt8], file: String)?, partners: (bytes: [UInt8], file: String)?)
        throws(ValidationFailure) -> RegionConfig
    {
        var config = RegionConfig()
        var problems: [ValidationProblem] = []
        if let partners, let root = parseObject(partners.bytes, partners.file, &problems) {
            let sink = ProblemSink(file: partners.file, text: partners.bytes)
            config.partners = loadPartners(root, sink)
            problems += sink.problems
        }
        if let region, let root = parseObject(region.bytes, region.file, &problems) {
            let sink = ProblemSink(file: region.file, text: region.bytes)
            config.loadRegion(root, sink)
            problems += sink.problems
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return config
    }

    private static func loadPartners(_ root: JSONObject, _ sink: ProblemSink) -> [Partner] {
        let r = ObjectReader(object: root, path: "$", allowed: partnerFileKeys, report: sink)
        r.checkUnknownKeys()
        var seen = Set<String>()
        var out: [Partner] = []
        for (i, item) in (r.array("partners", required: true) ?? []).enumerated() {
            let p = "$.partners[\(i)]"
            guard let o = item.objectValue else {
                sink.add(p, nil, "a partner must be an object", nil)
                continue
            }
            let pr = ObjectReader(object: o, path: p, allowed: partnerKeys, report: sink)
            pr.checkUnknownKeys()
            let id = pr.slug("id", required: true, what: "partner id")
            let name = pr.string("name", required: true)
            let kind = pr.string("kind", required: true)
            let domainText = pr.string("domain", required: true)
            let domain = domainText.flatMap(Partner.Domain.init(rawValue:))
            if domainText != nil && domain == nil {
                sink.add(
                    p + ".domain", pr.offset(of: "domain"), "unknown domain \"\(domainText ?? "")\"",
                    "use zorg, veiligheid, gemeente or wonen")
            }
            if let id, !seen.insert(id).inserted {
                sink.add(
                    p + ".id", pr.offset(of: "id"), "duplicate partner id \"\(id)\"", "give every partner its own id")
            }
            if let id, let name, let kind, let domain {
                out.append(
                    Partner(
                        id: id, name: name, domain: domain, kind: kind, contact: pr.string("contact", required: false),
                        example: pr.bool("example"), shieldsByDefault: pr.bool("shieldsByDefault")))
            }
        }
        return out
    }

    private mutating func loadRegion(_ root: JSONObject, _ sink: ProblemSink) {
        let r = ObjectReader(object: root, path: "$", allowed: Self.regionKeys, report: sink)
        r.checkUnknownKeys()
        region = r.string("region", required: true) ?? ""
        pseudonymSecretFile = r.string("pseudonymSecretFile", required: false)
        if let c = r.string("centrumgemeente", required: false) {
            checkKnown(c, "$.centrumgemeente", r.offset(of: "centrumgemeente"), sink, kind: "gemeente")
            centrumgemeente = c
        }
        if let m = root["mandates"] { loadMandates(m, r.offset(of: "mandates"), sink) }
        if let l = r.array("ladder", required: false) { loadLadder(l, sink) }
        checkLadderOwners(sink)
        if let w = root["windows"] { loadWindows(w, r.offset(of: "windows"), sink) }
        if let v = r.array("vso", required: false) { loadVSO(v, sink) }
        if let c = root["calendar"] { loadCalendar(c, sink) }
        if let point = r.string("safePoint", required: false) {
            checkKnown(point, "$.safePoint", r.offset(of: "safePoint"), sink)
            safePoint = point
        }
        if let l = root["lookups"] { loadLookups(l, r.offset(of: "lookups"), sink) }
        if let m = root["monitor"] { loadMonitor(m, r.offset(of: "monitor"), sink) }
        if let t = root["retention"] { loadRetention(t, r.offset(of: "retention"), sink) }
        if let t = root["textLimits"] {
            guard let o = t.objectValue else {
                sink.add("$.textLimits", r.offset(of: "textLimits"), "\"textLimits\" must be an object", nil)
                return
            }
            let tr = ObjectReader(
                object: o, path: "$.textLimits", allowed: ["$comment", "note", "field", "short"], report: sink)
            tr.checkUnknownKeys()
            if let n = tr.int("note", required: false, range: 100...1_000_000) { textLimits.note = n }
            if let n = tr.int("field", required: false, range: 10...100_000) { textLimits.field = n }
            if let n = tr.int("short", required: false, range: 10...10_000) { textLimits.short = n }
        }
    }

    private mutating func loadRetention(_ value: JSONValue, _ offset: Int?, _ sink: ProblemSink) {
        guard let o = value.objectValue else {
            sink.add("$.retention", offset, "\"retention\" must be an object", nil)
            return
        }
        let tr = ObjectReader(
            object: o, path: "$.retention", allowed: ["$comment", "defaultYears", "workflows", "accessLogYears"],
            report: sink)
        tr.checkUnknownKeys()
        if let n = tr.int("defaultYears", required: false, range: 1...100) { retention.defaultYears = n }
        if let n = tr.int("accessLogYears", required: false, range: 1...100) { retention.accessLogYears = n }
        if let w = o["workflows"] {
            guard let wo = w.objectValue else {
                sink.add(
                    "$.retention.workflows", tr.offset(of: "workflows"), "\"workflows\" must be an object",
                    "e.g. {\"bemoeizorg\": 20, \"vso\": 2}")
                return
            }
            let wr = ObjectReader(object: wo, path: "$.retention.workflows", allowed: wo.keys, report: sink)
            for name in wo.keys {
                if let n = wr.int(name, required: true, range: 1...100) { retention.workflowYears[name] = n }
            }
        }
        if retention.accessLogYears <= retention.longestCaseYears {
            sink.add(
                "$.retention.accessLogYears", tr.offset(of: "accessLogYears"),
                "the access log is kept \(retention.accessLogYears) years, not longer than a case (\(retention.longestCaseYears))",
                "keep it longer than every case, so a client can still ask who looked at a file that is gone")
        }
    }

    private mutating func loadMonitor(_ value: JSONValue, _ offset: Int?, _ sink: ProblemSink) {
        guard let o = value.objectValue else {
            sink.add(
                "$.monitor", offset, "\"monitor\" must be an object", "e.g. {\"partners\": [\"gemeente-haarlem\"]}")
            return
        }
        let mr = ObjectReader(
            object: o, path: "$.monitor", allowed: ["$comment", "partners", "threshold"], report: sink)
        mr.checkUnknownKeys()
        if let list = mr.stringList("partners", required: false) {
            for (id, path) in list { checkKnown(id, path, mr.offset(of: "partners"), sink) }
            monitorPartners = list.map(\.0)
        }
        if let n = mr.int("threshold", required: false, range: 2...100) { monitorThreshold = n }
    }

    private mutating func loadLookups(_ value: JSONValue, _ offset: Int?, _ sink: ProblemSink) {
        guard let o = value.objectValue else {
            sink.add("$.lookups", offset, "\"lookups\" must be an object", nil)
            return
        }
        let lr = ObjectReader(object: o, path: "$.lookups", allowed: ["purposes", "limit", "per"], report: sink)
        lr.checkUnknownKeys()
        lookupPurposes = (lr.stringList("purposes", required: false) ?? []).map(\.0)
        if let n = lr.int("limit", required: false, range: 1...100_000) { lookupLimit = n }
        if let text = lr.string("per", required: false),
            let d = sink.duration(text, "$.lookups.per", lr.offset(of: "per"), negative: "period")
        {
            guard case .calendar(let days, let seconds) = d, days * 86400 + seconds > 0 else {
                sink.add("$.lookups.per", lr.offset(of: "per"), "the period is clock time", "e.g. \"PT1H\" or \"P1D\"")
                return
            }
            lookupWindow = d
        }
    }

    /// Reports an unknown partner id (or one of the wrong kind), when the region lists its partners.
    private func checkKnown(
        _ id: String, _ path: String, _ offset: Int?, _ sink: ProblemSink, kind: String? = nil,
        domain: Partner.Domain? = nil
    ) {
        guard !partners.isEmpty else { return }
        guard let p = partner(id) else {
            let hint =
                closest(id, in: partners.map(\.id)).map { "did you mean \"\($0)\"?" }
                ?? "add it to partners.json or fix the id"
            sink.add(path, offset, "unknown partner \"\(id)\"", hint)
            return
        }
        if let kind, p.kind != kind { sink.add(path, offset, "\"\(id)\" is a \(p.kind), not a \(kind)", nil) }
        if let domain, p.domain != domain {
            sink.add(path, offset, "\"\(id)\" is in domain \(p.domain.rawValue), not \(domain.rawValue)", nil)
        }
    }

    private mutating func loadMandates(_ value: JSONValue, _ offset: Int?, _ sink: ProblemSink) {
        guard let mo = value.objectValue else {
            sink.add("$.mandates", offset, "\"mandates\" must be an object of role to partner ids", nil)
            return
        }
        for member in mo.members {
            let p = "$.mandates.\(member.key)"
            guard let role = Role(rawValue: member.key), Role.mandateRoles.contains(role) else {
                sink.add(
                    p, member.offset, "\"\(member.key)\" is not a mandate role",
                    "use procesregisseur, ketenregisseur or bestuurlijk")
                continue
            }
            var holders: [String] = []
            if let perMunicipality = member.value.objectValue {
                // The procesregisseur per municipality: municipality -> the partner holding procesregie for it.
                for m in perMunicipality.members {
                    checkKnown(m.key, "\(p).\(m.key)", m.offset, sink, kind: "gemeente")
                    guard let holder = m.value.stringValue else {
                        sink.add("\(p).\(m.key)", m.offset, "must name the partner holding the mandate", nil)
                        continue
                    }
                    checkKnown(holder, "\(p).\(m.key)", m.offset, sink)
                    procesregisseurs[m.key] = holder
                    holders.append(holder)
                }
            } else if let list = member.value.arrayValue {
                for (i, item) in list.enumerated() {
                    guard let id = item.stringValue else {
                        sink.add("\(p)[\(i)]", member.offset, "must be a partner id", nil)
                        continue
                    }
                    checkKnown(id, "\(p)[\(i)]", member.offset, sink)
                    holders.append(id)
                }
            } else {
                sink.add(
                    p, member.offset, "a mandate is a list of partner ids, or an object of municipality to partner", nil
                )
                continue
            }
            if holders.isEmpty {
                sink.add(p, member.offset, "mandate \(member.key) has nobody holding it", "name at least one partner")
            }
            mandates[role] = Set(holders)
        }
    }

    private mutating func loadLadder(_ items: [JSONValue], _ sink: ProblemSink) {
        var levels: [EscalationLevel] = []
        for (i, item) in items.enumerated() {
            let p = "$.ladder[\(i)]"
            guard let o = item.objectValue else {
                sink.add(p, nil, "a level must be an object", nil)
                continue
            }
            let lr = ObjectReader(object: o, path: p, allowed: Self.levelKeys, report: sink)
            lr.checkUnknownKeys()
            let level = lr.int("level", required: true, range: 0...3)
            let name = lr.string("name", required: true)
            var owner: Role?
            if let text = lr.string("owner", required: true, fix: "the role that owns the level") {
                owner = Role(rawValue: text)
                if owner == nil || owner == .systeem || owner == .betrokken || owner == .melder {
                    sink.add(
                        p + ".owner", lr.offset(of: "owner"), "\"\(text)\" cannot own a level",
                        "use regiehouder (level 0), procesregisseur, ketenregisseur or bestuurlijk")
                    owner = nil
                }
            }
            let deadline = lr.string("deadline", required: true).flatMap {
                sink.duration($0, p + ".deadline", lr.offset(of: "deadline"), negative: "deadline")
            }
            if let level, let name, let owner, let deadline {
                levels.append(
                    EscalationLevel(
                        level: level, name: name, owner: owner, deadline: deadline,
                        doorzettingsmacht: lr.bool("doorzettingsmacht")))
            }
        }
        if levels.count == items.count {
            if levels.map(\.level) != Array(0..<levels.count) {
                sink.add(
                    "$.ladder", nil, "levels must be 0, 1, 2, ... in order, each once (found \(levels.map(\.level)))",
                    "number the levels from 0 without gaps")
            }
            if let first = levels.first, first.owner != .regiehouder {
                sink.add(
                    "$.ladder[0].owner", nil, "level 0 is owned by the regiehouder", "set \"owner\": \"regiehouder\"")
            }
        }
        ladder = levels
    }

    /// Every level above 0 needs somebody holding its owner's mandate.
    private func checkLadderOwners(_ sink: ProblemSink) {
        for (i, l) in ladder.enumerated() where l.level > 0 && (mandates[l.owner]?.isEmpty ?? true) {
            sink.add(
                "$.ladder[\(i)]", nil,
                "level \(l.level) (\(l.name)) has no owner: nobody holds the \(l.owner.rawValue) mandate",
                "add the partners holding it under \"mandates\".\(l.owner.rawValue)")
        }
    }

    private mutating func loadWindows(_ value: JSONValue, _ offset: Int?, _ sink: ProblemSink) {
        guard let o = value.objectValue else {
            sink.add("$.windows", offset, "\"windows\" must be an object of name to duration", nil)
            return
        }
        let known = Self.windowDefaults.map(\.name)
        for m in o.members {
            let p = "$.windows.\(m.key)"
            guard known.contains(m.key) else {
                let hint =
                    closest(m.key, in: known).map { "did you mean \"\($0)\"?" }
                    ?? "known windows: \(known.joined(separator: ", "))"
                sink.add(p, m.offset, "unknown window \"\(m.key)\"", hint)
                continue
            }
            guard let text = m.value.stringValue else {
                sink.add(p, m.offset, "a window is a duration such as \"3 werkdagen\"", nil)
                continue
            }
            if let d = sink.duration(text, p, m.offset, negative: "window") { windows[m.key] = d }
        }
    }

    private mutating func loadVSO(_ items: [JSONValue], _ sink: ProblemSink) {
        var seen = Set<String>()
        for (i, item) in items.enumerated() {
            let p = "$.vso[\(i)]"
            guard let o = item.objectValue else {
                sink.add(p, nil, "a VSO schedule must be an object", nil)
                continue
            }
            let vr = ObjectReader(object: o, path: p, allowed: Self.vsoKeys, report: sink)
            vr.checkUnknownKeys()
            let team = vr.string("basisteam", required: true)
            if let team {
                checkKnown(team, p + ".basisteam", vr.offset(of: "basisteam"), sink, domain: .veiligheid)
                if !seen.insert(team).inserted {
                    sink.add(
                        p + ".basisteam", vr.offset(of: "basisteam"), "basisteam \"\(team)\" has two schedules", nil)
                }
            }
            var weekday: Int?
            if let text = vr.string("weekday", required: true) {
                weekday = Self.weekdayNames.firstIndex { $0.contains(text.lowercased()) }.map { $0 + 1 }
                if weekday == nil {
                    sink.add(
                        p + ".weekday", vr.offset(of: "weekday"), "unknown weekday \"\(text)\"",
                        "use ma, di, wo, do, vr, za or zo (or the full name)")
                }
            }
            let time = vr.string("time", required: true).flatMap { clock($0, p + ".time", vr.offset(of: "time"), sink) }
            var cutoffDays: Int?
            var cutoffTime: Int?
            if let c = o["cutoff"]?.objectValue {
                let cr = ObjectReader(
                    object: c, path: p + ".cutoff", allowed: ["workingDaysBefore", "time"], report: sink)
                cr.checkUnknownKeys()
                cutoffDays = cr.int("workingDaysBefore", required: true, range: 0...20)
                cutoffTime = cr.string("time", required: true).flatMap {
                    clock($0, p + ".cutoff.time", cr.offset(of: "time"), sink)
                }
            } else {
                sink.add(
                    p, nil, "missing \"cutoff\"", "e.g. \"cutoff\": {\"workingDaysBefore\": 1, \"time\": \"12:00\"}")
            }
            var participants: [String] = []
            for (id, path) in vr.stringList("participants", required: false) ?? [] {
                checkKnown(id, path, vr.offset(of: "participants"), sink)
                participants.append(id)
            }
            if let team, let weekday, let time, let cutoffDays, let cutoffTime {
                vso.append(
                    VSOSchedule(
                        basisteam: team, weekday: weekday, time: time, cutoffWorkingDaysBefore: cutoffDays,
                        cutoffTime: cutoffTime, participants: participants))
            }
        }
    }

    /// Parses `HH:MM` into seconds after midnight.
    private func clock(_ text: String, _ path: String, _ offset: Int?, _ sink: ProblemSink) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            h < 24, m < 60
        else {
            sink.add(path, offset, "\"\(text)\" is not a time of day", "write HH:MM, e.g. \"10:00\"")
            return nil
        }
        return h * 3600 + m * 60
    }

    private mutating func loadCalendar(_ value: JSONValue, _ sink: ProblemSink) {
        guard let c = value.objectValue else {
            sink.add("$.calendar", nil, "\"calendar\" must be an object", nil)
            return
        }
        let cr = ObjectReader(
            object: c, path: "$.calendar", allowed: ["decreedDays", "extraNonWorkingDays"], report: sink)
        cr.checkUnknownKeys()
        func days(_ key: String, example: String) -> [LocalDate: String] {
            var out: [LocalDate: String] = [:]
            for (i, item) in (cr.array(key, required: false) ?? []).enumerated() {
                let p = "$.calendar.\(key)[\(i)]"
                guard let text = item["date"]?.stringValue, let date = LocalDate.parse(text) else {
                    sink.add(p, nil, "needs a \"date\" as YYYY-MM-DD", "e.g. \(example)")
                    continue
                }
                guard let reason = item["reason"]?.stringValue, !reason.isEmpty else {
                    sink.add(p, nil, "needs a \"reason\"", "say why \(text) is not a working day, e.g. \(example)")
                    continue
                }
                if out[date] != nil { sink.add(p, nil, "\(text) is listed twice", "keep one entry per date") }
                out[date] = reason
            }
            return out
        }
        let decreed = days(
            "decreedDays",
            example: "{\"date\": \"2026-05-15\", \"reason\": \"dag na Hemelvaart (Atw art. 3 lid 3)\"}")
        let extra = days(
            "extraNonWorkingDays", example: "{\"date\": \"2026-12-31\", \"reason\": \"kantoren gesloten\"}")
        for date in decreed.keys.sorted() where date.isoWeekday > 5 {
            sink.add(
                "$.calendar.decreedDays", nil, "\(date.isoText) is a \(date.isoWeekday == 6 ? "Saturday" : "Sunday")",
                "a decree under Atw art. 3 lid 3 names weekdays; check the date")
        }
        calendar = DutchCalendar(kind: .practice, decreedDays: decreed, extraDays: extra)
    }

    private static func parseObject(_ bytes: [UInt8], _ file: String, _ problems: inout [ValidationProblem])
        -> JSONObject?
    {
        do {
            guard let o = try JSONParser.parse(bytes).objectValue else {
                problems.append(
                    ValidationProblem(
                        file: file, path: "$", message: "must be a JSON object", fix: "start the file with {"))
                return nil
            }
            return o
        } catch {
            problems.append(
                ValidationProblem(
                    file: file, path: "$", line: error.line, column: error.column,
                    message: "JSON syntax error: \(error.message)"))
            return nil
        }
    }
}
