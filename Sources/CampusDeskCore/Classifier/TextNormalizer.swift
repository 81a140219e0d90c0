import Foundation

/// Turns a free-text problem report into the word and word-pair features the model counts.
///
/// People write "Wi-Fi", "wifi", "WIFI!!", "lifts", "the lift's", "pls", "colour" and "color":
/// each spelling must land on one token or the model learns the same word several times from
/// too few examples. The steps, in order: fold case, accents and width; split on anything that is
/// not a letter or digit (joining "wi-fi", "e-mail" and dropping apostrophes); map shorthand,
/// misspellings and British/American pairs to one spelling; strip plural and verb endings;
/// drop function words; then add adjacent pairs ("no hot", "hot water").
public struct TextNormalizer: Sendable {
    /// Creates a normalizer with the built-in lexicon.
    public init() {}

    /// The content words of `text`, normalised, in reading order.
    public func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result: [String] = []
        var current = String.UnicodeScalarView()
        var pendingHyphenJoin = false
        var apostropheAt: Int?

        func flush() {
            defer { apostropheAt = nil }
            guard !current.isEmpty else { return }
            // A possessive "'s" goes: "WiFi's" is about the Wi-Fi, and "wifis" would stem oddly.
            if let at = apostropheAt, at == current.count - 1, current.last == "s" { current.removeLast() }
            let raw = String(current)
            current.removeAll(keepingCapacity: true)
            if let token = Self.canonical(raw) { result.append(token) }
        }

        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingHyphenJoin { pendingHyphenJoin = false }
                current.append(scalar)
            } else if scalar == "'" || scalar == "\u{2019}" {
                // "can't" → "cant": the apostrophe joins, it does not split.
                apostropheAt = current.count
            } else if scalar == "-" && !current.isEmpty && current.count <= 2 && !pendingHyphenJoin {
                // "wi-fi", "e-mail", "e-learning", "a-c": a one- or two-letter head joins its tail.
                pendingHyphenJoin = true
            } else {
                pendingHyphenJoin = false
                flush()
            }
        }
        flush()
        return result
    }

    /// The features of `text`: its words plus each adjacent pair joined by a space.
    public func features(_ text: String) -> [String] {
        let w = words(text)
        var result = w
        result.reserveCapacity(w.count * 2)
        if w.count > 1 {
            for i in 1..<w.count { result.append(w[i - 1] + " " + w[i]) }
        }
        return result
    }

    // MARK: - One token

    /// The single normalised form of one raw lower-case token, or nil for a function word.
    static func canonical(_ raw: String) -> String? {
        var word = raw
        if word.unicodeScalars.contains(where: { ("0"..."9").contains($0) }) {
            if let mapped = Lexicon.variants[word] { return mapped }
            return numberClass(word)
        }
        if let mapped = Lexicon.variants[word] {
            word = mapped
        } else {
            word = stem(word)
            if let mapped = Lexicon.variants[word] { word = mapped }
        }
        if Lexicon.stopWords.contains(word) { return nil }
        return word
    }

    /// Numbers carry little meaning alone but their shape does: "3rd" is a floor, "b204" a room.
    static func numberClass(_ token: String) -> String {
        let scalars = Array(token.unicodeScalars)
        let digits = scalars.prefix(while: { ("0"..."9").contains($0) })
        let tail = String(String.UnicodeScalarView(scalars.dropFirst(digits.count)))
        if digits.count == scalars.count { return digits.count >= 4 ? "#longnum" : "#num" }
        if !digits.isEmpty, ["st", "nd", "rd", "th"].contains(tail) { return "#ordinal" }
        if !digits.isEmpty, ["am", "pm"].contains(tail) { return "#clock" }
        if !digits.isEmpty, ["min", "mins", "h", "hr", "hrs", "m"].contains(tail) { return "#duration" }
        if !digits.isEmpty, ["eur", "usd", "gbp", "k"].contains(tail) { return "#money" }
        return "#code"
    }

    /// A light suffix stripper (Porter's first step, roughly): plurals, -ing, -ed, final -e,
    /// and a doubled final consonant, so "leaking", "leaked", "leaks" and "leak" agree.
    static func stem(_ word: String) -> String {
        var w = Array(word.unicodeScalars)
        guard w.count > 3 else { return word }
        func ends(_ s: String) -> Bool {
            let suffix = Array(s.unicodeScalars)
            return w.count > suffix.count && Array(w.suffix(suffix.count)) == suffix
        }
        if ends("ies") && w.count > 4 {
            w.removeLast(3); w.append("y")
        } else if ends("sses") || ends("ches") || ends("shes") || ends("xes") || ends("zzes") {
            w.removeLast(2)
        } else if ends("s") && !ends("ss") && !ends("us") && !ends("is") && !ends("ous") {
            w.removeLast()
        }
        if ends("ing") && w.count >= 6 {
            w.removeLast(3)
            undouble(&w)
        } else if ends("ed") && w.count >= 5 && !ends("eed") {
            w.removeLast(2)
            undouble(&w)
        }
        if w.count > 3, w.last == "e" { w.removeLast() }
        return String(String.UnicodeScalarView(w))
    }

    private static func undouble(_ w: inout [Unicode.Scalar]) {
        guard w.count >= 3, let last = w.last, last == w[w.count - 2] else { return }
        if !"aeioulsz".unicodeScalars.contains(last) { w.removeLast() }
    }
}
