/// A region's configuration: its partners, who holds which mandate, and its calendar.
public struct RegionConfig: Sendable {
    public var region: String
    public var partners: [Partner]
    /// Partners holding a region-wide mandate role.
    public var mandates: [Role: Set<String>]
    public var calendar: DutchCalendar
    /// Where the pseudonym secret is read from when the environment does not give it (relative to the config folder).
    public var pseudonymSecretFile: String?

    /// An empty configuration: no partner list (any valid partner id is accepted), no mandates, no extra days.
    public init() {
        region = ""
        partners = []
        mandates = [:]
        calendar = DutchCalendar()
        pseudonymSecretFile = nil
    }

    /// The partner with `id`.
    public func partner(_ id: String) -> Partner? { partners.first { $0.id == id } }

    /// Checks a partner id: a slug, and listed when the region lists its partners.
    /// - Throws: `Refusal` (.invalidTarget) naming the problem and where to look.
    public func checkPartner(_ id: String) throws(Refusal) {
        guard isSlug(id) else {
            throw Refusal(
                .invalidTarget, "\"\(id)\" is not a partner id; ids are lowercase slugs such as gemeente-haarlem")
        }
        if !partners.isEmpty && partner(id) == nil {
            let hint = closest(id, in: partners.map(\.id)).map { "did you mean \($0)? " } ?? ""
            throw Refusal(.invalidTarget, "unknown partner \"\(id)\"; \(hint)see `regie partner list`")
        }
    }

    static let regionKeys = ["$schema", "region", "pseudonymSecretFile", "mandates", "calendar"]
    static let partnerFileKeys = ["$schema", "partners"]
    static let partnerKeys = ["id", "name", "domain", "kind", "contact", "example"]

    /// Loads the region file and the partner file, validating both.
    /// - Parameters:
    ///   - region: the bytes and name of `region.json`, if present.
    ///   - partners: the bytes and name of `partners.json`, if present.
    /// - Throws: `ValidationFailure` with one line per problem.
    public static func load(region: (bytes: [UInt8], file: String)?, partners: (bytes: [UInt8], file: String)?)
        throws(ValidationFailure) -> RegionConfig
    {
        var config = RegionConfig()
        var problems: [ValidationProblem] = []
        if let partners {
            let sink = ProblemSink(file: partners.file, text: partners.bytes)
            if let root = parseObject(partners.bytes, partners.file, &problems) {
                let r = ObjectReader(object: root, path: "$", allowed: partnerFileKeys, report: sink)
                r.checkUnknownKeys()
                var seen = Set<String>()
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
                        sink.add(p + ".id", pr.offset(of: "id"), "duplicate partner id \"\(id)\"", nil)
                    }
                    if let id, let name, let kind, let domain {
                        config.partners.append(
                            Partner(
                                id: id, name: name, domain: domain, kind: kind,
                                contact: pr.string("contact", required: false), example: pr.bool("example")))
                    }
                }
            }
            problems += sink.problems
        }
        if let region {
            let sink = ProblemSink(file: region.file, text: region.bytes)
            if let root = parseObject(region.bytes, region.file, &problems) {
                let r = ObjectReader(object: root, path: "$", allowed: regionKeys, report: sink)
                r.checkUnknownKeys()
                config.region = r.string("region", required: true) ?? ""
                config.pseudonymSecretFile = r.string("pseudonymSecretFile", required: false)
                if let m = root["mandates"] {
                    guard let mo = m.objectValue else {
                        sink.add(
                            "$.mandates", r.offset(of: "mandates"),
                            "\"mandates\" must be an object of role to partner ids", nil)
                        return config
                    }
                    for member in mo.members {
                        let p = "$.mandates.\(member.key)"
                        guard let role = Role(rawValue: member.key), Role.mandateRoles.contains(role) else {
                            sink.add(
                                p, member.offset, "\"\(member.key)\" is not a mandate role",
                                "use procesregisseur, ketenregisseur or bestuurlijk")
                            continue
                        }
                        let ids = (member.value.arrayValue ?? []).compactMap(\.stringValue)
                        if member.value.arrayValue == nil || ids.isEmpty {
                            sink.add(
                                p, member.offset, "a mandate needs at least one partner id (an owner)",
                                "list the partners that hold it")
                        }
                        for id in ids where !config.partners.isEmpty && config.partner(id) == nil {
                            sink.add(
                                p, member.offset, "unknown partner \"\(id)\" in mandate \(member.key)",
                                "add it to partners.json or fix the id")
                        }
                        config.mandates[role] = Set(ids)
                    }
                }
                if let c = root["calendar"]?.objectValue {
                    let cr = ObjectReader(object: c, path: "$.calendar", allowed: ["extraNonWorkingDays"], report: sink)
                    cr.checkUnknownKeys()
                    var extra: [LocalDate: String] = [:]
                    for (i, item) in (cr.array("extraNonWorkingDays", required: false) ?? []).enumerated() {
                        let p = "$.calendar.extraNonWorkingDays[\(i)]"
                        guard let text = item["date"]?.stringValue, let date = LocalDate.parse(text) else {
                            sink.add(
                                p, nil, "needs a \"date\" as YYYY-MM-DD",
                                "e.g. {\"date\": \"2026-12-24\", \"reason\": \"collectieve vrije dag\"}")
                            continue
                        }
                        extra[date] = item["reason"]?.stringValue ?? "extra vrije dag"
                    }
                    config.calendar = DutchCalendar(extraDays: extra)
                }
            }
            problems += sink.problems
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return config
    }

    private static func parseObject(_ bytes: [UInt8], _ file: String, _ problems: inout [ValidationProblem])
        -> JSONObject?
    {
        do {
            guard let o = try JSONParser.parse(bytes).objectValue else {
                problems.append(ValidationProblem(file: file, path: "$", message: "must be a JSON object"))
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
