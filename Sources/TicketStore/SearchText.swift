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
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        forEachWord(text) { joined, parts in
            append(joined, to: &out)
            for part in parts { append(part, to: &out) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The words a search for `text` looks for, normalised and in the order typed (joined words only).
    public static func queryWords(_ text: String) -> [String] {
        var words: [String] = []
        forEachWord(text) { joined, _ in words.append(joined) }
        return words
    }

    /// The SQL function over one column's text that gives its indexed words as a JSON array of
    /// strings (``wordsJSON(_:)``): what the search triggers and the background pass add to
    /// `search_words`, the index's vocabulary (migration 17, ``FullTextQuery``).
    public static let wordsFunctionName = "campusdesk_search_words"

    /// The words ``indexed(_:)`` gives for `text`, once each, as a JSON array (`["the","wifi"]`),
    /// and the tokens FTS5 cuts a word into when it holds a mark (``tokens(of:)``): the vocabulary
    /// must hold every word FTS5 indexes, or a typed word could expand to the others and miss it.
    public static func wordsJSON(_ text: String) -> String {
        var seen = Set<String>()
        var out = "["
        forEachWord(text) { joined, parts in
            for word in ([joined] + parts).flatMap(tokens(of:)) where seen.insert(word).inserted {
                if out.utf8.count > 1 { out += "," }
                out += "\""
                // Words hold only letters and digits; the escaping is total anyway.
                for scalar in word.unicodeScalars {
                    switch scalar {
                    case "\"", "\\": out += "\\" + String(scalar)
                    case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                    default: out.unicodeScalars.append(scalar)
                    }
                }
                out += "\""
            }
        }
        return out + "]"
    }

    /// Registers ``functionName``, ``wordsFunctionName`` and ``SearchFilters/functionName`` on `db`:
    /// the search triggers (migrations 9, 17 and 22), the replica and the background pass call them,
    /// so every connection that writes tickets must have them (`TicketStore` does).
    public static func register(on db: Connection) throws {
        try db.createFunction(functionName, indexed)
        try db.createFunction(wordsFunctionName, wordsJSON)
        try db.createFunction(SearchFilters.functionName, arguments: 5, SearchFilters.sqlBody)
    }

    /// The word and, when FTS5's tokenizer cuts it, the tokens it cuts it into: `unicode61` keeps only
    /// letters and numbers (general categories L* and N*) in a token, while a word here also holds the
    /// marks that belong to its letters (a Devanagari vowel sign) and letter-like symbols ("ⓐ"), so
    /// "हिन्दी" is one word here and the tokens "ह" and "नद" in the index, "ⓐyz" the token "yz".
    static func tokens(of word: String) -> [String] {
        guard !word.unicodeScalars.allSatisfy(isTokenScalar) else { return [word] }
        return [word] + word.unicodeScalars.split { !isTokenScalar($0) }.map { String(String.UnicodeScalarView($0)) }
    }

    /// A scalar FTS5's `unicode61` tokenizer keeps in a token (words hold no ASCII but letters and digits).
    static func isTokenScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return true }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    private static func append(_ word: String, to out: inout [UInt8]) {
        if !out.isEmpty { out.append(UInt8(ascii: " ")) }
        out.append(contentsOf: word.utf8)
    }

    // MARK: - Words

    /// Compounds written apart that people also write as one word: joined like a hyphenated word.
    static let compounds: [String: [String: String]] = ["wi": ["fi": "wifi"], "e": ["mail": "email"], "log": ["in": "login"]]

    /// Calls `body` with each word of `text` after joining, folding and the singular: the joined form,
    /// and its parts when it was joined from several (empty otherwise).
    static func forEachWord(_ text: String, _ body: (String, [String]) -> Void) {
        // A plain word that may join with the next one (`compounds`), folded and not yet made singular.
        var held: String?
        scan(text) { pieces in
            if let first = held {
                held = nil
                if pieces.count == 1 {
                    let second = singular(pieces[0])
                    if let joined = compounds[first]?[second] { return body(joined, [first, second]) }
                }
                body(singular(first), [])
            }
            if pieces.count == 1 {
                if compounds[pieces[0]] != nil { held = pieces[0]; return }
                return body(singular(pieces[0]), [])
            }
            body(singular(pieces.joined()), pieces.map(singular))
        }
        if let first = held { body(singular(first), []) }
    }

    /// Cuts `text` into words and gives each as its hyphen-separated pieces, folded (one piece for a
    /// plain word). Apostrophes join within a piece and a final "'s" is dropped; a joiner counts only
    /// between two letters or digits, so "--", "'quoted'" and "a - b" separate.
    ///
    /// Runs over Unicode scalars with ASCII tested by value: by `Character` (grapheme breaking and
    /// its properties) the whole normaliser took three times as long (docs/performance.md, "Search by any spelling").
    static func scan(_ text: String, _ emit: ([String]) -> Void) {
        var pieces: [String] = []
        var piece: [UInt8] = []
        piece.reserveCapacity(32)
        var ascii = true
        // Where the last apostrophe joined, in bytes of `piece`.
        var apostropheAt: Int?
        var pending: Unicode.Scalar?
        func endPiece() {
            if let at = apostropheAt, piece.count == at + 1, piece.last == UInt8(ascii: "s") { piece.removeLast() }
            if !piece.isEmpty {
                let folded = ascii ? String(decoding: piece, as: UTF8.self) : fold(String(decoding: piece, as: UTF8.self))
                if !folded.isEmpty { pieces.append(folded) }
            }
            piece.removeAll(keepingCapacity: true)
            ascii = true
            apostropheAt = nil
        }
        func endWord() {
            pending = nil
            endPiece()
            if !pieces.isEmpty { emit(pieces) }
            pieces.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if isWordScalar(scalar) {
                if let joiner = pending {
                    if hyphens.contains(joiner.value) { endPiece() } else { apostropheAt = piece.count }
                    pending = nil
                }
                let v = scalar.value
                if v < 0x80 {
                    piece.append(v >= 65 && v <= 90 ? UInt8(v + 32) : UInt8(v))
                } else {
                    ascii = false
                    piece.append(contentsOf: scalar.utf8)
                }
            } else if pending == nil, !piece.isEmpty, hyphens.contains(scalar.value) || apostrophes.contains(scalar.value) {
                pending = scalar
            } else {
                endWord()
            }
        }
        endWord()
    }

    /// Letters and digits, and the marks that belong to them (a decomposed "é" is "e" and a mark).
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) }
        let p = s.properties
        if p.isAlphabetic || p.numericType != nil { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Hyphen-minus, hyphen, non-breaking hyphen, soft hyphen.
    static let hyphens: [UInt32] = [0x2D, 0x2010, 0x2011, 0xAD]
    /// The typewriter and the typographic apostrophe.
    static let apostrophes: [UInt32] = [0x27, 0x2019]

    /// Lower case without accents or width; only letters and digits are kept (ASCII text is only
    /// lower-cased, in `scan`: Foundation's folding is by far the costliest step).
    static func fold(_ piece: String) -> String {
        let folded = piece.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter(isWordScalar).filter {
            // Marks left after folding (a letter it does not decompose) are dropped like accents.
            $0.value < 0x80 || $0.properties.isAlphabetic || $0.properties.numericType != nil
        }))
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
        let b = word.utf8
        guard b.count >= 4, b.last == UInt8(ascii: "s"), b.allSatisfy({ $0 >= 97 && $0 <= 122 }), !notPlural.contains(word) else { return word }
        func ends(_ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            return b.count >= n && b.suffix(n).elementsEqual(UnsafeBufferPointer(start: suffix.utf8Start, count: n))
        }
        if b.count >= 5 && ends("ies") { return String(decoding: b.dropLast(3), as: UTF8.self) + "y" }
        if ends("sses") || ends("xes") || ends("ches") || ends("shes") || ends("zzes") { return String(decoding: b.dropLast(2), as: UTF8.self) }
        if ends("ss") || ends("us") || ends("is") { return word }
        return String(decoding: b.dropLast(), as: UTF8.self)
    }
}
