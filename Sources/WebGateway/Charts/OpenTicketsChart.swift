import Domain
import HTTPServer

/// Renders the open-tickets answer as an inline, accessible SVG: not-closed tickets by opening
/// hour or day, stacked by category, on a time axis from `since` to `until`.
///
/// Why a time axis rather than one bar per listed slot: the answer lists only slots that hold a
/// ticket, so bars placed by their time keep the gaps visible (a quiet night reads as a gap).
/// The table beside it lists the same numbers and is the accessible equivalent; the SVG's
/// title and description state the total and the busiest slot in words.
public enum OpenTicketsChart {
    static let width = 560.0
    static let plotLeft = 44.0
    static let plotRight = 12.0
    static let plotTop = 28.0
    static let plotHeight = 150.0
    static let axisHeight = 40.0

    /// Bottom to top in each stack; colours reach 3:1 against white (WCAG 1.4.11).
    static let series: [(category: Domain.Category, fill: String)] = [
        (.facility, "#2b6cb0"),
        (.it, "#c05621"),
        (.services, "#2f855a"),
    ]

    /// The label of a slot: `5 Jan 2026, 10:00 CET` for an hour, `5 Jan 2026` for a day.
    public static func slotLabel(_ start: Timestamp, by: TimeBucket, time: CampusTime) -> String {
        let text = time.text(start)
        guard by == .day, let comma = text.firstIndex(of: ",") else { return text }
        return String(text[..<comma])
    }

    /// An `<svg>` element (no XML prolog) ready to be placed in the dashboard page; nil when no
    /// ticket of the period is still open (the page says so in words instead).
    public static func svg(_ answer: OpenTicketsAnswer, time: CampusTime) -> String? {
        guard answer.count > 0, let busiest = answer.buckets.max(by: { $0.counts.total < $1.counts.total }) else { return nil }
        let unit = answer.by == .hour ? "hour" : "day"
        let maximum = Double(busiest.counts.total)
        let plotWidth = width - plotLeft - plotRight
        let height = plotTop + plotHeight + axisHeight
        let since = Double(answer.since.millisecondsSinceEpoch)
        let span = max(1, Double(answer.until.millisecondsSinceEpoch) - since)
        let slotMs = answer.by == .hour ? 3_600_000.0 : 86_400_000.0
        func x(_ ms: Double) -> Double { plotLeft + min(max(0, (ms - since) / span), 1) * plotWidth }
        let categories = series.map { "\(CategoryLoadChart.label($0.category)) \(total(answer, $0.category))" }.joined(separator: ", ")
        let busiestText = ChartText.escape(slotLabel(busiest.start, by: answer.by, time: time))
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-open-title chart-open-desc" viewBox="0 0 \(ChartText.number(width)) \(ChartText.number(height))" width="\(ChartText.number(width))" height="\(ChartText.number(height))" font-size="13">
            <title id="chart-open-title">Not-closed tickets by opening \(unit), stacked by category</title>
            <desc id="chart-open-desc">\(answer.count) tickets opened in the period are not closed: \(categories). The busiest \(unit), \(busiestText), has \(busiest.counts.total).</desc>

            """
        var legendX = plotLeft
        for entry in series {
            let name = CategoryLoadChart.label(entry.category)
            s += "<rect x=\"\(ChartText.number(legendX))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(entry.fill)\"/>"
            s += "<text x=\"\(ChartText.number(legendX + 16))\" y=\"16\" fill=\"currentColor\">\(name)</text>"
            legendX += 16 + Double(name.count) * 8 + 20
        }
        s += "\n<line x1=\"\(ChartText.number(plotLeft))\" y1=\"\(ChartText.number(plotTop + plotHeight))\" x2=\"\(ChartText.number(width - plotRight))\" y2=\"\(ChartText.number(plotTop + plotHeight))\" stroke=\"currentColor\"/>"
        s += "<text x=\"\(ChartText.number(plotLeft - 6))\" y=\"\(ChartText.number(plotTop + 10))\" text-anchor=\"end\" fill=\"currentColor\">\(busiest.counts.total)</text>"
        s += "<text x=\"\(ChartText.number(plotLeft - 6))\" y=\"\(ChartText.number(plotTop + plotHeight))\" text-anchor=\"end\" fill=\"currentColor\">0</text>\n"
        for bucket in answer.buckets {
            let start = Double(bucket.start.millisecondsSinceEpoch)
            let x0 = x(start), x1 = x(start + slotMs)
            let barWidth = max(1.5, x1 - x0 - (x1 - x0 > 4 ? 1 : 0))
            let left = min(x0, width - plotRight - barWidth)
            let label = ChartText.escape(slotLabel(bucket.start, by: answer.by, time: time))
            var y = plotTop + plotHeight
            s += "<g>"
            for entry in series {
                let n = bucket.counts[entry.category]
                guard n > 0 else { continue }
                let h = ChartText.visibleLength(Double(n) / maximum * plotHeight, nonZero: true, minimum: 2)
                y -= h
                s += "<rect x=\"\(ChartText.number(left))\" y=\"\(ChartText.number(y))\" width=\"\(ChartText.number(barWidth))\" height=\"\(ChartText.number(h))\" fill=\"\(entry.fill)\">"
                s += "<title>\(label): \(n) \(CategoryLoadChart.label(entry.category))</title></rect>"
            }
            s += "</g>\n"
        }
        let axisY = plotTop + plotHeight + 16
        s += "<text x=\"\(ChartText.number(plotLeft))\" y=\"\(ChartText.number(axisY))\" fill=\"currentColor\">\(ChartText.escape(time.text(answer.since)))</text>"
        s += "<text x=\"\(ChartText.number(width - plotRight))\" y=\"\(ChartText.number(axisY + 16))\" text-anchor=\"end\" fill=\"currentColor\">\(ChartText.escape(time.text(answer.until)))</text>\n"
        s += "</svg>"
        return s
    }

    /// The period's not-closed tickets of one category (the sum over its slots).
    static func total(_ answer: OpenTicketsAnswer, _ category: Domain.Category) -> Int {
        answer.buckets.reduce(0) { $0 + $1.counts[category] }
    }
}
