import RegieCore

/// A page of the workspace: server-rendered HTML in Dutch, without any script, with components modelled on the NL
/// Design System's (form field with label, hint and error; error summary; alert; button). Text is escaped where it
/// is put in; `Markup` is HTML that was.
struct Markup: Sendable {
    let html: String

    init(_ html: String) { self.html = html }

    /// Text, escaped.
    static func text(_ s: String) -> Markup { Markup(s.htmlEscaped) }

    static func + (a: Markup, b: Markup) -> Markup { Markup(a.html + b.html) }

    static func join(_ parts: [Markup]) -> Markup { Markup(parts.map(\.html).joined()) }
}

enum WebPage {
    /// The whole page around `body`.
    /// - Parameter refresh: a path to go on to at once (a `<meta>` refresh: the pages have no script).
    static func page(
        title: String, signedIn: (name: String, organisation: String, csrf: String)? = nil, nav: [NavLink] = [],
        current: String? = nil, theme: String? = nil, refresh: String? = nil, breadcrumb: Markup? = nil,
        _ body: Markup
    ) -> Markup {
        let menu =
            nav.isEmpty
            ? ""
            : "<nav class=\"regie-nav\" aria-label=\"Hoofdmenu\"><ul>"
                + nav.map { l in
                    "<li><a href=\"\(l.href)\"\(l.href == current ? " aria-current=\"page\"" : "")>\(l.label.htmlEscaped)</a></li>"
                }.joined() + "</ul></nav>"
        let account =
            signedIn.map { who in
                """
                <div class="regie-account"><span>\(who.name.htmlEscaped) · \(who.organisation.htmlEscaped)</span>
                <form method="post" action="/uitloggen"><input type="hidden" name="csrf" value="\(who.csrf.htmlEscaped)">\
                <button class="utrecht-button utrecht-button--subtle" type="submit">Uitloggen</button></form></div>
                """
            } ?? ""
        return Markup(
            """
            <!DOCTYPE html>
            <html lang="nl">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(refresh.map { "<meta http-equiv=\"refresh\" content=\"0; url=\($0.htmlEscaped)\">\n" } ?? "")\
            <title>\(title.htmlEscaped) · Regie</title>
            <link rel="stylesheet" href="/static/regie.css">
            \(theme.map { "<link rel=\"stylesheet\" href=\"/static/thema/\($0.htmlEscaped).css\">\n" } ?? "")\
            </head>
            <body>
            <a class="regie-skip" href="#inhoud">Naar de inhoud</a>
            <header class="regie-header"><a class="regie-logo" href="/">Regie</a>\(account)</header>
            \(menu)
            <main id="inhoud" class="regie-main">
            \(breadcrumb?.html ?? "")<h1>\(title.htmlEscaped)</h1>
            \(body.html)
            </main>
            <footer class="regie-footer"><a href="/toegankelijkheid">Toegankelijkheid</a></footer>
            </body>
            </html>
            """)
    }

    /// A form posting to `action`, with the form token every form carries.
    static func form(action: String, csrf: String, _ fields: Markup, submit: String) -> Markup {
        Markup(
            """
            <form method="post" action="\(action.htmlEscaped)" novalidate>
            <input type="hidden" name="csrf" value="\(csrf.htmlEscaped)">
            \(fields.html)
            <button class="utrecht-button utrecht-button--primary" type="submit">\(submit.htmlEscaped)</button>
            </form>
            """)
    }

    /// One field: its label, a hint, the error beside it when there is one.
    static func field(
        name: String, label: String, type: String = "text", value: String = "", hint: String? = nil,
        error: String? = nil, autocomplete: String? = nil, extra: String = ""
    ) -> Markup {
        let described = [hint.map { _ in "\(name)-hint" }, error.map { _ in "\(name)-error" }].compactMap { $0 }
        return Markup(
            """
            <div class="utrecht-form-field\(error == nil ? "" : " utrecht-form-field--invalid")">
            <label class="utrecht-form-label" for="\(name)">\(label.htmlEscaped)</label>
            \(hint.map { "<p class=\"utrecht-form-field-description\" id=\"\(name)-hint\">\($0.htmlEscaped)</p>" } ?? "")\
            \(error.map { "<p class=\"utrecht-form-field-error\" id=\"\(name)-error\">\($0.htmlEscaped)</p>" } ?? "")
            <input class="utrecht-textbox" id="\(name)" name="\(name)" type="\(type)" value="\(value.htmlEscaped)"\
            \(autocomplete.map { " autocomplete=\"\($0)\"" } ?? "")\
            \(described.isEmpty ? "" : " aria-describedby=\"\(described.joined(separator: " "))\"")\
            \(error == nil ? "" : " aria-invalid=\"true\"")\(extra)>
            </div>
            """)
    }

    /// The summary of what is wrong, first on the page, each linking to its field.
    static func errorSummary(_ errors: [(field: String, message: String)]) -> Markup {
        guard !errors.isEmpty else { return Markup("") }
        let items = errors.map { "<li><a href=\"#\($0.field.htmlEscaped)\">\($0.message.htmlEscaped)</a></li>" }
        return Markup(
            """
            <div class="utrecht-alert utrecht-alert--error" role="alert">
            <h2>Er is iets niet goed</h2><ul>\(items.joined())</ul></div>
            """)
    }

    /// A message: `info`, `ok`, `warning` or `error`.
    static func alert(_ kind: String, _ text: String) -> Markup {
        Markup(
            "<div class=\"utrecht-alert utrecht-alert--\(kind)\"\(kind == "error" ? " role=\"alert\"" : " role=\"status\"")><p>\(text.htmlEscaped)</p></div>"
        )
    }

    static func paragraph(_ text: String) -> Markup { Markup("<p>\(text.htmlEscaped)</p>") }
}
