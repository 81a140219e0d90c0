import Foundation

/// Turns what a person typed into the search box into a safe FTS5 MATCH expression.
///
/// User text is never passed to MATCH as is: FTS5 has its own syntax (`AND`, `NEAR`, `col:`,
/// `"`, `*`, `^`), so `foo"` is a syntax error and `description:x OR 1` a different query. Here the
/// text is cut into words the way the `unicode61` tokenizer cuts it (letters and digits), and each
/// word becomes a quoted string with a prefix star: `"wif"*`. The words are ANDed, so "wifi lib"
/// finds tickets with a word starting with "wifi" and one starting with "lib".
public enum FullTextQuery {
    /// At most this many words are searched; more only slows the query without narrowing it usefully.
    public static let maxTerms = 16
    /// Longer words are cut; no real word is longer, and the cap bounds the query size.
    public static let maxTermLength = 64

    /// The MATCH expression, or nil when the text holds no word at all (then there is no text filter).
    public static func expression(for text: String) -> String? {
        var terms: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty, terms.count < maxTerms { terms.append(String(current.prefix(maxTermLength))) }
            current = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber { current.append(ch) } else { flush() }
        }
        flush()
        guard !terms.isEmpty else { return nil }
        // Doubling `"` is FTS5's escape inside a string; words hold none, but the quoting must be total.
        return terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
    }
}
