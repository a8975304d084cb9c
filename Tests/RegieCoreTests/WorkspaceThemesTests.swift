import Foundation
import Testing

@testable import RegieCore

/// The workspace's colours: the shipped file loads, and a colour people could not read is refused with its reason.
@Suite struct WorkspaceThemesTests {
    static let partners: Set<String> = ["gemeente-haarlem", "gemeente-velsen"]

    @Test func theShippedThemesLoadAndReachTheContrastTheLawAsks() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/theme.json")
        let themes = try WorkspaceThemes.load(
            Array(try Data(contentsOf: file)), file: "theme.json",
            partners: Self.partners.union(["gemeente-haarlemmermeer"]))
        #expect(themes.has("gemeente-haarlem") && !themes.has("ggz-aanbieder"))
        let css = themes.css(for: "gemeente-haarlem")
        #expect(css.contains("--regie-color-primary: #a5121c;") && css.hasPrefix(":root {"))
        #expect(themes.css(for: nil).contains("--regie-color-primary: #154273;"))
        // WCAG's own examples: black on white is 21:1, #767676 on white just passes 4.5:1.
        #expect(abs(WorkspaceThemes.contrast((0, 0, 0), (255, 255, 255)) - 21) < 0.01)
        #expect(WorkspaceThemes.contrast((0x76, 0x76, 0x76), (255, 255, 255)) >= 4.5)
    }

    @Test func badThemesAreRefusedWithWhereAndWhy() {
        let text = """
            {"region": {"color-primary": "#ffbf47", "colour-primary": "#000000"},
             "partners": {"gemeente-haarlme": {"color-primary": "blue"}}}
            """
        do {
            _ = try WorkspaceThemes.load(Array(text.utf8), file: "theme.json", partners: Self.partners)
            Issue.record("accepted")
        } catch {
            let paths = error.problems.map(\.path)
            #expect(
                paths == [
                    "$.region.color-primary", "$.region.colour-primary", "$.partners.gemeente-haarlme",
                    "$.partners.gemeente-haarlme.color-primary",
                ])
            #expect(
                error.problems[0].message.contains("contrast of 1.")
                    && error.problems[0].fix == "choose a darker colour")
        }
    }
}
