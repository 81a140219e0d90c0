import Foundation
import Domain

/// Turns what a person typed into the search box into what the list query looks for: a safe FTS5
/// MATCH expression and, when the text is a ticket number, that ticket.
///
/// User text is never passed to MATCH as is: FTS5 has its own syntax (`AND`, `NEAR`, `col:`,
/// `"`, `*`, `^`), so `foo"` is a syntax error and `description:x OR 1` a different query. Here the
/// text is cut into words and normalised as the index was (``SearchText``), and each word becomes a
/// quoted string with a prefix star: `"wif"*`. The words are ANDed, so "wifi lib" finds tickets
/// with a word starting with "wifi" and one starting with "lib".
///
/// **Ticket numbers.** Text that is only a ticket number — `3001`, `#3001`, `ticket 3001` or
/// `ticket #3001`, any case, spaces around — finds that ticket **and** the tickets whose text holds
/// the number as a whole word (`"3001"`, no prefix: a room 3001 is likely what else was meant, a
/// phone number 30015 is not). Both go through the list's other filters and its order like any match.
public enum FullTextQuery {
    /// At most this many words are searched; more only slows the query without narrowing it usefully.
    public static let maxTerms = 16
    /// Longer words are cut; no real word is longer, and the cap bounds the query size.
    public static let maxTermLength = 64
    /// A ticket number has at most this many digits (18 always fit in 64 bits).
    static let maxNumberDigits = 18

    /// The MATCH expression, or nil when the text holds no word at all (then there is no text filter).
    public static func expression(for text: String) -> String? {
        if let number = number(in: text) { return quoted(number.digits) }
        let terms = queryTerms(text)
        guard !terms.isEmpty else { return nil }
        return terms.map { quoted($0) + "*" }.joined(separator: " ")
    }

    /// At most this many whole words stand for one typed word (``expression(for:words:)``): a word
    /// that begins more (a letter or two, the first digits of a number) stays a prefix query.
    public static let maxExpansion = 16

    /// The MATCH expression of ``expression(for:)`` with each typed word made of ASCII letters and
    /// digits replaced by the whole words of the index that begin with it, `words(prefix)` (the
    /// index's vocabulary, `search_words`): `"projector"` for "projector" when that is the only such
    /// word, `("wifi" OR "wifis")` for several, ANDed as before. It finds the same tickets: a ticket
    /// holds a word beginning with the typed one exactly when it holds one of those words.
    ///
    /// Why: FTS5 answers a prefix query (`"projector"*`) by merging the postings of every word with
    /// the prefix into one list in memory before the first row, so its cost grows with how many
    /// tickets match, at any page size (12 ms for a word in one ticket in ten at 1,000,000 tickets,
    /// 150 ms for a word in every ticket); whole words are read lazily, newest first, and stop at the
    /// page (0.1 ms). A word with no whole word, or more than ``maxExpansion``, or with other letters
    /// (which FTS5's tokenizer may cut or fold otherwise than ``SearchText``) stays a prefix query;
    /// `words` returning nil says the same. A ticket number is looked for as before.
    public static func expression(for text: String, words: (String) throws -> [String]?) rethrows -> String? {
        if let number = number(in: text) { return quoted(number.digits) }
        let terms = queryTerms(text)
        guard !terms.isEmpty else { return nil }
        var parts: [String] = []
        for term in terms {
            guard isPlain(term), let whole = try words(term), !whole.isEmpty, whole.count <= maxExpansion else {
                parts.append(quoted(term) + "*")
                continue
            }
            parts.append(whole.count == 1 ? quoted(whole[0]) : "(" + whole.map(quoted).joined(separator: " OR ") + ")")
        }
        return parts.joined(separator: " AND ")
    }

    /// The words a search looks for: normalised, at most ``maxTerms``, each at most ``maxTermLength``.
    static func queryTerms(_ text: String) -> [String] {
        var terms = SearchText.queryWords(text).prefix(maxTerms).map { String($0.prefix(maxTermLength)) }
        terms.removeAll { $0.isEmpty }
        return terms
    }

