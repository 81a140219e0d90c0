import Domain
import Foundation

/// Renders the manager's dashboard (the service-levels answer) as inline, accessible SVG bar
/// charts: compliance per priority, tickets at risk and breached now, workload per engineer.
///
/// Why grouped bars with their counts written beside them, as ``CategoryLoadChart`` draws: each
/// bar is read from its text, no colour legend is needed, and the page puts each chart's numbers
/// in a table beside it.
public enum ServiceLevelsChart {
    static let labelWidth = 150.0
    static let barArea = 280.0
    static let valueWidth = 190.0
    static let barHeight = 14.0
    static let groupGap = 12.0

    /// A bar: its count, the words after the count, and a fill reaching 3:1 against white (WCAG 1.4.11).
    struct Bar {
        var count: Int
        var words: String
        var fill: String
    }

    static let good = "#1a4f8a", bad = "#a4262c", warn = "#8a5a00", neutral = "#3d8bd4"

    /// Met and breached timers per priority, all months together (the table gives each month).
    public static func complianceSVG(_ answer: ServiceLevelsAnswer) -> String {
        let totals = complianceTotals(answer)
        return svg(id: "sla-compliance", title: "SLA compliance per priority, all opening months",
                   desc: "For each priority four bars: first responses met and breached, resolutions met and breached, each followed by its count.",
                   groups: Priority.allCases.map { p in
                       let t = totals[p] ?? (SLAOutcomeCounts(), SLAOutcomeCounts())
                       return (p.rawValue, [Bar(count: t.0.met, words: "first responses met", fill: good),
                                            Bar(count: t.0.breached, words: "first responses breached", fill: bad),
                                            Bar(count: t.1.met, words: "resolutions met", fill: good),
                                            Bar(count: t.1.breached, words: "resolutions breached", fill: bad)])
                   })
    }

    /// Not-closed tickets at risk and breached now, per priority.
    public static func currentSVG(_ answer: ServiceLevelsAnswer) -> String {
        svg(id: "sla-current", title: "Tickets at risk and breached now, per priority",
            desc: "For each priority two bars: not-closed tickets at risk and breached, each followed by its count.",
            groups: answer.current.map { s in
                (s.priority.rawValue, [Bar(count: s.atRisk, words: "at risk", fill: warn), Bar(count: s.breached, words: "breached", fill: bad)])
            })
    }

    /// Open, active and breached tickets per engineer.
    public static func workloadSVG(_ answer: ServiceLevelsAnswer, names: [UserID: String]) -> String {
        svg(id: "sla-workload", title: "Workload per engineer",
            desc: "For each engineer three bars: assigned tickets open, active, and breached, each followed by its count.",
            groups: answer.engineers.map { e in
                (engineerName(e.userID, names), [Bar(count: e.open, words: "open", fill: neutral), Bar(count: e.active, words: "active", fill: good),
                                                 Bar(count: e.breached, words: "breached", fill: bad)])
            })
    }

    /// Met and breached timers per priority summed over the months: the compliance chart's numbers.
    static func complianceTotals(_ answer: ServiceLevelsAnswer) -> [Priority: (SLAOutcomeCounts, SLAOutcomeCounts)] {
        var totals: [Priority: (SLAOutcomeCounts, SLAOutcomeCounts)] = [:]
        for row in answer.compliance {
            var t = totals[row.priority] ?? (SLAOutcomeCounts(), SLAOutcomeCounts())
            t.0.met += row.firstResponse.met
            t.0.breached += row.firstResponse.breached
            t.1.met += row.resolution.met
            t.1.breached += row.resolution.breached
            totals[row.priority] = t
        }
        return totals
    }

    /// An engineer's name from the directory, or their account number when not in it (retired).
    static func engineerName(_ id: UserID, _ names: [UserID: String]) -> String { names[id] ?? "Engineer #\(id.rawValue)" }

    private static func svg(id: String, title: String, desc: String, groups: [(label: String, bars: [Bar])]) -> String {
        let width = labelWidth + barArea + valueWidth
        let perGroup = groups.first?.bars.count ?? 1
        let groupHeight = Double(perGroup) * (barHeight + 2) + groupGap
        let height = Double(groups.count) * groupHeight + 8
        let maximum = groups.flatMap { $0.bars.map(\.count) }.max() ?? 0
        let scale = maximum > 0 ? barArea / Double(maximum) : 0
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(ChartText.number(width)) \(ChartText.number(height))" width="\(ChartText.number(width))" height="\(ChartText.number(height))" font-size="13">
            <title id="\(id)-title">\(ChartText.escape(title))</title>
            <desc id="\(id)-desc">\(ChartText.escape(desc))</desc>

            """
        for (i, group) in groups.enumerated() {
            let y0 = 4 + Double(i) * groupHeight
            let name = ChartText.escape(group.label)
            s += "<g>"
            s += "<text x=\"0\" y=\"\(ChartText.number(y0 + barHeight - 2))\" fill=\"currentColor\" font-weight=\"bold\">\(name)</text>"
            for (j, bar) in group.bars.enumerated() {
                let y = y0 + Double(j) * (barHeight + 2)
                let length = ChartText.visibleLength(Double(bar.count) * scale, nonZero: bar.count > 0)
                let text = ChartText.escape("\(bar.count) \(bar.words)")
                s += "<rect x=\"\(ChartText.number(labelWidth))\" y=\"\(ChartText.number(y))\" width=\"\(ChartText.number(length))\" height=\"\(ChartText.number(barHeight))\" fill=\"\(bar.fill)\">"
                s += "<title>\(name): \(text)</title></rect>"
                s += "<text x=\"\(ChartText.number(labelWidth + length + 6))\" y=\"\(ChartText.number(y + barHeight - 2))\" fill=\"currentColor\">\(text)</text>"
            }
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }
}
