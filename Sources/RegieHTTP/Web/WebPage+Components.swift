import RegieCore

/// The components the workspace's pages are built of, modelled on the NL Design System's: table, status badge,
/// breadcrumb, pagination, select, text area, step indicator and the main navigation.
extension WebPage {
    /// A link of the main navigation.
    struct NavLink {
        let href: String
        let label: String
    }

    /// A table with a caption; `rows` are already markup (escaped where text was put in).
    static func table(caption: String, headers: [String], rows: [[Markup]], empty: String) -> Markup {
        guard !rows.isEmpty else { return paragraph(empty) }
        let head = headers.map { "<th scope=\"col\">\($0.htmlEscaped)</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0.html)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return Markup(
            """
            <div class="regie-table-wrap"><table class="utrecht-table">
            <caption class="utrecht-table__caption">\(caption.htmlEscaped)</caption>
            <thead><tr>\(head)</tr></thead>
            <tbody>
            \(body)
            </tbody></table></div>
            """)
    }

    /// A status badge: `overdue` (red), `soon` (amber), `later`, `info` or `ok`.
    static func badge(_ text: String, _ kind: String) -> Markup {
        Markup("<span class=\"utrecht-badge-status utrecht-badge-status--\(kind)\">\(text.htmlEscaped)</span>")
    }

    /// A deadline as people read it, coloured by its urgency.
    static func deadline(_ reading: DeadlineReading) -> Markup {
        let prefix =
            switch reading.urgency {
            case .overdue: "Verlopen: "
            case .soon: "Bijna: "
            case .later: ""
            }
        return badge(prefix + reading.text, reading.urgency.rawValue)
    }

    static func breadcrumb(_ trail: [(href: String, label: String)]) -> Markup {
        let items = trail.map { "<li><a href=\"\($0.href.htmlEscaped)\">\($0.label.htmlEscaped)</a></li>" }
        return Markup(
            "<nav class=\"utrecht-breadcrumb\" aria-label=\"Kruimelpad\"><ol>\(items.joined())</ol></nav>")
    }

    /// Links to the pages of a list; `link(n)` is the address of page n.
    static func pagination(page: Int, pages: Int, link: (Int) -> String) -> Markup {
        guard pages > 1 else { return Markup("") }
        var items: [String] = []
        if page > 1 {
            items.append("<li><a href=\"\(link(page - 1).htmlEscaped)\" rel=\"prev\">Vorige</a></li>")
        }
        for n in 1...pages where n == 1 || n == pages || abs(n - page) <= 2 {
            items.append(
                n == page
                    ? "<li><a href=\"\(link(n).htmlEscaped)\" aria-current=\"page\">\(n)</a></li>"
                    : "<li><a href=\"\(link(n).htmlEscaped)\">\(n)</a></li>")
        }
        if page < pages {
            items.append("<li><a href=\"\(link(page + 1).htmlEscaped)\" rel=\"next\">Volgende</a></li>")
        }
        return Markup(
            "<nav class=\"utrecht-pagination\" aria-label=\"Paginering\"><ol>\(items.joined())</ol></nav>")
    }

    /// A choice from fixed values, with its label, hint and error.
    static func select(
        name: String, label: String, options: [(value: String, label: String)], selected: String? = nil,
        hint: String? = nil, error: String? = nil, required: Bool = false
    ) -> Markup {
        let opts = options.map { o in
            "<option value=\"\(o.value.htmlEscaped)\"\(o.value == selected ? " selected" : "")>\(o.label.htmlEscaped)</option>"
        }
        return wrapped(
            name: name, label: label, hint: hint, error: error,
            control:
                "<select class=\"utrecht-select\" id=\"\(name)\" name=\"\(name)\"\(described(name, hint, error))\(required ? " required" : "")>\(opts.joined())</select>"
        )
    }

    /// Free text over several lines.
    static func textarea(
        name: String, label: String, value: String = "", hint: String? = nil, error: String? = nil,
        required: Bool = false
    ) -> Markup {
        wrapped(
            name: name, label: label, hint: hint, error: error,
            control:
                "<textarea class=\"utrecht-textarea\" id=\"\(name)\" name=\"\(name)\" rows=\"3\"\(described(name, hint, error))\(required ? " required" : "")>\(value.htmlEscaped)</textarea>"
        )
    }

    private static func described(_ name: String, _ hint: String?, _ error: String?) -> String {
        let ids = [hint.map { _ in "\(name)-hint" }, error.map { _ in "\(name)-error" }].compactMap { $0 }
        return (ids.isEmpty ? "" : " aria-describedby=\"\(ids.joined(separator: " "))\"")
            + (error == nil ? "" : " aria-invalid=\"true\"")
    }

    private static func wrapped(name: String, label: String, hint: String?, error: String?, control: String) -> Markup {
        Markup(
            """
            <div class="utrecht-form-field\(error == nil ? "" : " utrecht-form-field--invalid")">
            <label class="utrecht-form-label" for="\(name)">\(label.htmlEscaped)</label>
            \(hint.map { "<p class=\"utrecht-form-field-description\" id=\"\(name)-hint\">\($0.htmlEscaped)</p>" } ?? "")\
            \(error.map { "<p class=\"utrecht-form-field-error\" id=\"\(name)-error\">\($0.htmlEscaped)</p>" } ?? "")
            \(control)
            </div>
            """)
    }

    /// The states of a workflow in order, the current one marked (`aria-current="step"`).
    static func steps(_ states: [(name: String, label: String)], current: String, closed: Bool) -> Markup {
        var passed = true
        let items = states.map { s -> String in
            if s.name == current {
                passed = false
                return
                    "<li class=\"regie-step regie-step--current\" aria-current=\"step\"><span class=\"regie-visually-hidden\">Huidige stap: </span>\(s.label.htmlEscaped)</li>"
            }
            let kind = passed ? "done" : "todo"
            return "<li class=\"regie-step regie-step--\(kind)\">\(s.label.htmlEscaped)</li>"
        }
        return Markup(
            "<ol class=\"regie-steps\" aria-label=\"Stappen van de werkwijze\(closed ? " (afgerond)" : "")\">\(items.joined())</ol>"
        )
    }

    /// A list of facts: term and value (values already markup).
    static func facts(_ pairs: [(String, Markup)]) -> Markup {
        Markup(
            "<dl class=\"regie-facts\">"
                + pairs.map { "<dt>\($0.0.htmlEscaped)</dt><dd>\($0.1.html)</dd>" }.joined() + "</dl>")
    }

    static func link(_ href: String, _ text: String) -> Markup {
        Markup("<a href=\"\(href.htmlEscaped)\">\(text.htmlEscaped)</a>")
    }
}
