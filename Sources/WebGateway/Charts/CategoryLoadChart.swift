import Domain
import SpoolBroker
import HTTPServer
import Foundation

/// Renders the category-load answer as an inline, accessible SVG bar chart.
///
/// Why three bars per category: active load is the point (drawn first, darkest), and open and
/// closed beside it show what is waiting and what was done; each bar carries its count as text,
/// so no colour legend is needed to read it.
public enum CategoryLoadChart {
    static let labelWidth = 150.0
    static let barArea = 300.0
    static let valueWidth = 110.0
    static let barHeight = 14.0
    static let groupGap = 12.0

    /// Each fill reaches 3:1 against white (WCAG 1.4.11), so every bar is seen, not just read.
    static let series: [(status: Status, word: String, fill: String)] = [
        (.active, "active", "#1a4f8a"),
        (.open, "open", "#3d8bd4"),
        (.closed, "closed", "#6b7787"),
    ]

    /// The label shown for a category.
    public static func label(_ category: Domain.Category) -> String {
        switch category {
        case .facility: "Facility"
        case .it: "IT"
        case .services: "Services"
        }
    }

    /// An `<svg>` element (no XML prolog) ready to be placed in the dashboard page.
    public static func svg(_ answer: CategoryLoadAnswer) -> String {
        let width = labelWidth + barArea + valueWidth
        let groupHeight = Double(series.count) * (barHeight + 2) + groupGap
        let height = Double(answer.categories.count) * groupHeight + 8
        let maximum = answer.categories.flatMap { [$0.active, $0.open, $0.closed] }.max() ?? 0
        let scale = maximum > 0 ? barArea / Double(maximum) : 0
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-load-title chart-load-desc" viewBox="0 0 \(ChartText.number(width)) \(ChartText.number(height))" width="\(ChartText.number(width))" height="\(ChartText.number(height))" font-size="13">
            <title id="chart-load-title">Active tickets per category, with open and closed</title>
            <desc id="chart-load-desc">For each category three bars: active, open and closed tickets, each followed by its count.</desc>

            """
        for (i, load) in answer.categories.enumerated() {
            let y0 = 4 + Double(i) * groupHeight
            let name = ChartText.escape(label(load.category))
            s += "<g>"
            s += "<text x=\"0\" y=\"\(ChartText.number(y0 + barHeight - 2))\" fill=\"currentColor\" font-weight=\"bold\">\(name)</text>"
            for (j, entry) in series.enumerated() {
                let n = count(load, entry.status)
                let y = y0 + Double(j) * (barHeight + 2)
                let length = ChartText.visibleLength(Double(n) * scale, nonZero: n > 0)
                let text = "\(n) \(entry.word)"
                s += "<rect x=\"\(ChartText.number(labelWidth))\" y=\"\(ChartText.number(y))\" width=\"\(ChartText.number(length))\" height=\"\(ChartText.number(barHeight))\" fill=\"\(entry.fill)\">"
                s += "<title>\(name): \(text)</title></rect>"
                s += "<text x=\"\(ChartText.number(labelWidth + length + 6))\" y=\"\(ChartText.number(y + barHeight - 2))\" fill=\"currentColor\">\(text)</text>"
            }
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }

    private static func count(_ load: CategoryLoad, _ status: Status) -> Int {
        switch status {
        case .open: load.open
        case .active: load.active
        case .closed: load.closed
        }
    }
}