    /// Only ASCII lower-case letters and digits: one token for FTS5's tokenizer, as the index has it.
    static func isPlain(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    }

    /// The first string past every word that begins with `plain` (an ``isPlain(_:)`` word): its last
    /// byte plus one (`projectos` for `projector`), so `word >= plain AND word < end` is the range.
    static func prefixEnd(_ plain: String) -> String {
        var bytes = Array(plain.utf8)
        bytes[bytes.count - 1] += 1
        return String(decoding: bytes, as: UTF8.self)
    }

    /// At most this many words of a description are looked for in "probably the same problem".
    public static let maxSimilarTerms = 8

    /// "Probably the same problem" (docs/tickets.md, "Me too and merges"): every word of the place,
    /// as whole words in `location`, and any of the description's words of three letters or more
    /// (a prefix, as the search box) in `description`. Nil when either gives no word.
    ///
    /// Why AND for the place and OR for the words: "Building C, lift 2" must be that place, while two
    /// reports of one stuck lift share a word or two ("lift", "stuck"), rarely all of them.
    public static func similarExpression(location: String, text: String) -> String? {
        similarExpression(location: location, text: text) { _ in nil }
    }

    /// ``similarExpression(location:text:)`` with each description word made of ASCII letters and
    /// digits replaced by the whole words of the index that begin with it, `words(prefix)`, as
    /// ``expression(for:words:)`` does for the search box: the same tickets, but FTS5 reads whole
    /// words newest first and stops at the window, where a prefix query merged every ticket holding
    /// such a word into memory first (17 ms at 1,000,000 tickets for "projector", issue 22 finding 12).
    /// A word with no whole word, or more than ``maxExpansion``, stays a prefix query.
    public static func similarExpression(location: String, text: String, words lookup: (String) throws -> [String]?) rethrows -> String? {
        let place = SearchText.queryWords(location).prefix(maxTerms).map { String($0.prefix(maxTermLength)) }.filter { !$0.isEmpty }
        var seen = Set<String>()
        let words = SearchText.queryWords(text).map { String($0.prefix(maxTermLength)) }
            .filter { $0.count >= 3 && seen.insert($0).inserted }.prefix(maxSimilarTerms)
        guard !place.isEmpty, !words.isEmpty else { return nil }
        var alternatives: [String] = []
        for word in words {
            guard isPlain(word), let whole = try lookup(word), !whole.isEmpty, whole.count <= maxExpansion else {
                alternatives.append(quoted(word) + "*")
                continue
            }
            alternatives += whole.map(quoted)
        }
        return "location : (" + place.map { quoted($0) }.joined(separator: " AND ") + ") AND description : ("
            + alternatives.joined(separator: " OR ") + ")"
    }

    /// The ticket the text names when it is only a ticket number (above), else nil.
    public static func ticketNumber(in text: String) -> TicketID? {
        guard let n = number(in: text)?.value, n > 0 else { return nil }
        return TicketID(n)
    }

    /// The digits as typed and their value, when `text` is a ticket number.
    static func number(in text: String) -> (digits: String, value: Int64)? {
        var rest = Substring(text).drop { $0.isWhitespace }
        while rest.last?.isWhitespace == true { rest = rest.dropLast() }
        if rest.count > 6, rest.prefix(6).lowercased() == "ticket" {
            rest = rest.dropFirst(6).drop { $0.isWhitespace }
        }
        if rest.first == "#" { rest = rest.dropFirst().drop { $0.isWhitespace } }
        // ASCII digits only: "３００１" or "٣٠٠١" are not the number a person reads off a ticket.
        guard (1...maxNumberDigits).contains(rest.utf8.count), rest.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let value = Int64(rest) else { return nil }
        return (String(rest), value)
    }

    /// Doubling `"` is FTS5's escape inside a string; words hold none, but the quoting must be total.
    private static func quoted(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
