import Domain
import SQLiteKit

/// The `tickets.suggestion` column: two lines, `<category> <confidence> <words…>` and
/// `<severity> <confidence> <words…>`.
///
/// Why not JSON: every report stores one, and `JSONEncoder` cost more per report than the model's
/// suggestion itself (`campusdesk-bench worker --compare-triage`). The words are the normaliser's
/// tokens (letters and digits), so spaces and newlines never occur inside one.
enum SuggestionText {
    static func encode(_ s: TriageSuggestion) -> String {
        var out = ""
        out.reserveCapacity(96)
        line(s.category.value.rawValue, s.category.confidence, s.category.words, into: &out)
        out.append("\n")
        line(s.severity.value.rawValue, s.severity.confidence, s.severity.words, into: &out)
        return out
    }

    private static func line(_ value: String, _ confidence: Double, _ words: [String], into out: inout String) {
        out.append(value)
        out.append(" ")
        appendConfidence(confidence, to: &out)
        // Bytes, not Characters: a grapheme walk over every word cost more than the rest of the line.
        for w in words where !w.isEmpty && !w.utf8.contains(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            out.append(" ")
            out.append(w)
        }
    }

    /// `confidence` (0...1) with four decimals, "0.9375": the page shows whole percents, and
    /// `String(Double)` (shortest round-trip digits) cost a tenth of a suggestion per report.
    static func appendConfidence(_ confidence: Double, to out: inout String) {
        let n = Int((min(max(confidence.isNaN ? 0 : confidence, 0), 1) * 10_000).rounded())
        guard n < 10_000 else { out.append("1"); return }
        out.append("0.")
        var divisor = 1_000
        while divisor > 0 {
            out.unicodeScalars.append(Unicode.Scalar(UInt8(48 + n / divisor % 10)))
            divisor /= 10
        }
    }

    /// The ticket's kept suggestion (writer and reader alike); nil without one.
    static func load(_ db: Connection, ticket: TicketID) throws -> TriageSuggestion? {
        let text = try db.cachedStatement("SELECT suggestion FROM tickets WHERE id = ?").queryFirst([.integer(ticket.rawValue)]) { $0.optionalText(at: 0) } ?? nil
        return text.flatMap(decode)
    }

    /// Nil for text this code did not write (a column from a future version, say): no suggestion shown.
    static func decode(_ text: String) -> TriageSuggestion? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 2 else { return nil }
        func parts(_ line: Substring) -> (String, Double, [String])? {
            let p = line.split(separator: " ")
            guard p.count >= 2, let c = Double(p[1]), (0...1).contains(c) else { return nil }
            return (String(p[0]), c, p.dropFirst(2).map(String.init))
        }
        guard let (cv, cc, cw) = parts(lines[0]), let category = Category(rawValue: cv),
              let (sv, sc, sw) = parts(lines[1]), let severity = Severity(rawValue: sv) else { return nil }
        return TriageSuggestion(category: Suggested(value: category, confidence: cc, words: cw),
                                severity: Suggested(value: severity, confidence: sc, words: sw))
    }
}
