internal import Foundation

/// The workspace's look per organisation (`Config/theme.json`): design tokens in the manner of the NL Design System,
/// a default for the region and a theme for each municipality (or other partner) that wants its own colours. Every
/// colour is checked for the contrast WCAG 2.1 AA asks, since the workspace puts white text on it and uses it for
/// links on white.
public struct WorkspaceThemes: Sendable, Equatable {
    /// The tokens a theme may set, and what each is for.
    public static let tokens: [(name: String, purpose: String)] = [
        ("color-primary", "the header, buttons and links"),
        ("color-primary-hover", "a button under the pointer"),
    ]

    /// Token values by token name: the region's default, and by partner id.
    public var region: [String: String]
    public var partners: [String: [String: String]]

    /// No themes: the workspace's own colours.
    public init(region: [String: String] = [:], partners: [String: [String: String]] = [:]) {
        self.region = region
        self.partners = partners
    }

    /// Whether `partner` has a theme of its own.
    public func has(_ partner: String) -> Bool { partners[partner] != nil }

    /// The style sheet of a theme (custom properties only): the region's tokens, then the partner's.
    public func css(for partner: String?) -> String {
        var values = region
        if let partner, let own = partners[partner] { values.merge(own) { _, b in b } }
        let lines = values.sorted { $0.key < $1.key }.map { "  --regie-\($0.key): \($0.value);" }
        return ":root {\n" + lines.joined(separator: "\n") + "\n}\n"
    }

    /// Reads `theme.json`: `{"region": {tokens}, "partners": {"gemeente-haarlem": {tokens}}}`.
    /// - Parameter partners: the region's partner ids, to catch a misspelt one.
    /// - Throws: `ValidationFailure` naming each member that is wrong and what to do.
    public static func load(_ bytes: [UInt8], file: String, partners known: Set<String>) throws(ValidationFailure)
        -> WorkspaceThemes
    {
        var problems: [ValidationProblem] = []
        func problem(_ path: String, _ message: String, _ fix: String) {
            problems.append(ValidationProblem(file: file, path: path, message: message, fix: fix))
        }
        let o = try ValidationFailure.object(of: bytes, file: file)
        func theme(_ v: JSONValue, at path: String) -> [String: String] {
            guard let t = v.objectValue else {
                problem(path, "must be an object of tokens", "e.g. {\"color-primary\": \"#154273\"}")
                return [:]
            }
            var out: [String: String] = [:]
            for m in t.members where m.key != "$comment" {
                let p = "\(path).\(m.key)"
                guard tokens.contains(where: { $0.name == m.key }) else {
                    problem(p, "unknown token \"\(m.key)\"", "use one of \(tokens.map(\.name).joined(separator: ", "))")
                    continue
                }
                guard let text = m.value.stringValue, let rgb = Self.rgb(text) else {
                    problem(p, "must be a colour written #rrggbb", "e.g. \"#154273\"")
                    continue
                }
                let ratio = Self.contrast(rgb, (255, 255, 255))
                guard ratio >= 4.5 else {
                    let shown = (ratio * 100).rounded() / 100
                    problem(
                        p, "\(text) has a contrast of \(shown):1 with white, below the 4.5:1 WCAG 2.1 AA asks for text",
                        "choose a darker colour")
                    continue
                }
                out[m.key] = text.lowercased()
            }
            return out
        }
        var themes = WorkspaceThemes()
        for m in o.members {
            switch m.key {
            case "$comment": break
            case "region": themes.region = theme(m.value, at: "$.region")
            case "partners":
                guard let list = m.value.objectValue else {
                    problem(
                        "$.partners", "must be an object of themes by partner id", "e.g. {\"gemeente-haarlem\": {...}}")
                    continue
                }
                for p in list.members {
                    if !known.contains(p.key) {
                        problem(
                            "$.partners.\(p.key)", "\"\(p.key)\" is not a partner of the region",
                            "use a partner id from partners.json")
                    }
                    themes.partners[p.key] = theme(p.value, at: "$.partners.\(p.key)")
                }
            default: problem("$.\(m.key)", "unknown member \"\(m.key)\"", "use region and partners")
            }
        }
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        return themes
    }

    static func rgb(_ text: String) -> (Int, Int, Int)? {
        let hex = Array(text.utf8)
        guard hex.count == 7, hex[0] == UInt8(ascii: "#"), let n = Int(String(text.dropFirst()), radix: 16) else {
            return nil
        }
        return ((n >> 16) & 255, (n >> 8) & 255, n & 255)
    }

    /// The contrast ratio of two colours (WCAG 2.1's definition of relative luminance).
    public static func contrast(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Double {
        func channel(_ c: Int) -> Double {
            let s = Double(c) / 255
            return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        func luminance(_ c: (Int, Int, Int)) -> Double {
            0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
        }
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }
}
