import Foundation
import CampusDeskCore

/// The dashboard's CSV downloads (RFC 4180: CRLF line ends, a header row).
///
/// Stand-in until the analytics branch lands `Charts/AnalyticsCSV`; then the CSV routes call that
/// and this file goes. Only numbers, fixed words and `YYYY-MM` appear, so no field needs quoting.
enum DashboardCSV {
    static func openTickets(_ a: OpenTicketsAnswer) -> String {
        "hours,since,count\r\n\(a.hours),\(a.since.iso8601),\(a.count)\r\n"
    }

    static func resolutionTime(_ a: ResolutionTimeAnswer) -> String {
        var s = "month,closed,average_seconds\r\n"
        for m in a.months { s += "\(csvSafe(m.month)),\(m.closed),\(m.averageSeconds)\r\n" }
        return s
    }

    static func categoryLoad(_ a: CategoryLoadAnswer) -> String {
        var s = "category,open,active,closed\r\n"
        for c in a.categories { s += "\(c.category.rawValue),\(c.open),\(c.active),\(c.closed)\r\n" }
        return s
    }

    /// Quotes a field that contains a comma, quote or line break, or starts a spreadsheet formula.
    static func csvSafe(_ field: String) -> String {
        var f = field
        if let first = f.first, "=+-@".contains(first) { f = "'" + f }
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
