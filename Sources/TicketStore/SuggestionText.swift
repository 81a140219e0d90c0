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
        out.append(String(confidence))
        for w in words where !w.isEmpty && !w.contains(where: \.isWhitespace) {
            out.append(" ")
            out.append(w)
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
