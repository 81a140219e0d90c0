import Domain
import SpoolBroker
import HTTPServer
import Foundation

/// Renders the resolution-time answer as an inline, accessible SVG bar chart.
///
/// Why horizontal bars: one row per opening month stays readable for two months or thirty-six,
/// and the month label and the value sit as text beside each bar, so the chart reads without colour.
public enum ResolutionTimeChart {
    /// The unit the bars are measured in, chosen from the data so numbers stay short.
    public enum Unit: String, Sendable, Equatable {
        case hours, days

        /// Days once the longest average reaches two days, hours below that.
        public static func choose(forMaximumSeconds seconds: Double) -> Unit {
            seconds >= 2 * 86_400 ? .days : .hours
        }

        public var seconds: Double { self == .days ? 86_400 : 3_600 }
    }

    static let rowHeight = 24.0
    static let labelWidth = 72.0
    static let barArea = 340.0
    static let valueWidth = 150.0
    static let top = 8.0

    /// An `<svg>` element (no XML prolog) ready to be placed in the dashboard page.
    public static func svg(_ answer: ResolutionTimeAnswer) -> String {
        let width = labelWidth + barArea + valueWidth
        let title = "Average resolution time by opening month"
        guard let maximum = answer.months.map(\.averageSeconds).filter(\.isFinite).max() else {
            return """
                <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-resolution-title" viewBox="0 0 \(ChartText.number(width)) 40" width="\(ChartText.number(width))" height="40">
                <title id="chart-resolution-title">\(title): no closed tickets yet</title>
                <text x="0" y="24" fill="currentColor">No closed tickets yet</text>
                </svg>
                """
        }
        let unit = Unit.choose(forMaximumSeconds: maximum)
        let scale = maximum > 0 ? barArea / (maximum / unit.seconds) : 0
        let height = top + Double(answer.months.count) * rowHeight + 8
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-resolution-title chart-resolution-desc" viewBox="0 0 \(ChartText.number(width)) \(ChartText.number(height))" width="\(ChartText.number(width))" height="\(ChartText.number(height))" font-size="13">
            <title id="chart-resolution-title">\(title), in \(unit.rawValue)</title>
            <desc id="chart-resolution-desc">One bar per month in which tickets were opened; bar length is the average time from opening to closing, in \(unit.rawValue), followed by the number of closed tickets behind it.</desc>

            """
        for (i, month) in answer.months.enumerated() {
            let y = top + Double(i) * rowHeight
            let value = month.averageSeconds / unit.seconds
            let length = ChartText.visibleLength(max(0, value * scale), nonZero: value > 0)
            let label = ChartText.escape(month.month)
            let valueText = "\(ChartText.decimal(value)) \(unit.rawValue) (\(month.closed) closed)"
            s += "<g>"
            s += "<text x=\"0\" y=\"\(ChartText.number(y + 16))\" fill=\"currentColor\">\(label)</text>"
            s += "<rect x=\"\(ChartText.number(labelWidth))\" y=\"\(ChartText.number(y + 4))\" width=\"\(ChartText.number(length))\" height=\"16\" fill=\"#2b6cb0\">"
            s += "<title>\(label): \(ChartText.escape(valueText))</title></rect>"
            s += "<text x=\"\(ChartText.number(labelWidth + length + 6))\" y=\"\(ChartText.number(y + 16))\" fill=\"currentColor\">\(ChartText.escape(valueText))</text>"
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }
}
