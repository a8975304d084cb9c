internal import RegieCore

/// Charts drawn by Regie as SVG, without script: a line for flows over time, bars for levels and outcomes. Each has a
/// title and a description for assistive technology; the page puts a table with the same numbers beside it. A
/// number that is not shown ("< 5", "x") is not drawn: the line has a gap there, the bar is an outline marked "x".
enum MonitorChart {
    static let width = 640.0
    static let height = 260.0
    static let left = 48.0
    static let right = 16.0
    static let top = 16.0
    static let bottom = 48.0

    /// A line per series over the periods.
    static func line(id: String, title: String, periods: [String], series: [(name: String, values: [Int?])])
        -> Markup
    {
        let maximum = niceMaximum(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ i: Int) -> Double {
            left + (periods.count <= 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(periods.count - 1))
        }
        func y(_ v: Int) -> Double { top + plotHeight * (1 - Double(v) / Double(maximum)) }
        var svg = axes(maximum: maximum, plotWidth: plotWidth, plotHeight: plotHeight)
        let step = max(1, (periods.count + 11) / 12)
        for (i, p) in periods.enumerated() where i % step == 0 || i == periods.count - 1 {
            let anchor =
                periods.count > 1 && i == periods.count - 1 ? "end" : i == 0 && periods.count > 1 ? "start" : "middle"
            svg +=
                "<text class=\"regie-chart-label\" x=\(q(x(i))) y=\(q(height - bottom + 18)) text-anchor=\"\(anchor)\">\(p.htmlEscaped)</text>"
        }
        for (s, line) in series.enumerated() {
            // A run of shown points is one path; a hidden number breaks it.
            var runs: [[(Double, Double)]] = [[]]
            for (i, v) in line.values.enumerated() {
                if let v {
                    runs[runs.count - 1].append((x(i), y(v)))
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs where !run.isEmpty {
                let d = run.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f($0.element.0)) \(f($0.element.1))" }
                    .joined(separator: " ")
                svg += "<path class=\"regie-chart-line regie-chart-series-\(s)\" d=\"\(d)\"/>"
                for (px, py) in run {
                    svg += "<circle class=\"regie-chart-dot regie-chart-series-\(s)\" cx=\(q(px)) cy=\(q(py)) r=\"3\"/>"
                }
            }
            let lx = left + 8 + Double(s) * 180
            svg +=
                "<rect class=\"regie-chart-key regie-chart-series-\(s)\" x=\(q(lx)) y=\(q(height - 16)) width=\"14\" height=\"4\"/>"
                + "<text class=\"regie-chart-label\" x=\(q(lx + 20)) y=\(q(height - 11))>\(line.name.htmlEscaped)</text>"
        }
        let description = series.map { s in
            s.name + ": "
                + zip(periods, s.values).map { "\($0.0) \($0.1.map(String.init) ?? "niet getoond")" }
                .joined(separator: ", ")
        }.joined(separator: "; ")
        return figure(id: id, title: title, description: description, svg: svg)
    }

    /// A bar per item; a bar whose number is not shown is an outline marked "x".
    static func bars(id: String, title: String, items: [(label: String, value: Int?)], hidden: String) -> Markup {
        let maximum = niceMaximum(items.compactMap(\.value).max() ?? 0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        var svg = axes(maximum: maximum, plotWidth: plotWidth, plotHeight: plotHeight)
        let slot = plotWidth / Double(max(items.count, 1))
        let barWidth = min(56, slot * 0.7)
        for (i, item) in items.enumerated() {
            let cx = left + slot * (Double(i) + 0.5)
            if let v = item.value {
                let h = plotHeight * Double(v) / Double(maximum)
                svg +=
                    "<rect class=\"regie-chart-bar\" x=\(q(cx - barWidth / 2)) y=\(q(top + plotHeight - h)) width=\(q(barWidth)) height=\(q(h))/>"
                    + "<text class=\"regie-chart-label\" x=\(q(cx)) y=\(q(top + plotHeight - h - 4)) text-anchor=\"middle\">\(v)</text>"
            } else {
                svg +=
                    "<rect class=\"regie-chart-bar-hidden\" x=\(q(cx - barWidth / 2)) y=\(q(top + plotHeight - 24)) width=\(q(barWidth)) height=\"24\"/>"
                    + "<text class=\"regie-chart-label\" x=\(q(cx)) y=\(q(top + plotHeight - 8)) text-anchor=\"middle\">\(hidden.htmlEscaped)</text>"
            }
            let label = item.label.count > 18 ? String(item.label.prefix(17)) + "…" : item.label
            svg +=
                "<text class=\"regie-chart-label\" x=\(q(cx)) y=\(q(height - bottom + 18)) text-anchor=\"middle\">\(label.htmlEscaped)</text>"
        }
        let description = items.map { "\($0.label): \($0.value.map(String.init) ?? "niet getoond")" }
            .joined(separator: ", ")
        return figure(id: id, title: title, description: description, svg: svg)
    }

    private static func figure(id: String, title: String, description: String, svg: String) -> Markup {
        Markup(
            """
            <figure class="regie-chart"><svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-t \(id)-d" focusable="false">\
            <title id="\(id)-t">\(title.htmlEscaped)</title><desc id="\(id)-d">\(description.htmlEscaped)</desc>\(svg)</svg>\
            <figcaption>\(title.htmlEscaped)</figcaption></figure>
            """)
    }

    private static func axes(maximum: Int, plotWidth: Double, plotHeight: Double) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = maximum * tick / 4
            let y = top + plotHeight * (1 - Double(tick) / 4)
            svg +=
                "<line class=\"regie-chart-grid\" x1=\(q(left)) y1=\(q(y)) x2=\(q(left + plotWidth)) y2=\(q(y))/>"
                + "<text class=\"regie-chart-label\" x=\(q(left - 6)) y=\(q(y + 4)) text-anchor=\"end\">\(value)</text>"
        }
        return svg
    }

    /// The axis's top: 4, 8, 20, 40, 100... above the largest value, so the four grid lines fall on whole numbers.
    static func niceMaximum(_ value: Int) -> Int {
        var unit = 1
        while true {
            for m in [4, 8, 20] where unit * m >= max(value, 1) { return unit * m }
            unit *= 10
        }
    }

    private static func f(_ v: Double) -> String { String(Double(Int(v * 10)) / 10) }
    private static func q(_ v: Double) -> String { "\"\(f(v))\"" }
}
