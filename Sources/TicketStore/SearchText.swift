import Foundation
import SQLiteKit

/// How ticket text and search words are normalised for full-text search: the same steps when a
/// ticket is indexed (the SQL function ``functionName`` that the search triggers call) and when a
/// query is built (``FullTextQuery``), so "wifi" finds "Wi-Fi" and "projectors" finds "projector".
///
/// The steps, per word (a run of letters and digits):
/// 1. **Joining.** A hyphen or an apostrophe between two letters or digits joins them into one word:
///    "Wi-Fi" → "wifi", "e-mail" → "email", "can't" → "cant"; a possessive "'s" goes ("lift's" →
///    "lift"). A few compounds people also write apart join too (``compounds``: "wi fi", "e mail",
///    "log in"). Any other character separates.
/// 2. **Folding.** Case, accents and width: "Café" → "cafe", "ＷＩＦＩ" → "wifi".
/// 3. **Singular.** Simple English plurals lose their ending (``singular(_:)``): "projectors" →
///    "projector", "batteries" → "battery", "switches" → "switch", "classes" → "class".
///
/// The index keeps a joined word **and** its parts ("Wi-Fi" is indexed as `wifi wi fi`), so a search
/// for "fi" or "mail" still finds it; a query keeps only the joined word, so "wi-fi", "wi fi" and
/// "wifi" all look for `wifi`.
///
/// Changing what this returns for any text changes what is in `tickets_fts`: the search triggers
/// remove an entry by recomputing it from the old text (the index is contentless), so a new version
/// needs a migration that rebuilds the index, as migration 9 did (docs/tickets.md).
public enum SearchText {
    /// The SQL function over one column's text, registered on the writer's connection (``register(on:)``).
    public static let functionName = "campusdesk_search_text"

    /// What `tickets_fts` holds for one column's text: the normalised words and the parts of joined
    /// ones, separated by spaces.
    public static func indexed(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for word in words(text) {
            append(word.joined, to: &out)
            if word.parts.count > 1 { for part in word.parts { append(part, to: &out) } }
        }
        return out
    }

    /// The words a search for `text` looks for, normalised and in the order typed (joined words only).
    public static func queryWords(_ text: String) -> [String] {
        words(text).map(\.joined)
    }

    /// Registers ``functionName`` on `db`: the search triggers (migration 9) and the background pass
    /// call it, so every connection that writes tickets must have it (`TicketStore` does).
    public static func register(on db: Connection) throws {
        try db.createFunction(functionName, indexed)
    }

    private static func append(_ word: String, to out: inout String) {
        if !out.isEmpty { out.append(" ") }
        out.append(word)
    }

    // MARK: - Words

    /// One normalised word: the joined form and, when it was joined from several, its parts.
    struct Word: Equatable {
        var joined: String
        var parts: [String]
    }

    /// Compounds written apart that people also write as one word: joined like a hyphenated word.
    static let compounds: [String: [String: String]] = ["wi": ["fi": "wifi"], "e": ["mail": "email"], "log": ["in": "login"]]

    /// The words of `text` after joining, folding and the singular.
    static func words(_ text: String) -> [Word] {
        var pieces: [[String]] = []
        scan(text) { pieces.append($0) }
        var words: [Word] = []
        words.reserveCapacity(pieces.count)
        var i = 0
        while i < pieces.count {
            let folded = pieces[i].map(fold).filter { !$0.isEmpty }
            if folded.count == 1, i + 1 < pieces.count, pieces[i + 1].count == 1 {
                let next = singular(fold(pieces[i + 1][0]))
                if let joined = compounds[folded[0]]?[next] {
                    words.append(Word(joined: joined, parts: [folded[0], next]))
                    i += 2
                    continue
                }
            }
            words.append(Word(joined: singular(folded.joined()), parts: folded.count > 1 ? folded.map(singular) : []))
            i += 1
        }
        return words.filter { !$0.joined.isEmpty }
    }

    /// Cuts `text` into words, each given as its hyphen-separated pieces (one piece for a plain word).
    /// Apostrophes join within a piece and a final "'s" is dropped; a joiner counts only between two
    /// letters or digits, so "--", "'quoted'" and "a - b" separate.
    static func scan(_ text: String, _ emit: ([String]) -> Void) {
        var pieces: [String] = []
        var piece = ""
        // Where the last apostrophe joined, in UTF-8 bytes of `piece`.
        var apostropheAt: Int?
        var pending: Character?
        func endPiece() {
            if let at = apostropheAt, piece.utf8.count == at + 1, piece.utf8.last == UInt8(ascii: "s") || piece.utf8.last == UInt8(ascii: "S") {
                piece.removeLast()
            }
            apostropheAt = nil
            if !piece.isEmpty { pieces.append(piece) }
            piece = ""
        }
        func endWord() {
            pending = nil
            endPiece()
            if !pieces.isEmpty { emit(pieces) }
            pieces = []
        }
        for ch in text {
            if ch.isLetter || ch.isNumber {
                if let joiner = pending {
                    if hyphens.contains(joiner) { endPiece() } else { apostropheAt = piece.utf8.count }
                    pending = nil
                }
                piece.append(ch)
            } else if pending == nil, !piece.isEmpty, hyphens.contains(ch) || apostrophes.contains(ch) {
                pending = ch
            } else {
                endWord()
            }
        }
        endWord()
    }

    /// Hyphen-minus, hyphen, non-breaking hyphen, soft hyphen.
    static let hyphens: Set<Character> = ["-", "\u{2010}", "\u{2011}", "\u{00AD}"]
    /// The typewriter and the typographic apostrophe.
    static let apostrophes: Set<Character> = ["'", "\u{2019}"]

    /// Lower case without accents or width; only letters and digits are kept.
    static func fold(_ piece: String) -> String {
        if piece.utf8.allSatisfy({ $0 < 0x80 }) {
            // Most text is ASCII: Foundation's folding is by far the costliest step.
            return String(decoding: piece.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
        let folded = piece.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        return String(folded.filter { $0.isLetter || $0.isNumber })
    }

    // MARK: - Singular

    /// Words ending in "s" that are not plurals and whose cut form would find other words ("news"
    /// would find "new", "lens" "length").
    static let notPlural: Set<String> = ["news", "lens", "bias", "alias", "atlas", "canvas", "chaos", "series", "species"]

    /// The simple singular of a folded word: "-ies" → "-y" (batteries), "-sses" → "-ss" (classes),
    /// "-xes", "-ches", "-shes", "-zzes" lose "es" (boxes, switches, dishes, buzzes), any other final
    /// "s" goes (projectors, days, cafés) except after "s", "u" or "i" (glass, campus, analysis).
    /// Words under four letters, words with digits or letters outside a–z, and ``notPlural`` stay.
    ///
    /// Only regular plurals: "shelves", "children" and the like stay as they are. The rule must give
    /// a singular and its plural the same form, and a query word is then matched as a prefix, so
    /// "projector" finds "projectors" and "projectors" finds "projector".
    static func singular(_ word: String) -> String {
        let b = Array(word.utf8)
        guard b.count >= 4, b.last == UInt8(ascii: "s"), b.allSatisfy({ $0 >= 97 && $0 <= 122 }), !notPlural.contains(word) else { return word }
        func ends(_ suffix: String) -> Bool { word.hasSuffix(suffix) }
        if b.count >= 5 && ends("ies") { return String(word.dropLast(3)) + "y" }
        if ends("sses") || ends("xes") || ends("ches") || ends("shes") || ends("zzes") { return String(word.dropLast(2)) }
        if ends("ss") || ends("us") || ends("is") { return word }
        return String(word.dropLast())
    }
}
