import Domain
import SpoolBroker
import HTTPServer
import Foundation

/// The dashboard's CSV downloads, one per analytics table.
///
/// Why this care: RFC 4180 (CRLF line ends, a header row, fields with `,` `"` CR or LF quoted
/// and inner quotes doubled), and spreadsheet formula injection (OWASP: a text field starting
/// with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`). Only text fields get the prefix;
/// numbers are written by this code and must stay numbers.
public enum AnalyticsCSV {
    /// `opened_from,facility,it,services,total`: one row per slot (hour or day) that holds a
    /// not-closed ticket, the first slot starting at `since`; the header alone when there is none.
    public static func openTickets(_ answer: OpenTicketsAnswer) -> String {
        var s = "opened_from,facility,it,services,total\r\n"
        for bucket in answer.buckets {
            let from = max(bucket.start, answer.since)
            s += field(from.iso8601)
            for category in Domain.Category.allCases { s += ",\(bucket.counts[category])" }
            s += ",\(bucket.counts.total)\r\n"
        }
        return s
    }

    /// `month,closed,average_seconds,average_hours`, one row per month.
    public static func resolutionTime(_ answer: ResolutionTimeAnswer) -> String {
        var s = "month,closed,average_seconds,average_hours\r\n"
        for m in answer.months {
            s += "\(field(m.month)),\(m.closed),\(number(m.averageSeconds)),\(number(m.averageSeconds / 3600))\r\n"
        }
        return s
    }

    /// `category,active,open,closed`, one row per category.
    public static func categoryLoad(_ answer: CategoryLoadAnswer) -> String {
        var s = "category,active,open,closed\r\n"
        for c in answer.categories {
            s += "\(field(c.category.rawValue)),\(c.active),\(c.open),\(c.closed)\r\n"
        }
        return s
    }

    /// `month,priority,first_response_met,first_response_breached,resolution_met,resolution_breached`,
    /// one row per opening month and priority.
    public static func serviceLevelsCompliance(_ answer: ServiceLevelsAnswer) -> String {
        var s = "month,priority,first_response_met,first_response_breached,resolution_met,resolution_breached\r\n"
        for r in answer.compliance {
            s += "\(field(r.month)),\(field(r.priority.rawValue)),\(r.firstResponse.met),\(r.firstResponse.breached),\(r.resolution.met),\(r.resolution.breached)\r\n"
        }
        return s
    }

    /// `priority,at_risk,breached`, one row per priority, as of the answer's instant.
    public static func serviceLevelsCurrent(_ answer: ServiceLevelsAnswer) -> String {
        var s = "priority,at_risk,breached\r\n"
        for r in answer.current { s += "\(field(r.priority.rawValue)),\(r.atRisk),\(r.breached)\r\n" }
        return s
    }

    /// `engineer_id,engineer,open,active,breached,median_age_seconds,median_age_hours`, one row per engineer.
    public static func serviceLevelsWorkload(_ answer: ServiceLevelsAnswer, names: [UserID: String]) -> String {
        var s = "engineer_id,engineer,open,active,breached,median_age_seconds,median_age_hours\r\n"
        for e in answer.engineers {
            s += "\(e.userID.rawValue),\(field(ServiceLevelsChart.engineerName(e.userID, names))),\(e.open),\(e.active),\(e.breached),"
            s += "\(number(e.medianAgeSeconds)),\(number(e.medianAgeSeconds / 3600))\r\n"
        }
        return s
    }

    /// One text field, made formula-safe and quoted when needed.
    public static func field(_ text: String) -> String {
        var f = text
        if let first = f.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { f = "'" + f }
        // Scalars, not Characters: "\r\n" is one Character and would match neither "\r" nor "\n".
        guard f.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number with up to three decimals, no exponent, so every spreadsheet reads it the same way.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
