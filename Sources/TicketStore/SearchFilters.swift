import SQLiteKit

/// What `tickets_fts.filters` holds for a ticket (migration 22) and how a search with a category
/// filter asks for it: the category and priority rank as words, and one **compound token** per
/// word of the ticket's text that joins its category and the word (`cfacilityxprojector`).
///
/// Why compounds (issue 22, finding 11): `q=projector&category=facility` as the text's postings
/// ANDed with the category word's made FTS5 merge both lists, which grows with the data (28 ms of
/// gateway CPU at 1,000,000 tickets); the compound's postings are exactly the tickets of that
/// category holding that word, one short list read newest first that stops at the page.
///
/// The form `c` + category + `x` + token is unambiguous: categories are letters without an "x", so
/// the first "x" after the "c" ends the category, and the result holds only letters and digits, so
/// FTS5's `unicode61` tokenizer keeps it one token and folds it as it folds the token alone. No
/// compound begins like the filter words (`category...`, `priority...`). Tokens are the pieces FTS5
/// cuts each indexed word into (``SearchText/isTokenScalar(_:)``), once each per ticket.
///
/// One Swift function (``functionName``) gives the column's text to the migration, the triggers,
/// the replica and the background pass alike, so a contentless entry's 'delete' always repeats
/// exactly what was inserted; changing its output needs a migration that rebuilds the index.
public enum SearchFilters {
    /// The SQL function `(category, priority_rank, description, location, reporter)` → the text of
    /// `tickets_fts.filters`, registered by ``SearchText/register(on:)``.
    public static let functionName = "campusdesk_search_filters"

    /// The text of `filters` for a ticket: `category<C> priority<R>` and its compound tokens.
    public static func indexed(category: String, priorityRank: String, texts: [String?]) -> String {
        var out = "category" + category + " priority" + priorityRank
        let prefix = compoundPrefix(category)
        var seen = Set<Substring>()
        for text in texts {
            guard let text else { continue }
            for word in SearchText.indexed(text).split(separator: " ") {
                for token in word.unicodeScalars.split(whereSeparator: { !SearchText.isTokenScalar($0) }) {
                    let token = Substring(token)
                    guard seen.insert(token).inserted else { continue }
                    out += " " + prefix + token
                }
            }
        }
        return out
    }

    /// What every compound token of `category` begins with (`cfacilityx`).
    static func compoundPrefix(_ category: String) -> String { "c" + category + "x" }

    /// ``indexed(category:priorityRank:texts:)`` as an SQL function's body (NULL text is no text).
    static func sqlBody(_ arguments: [String?]) -> String {
        guard arguments.count == 5 else { return "" }
        return indexed(category: arguments[0] ?? "", priorityRank: arguments[1] ?? "", texts: Array(arguments[2...]))
    }

    /// The text's MATCH expression (``FullTextQuery``) for tickets of `category` only, on their
    /// compound tokens: each quoted word `"w"` becomes `"cCxw"` (its `*`, `AND`, `OR` and brackets
    /// stay), to be asked of the `filters` column. A ticket holds a compound exactly when it is of
    /// that category and its text holds the word, so the matches are the same as the text's within
    /// the category. Nil when a word holds a scalar FTS5 cuts a token at (the word is a phrase of
    /// several tokens, which compounds do not keep in order): then the caller asks the text columns
    /// and the category word as before.
    static func compoundExpression(_ expression: String, category: String) -> String? {
        let prefix = compoundPrefix(category)
        let scalars = Array(expression.unicodeScalars)
        var out = ""
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "\"" else { out.unicodeScalars.append(scalars[i]); i += 1; continue }
            // A quoted word, up to the closing quote. Words hold only letters and digits, so a doubled
            // quote (FTS5's escape for a quote inside) never comes; when it does, refuse.
            guard let close = scalars[(i + 1)...].firstIndex(of: "\""), close + 1 == scalars.count || scalars[close + 1] != "\"" else { return nil }
            let word = scalars[(i + 1)..<close]
            guard !word.isEmpty, word.allSatisfy(SearchText.isTokenScalar) else { return nil }
            out += "\"" + prefix
            out.unicodeScalars.append(contentsOf: word)
            out += "\""
            i = close + 1
        }
        return out
    }
}
