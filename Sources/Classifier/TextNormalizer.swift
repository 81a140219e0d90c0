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
        var result: [String] = []
        Self.scanTokens(Self.foldedBytes(text)) { raw in
            if let token = Self.canonical(raw) { result.append(token) }
        }
        return result
    }

    // MARK: - Bytes

    /// Lower-case bytes of `text`, accents and width folded, other punctuation turned into spaces.
    ///
    /// Most reports are plain ASCII: they skip Foundation's folding (the costliest step by far),
    /// which keeps training at start and each call cheap. Letters outside ASCII that survive
    /// folding (Cyrillic, CJK) stay as their UTF-8 bytes and form tokens the model does not know.
    static func foldedBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for b in text.utf8 { bytes.append(b >= 65 && b <= 90 ? b + 32 : b) }
            return bytes
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        for scalar in folded.unicodeScalars {
            if scalar.isASCII {
                let b = UInt8(scalar.value)
                bytes.append(b >= 65 && b <= 90 ? b + 32 : b)
            } else if scalar == "\u{2019}" {
                bytes.append(UInt8(ascii: "'"))
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                bytes.append(contentsOf: String(scalar).lowercased().utf8)
            } else {
                bytes.append(UInt8(ascii: " "))
            }
        }
        return bytes
    }

    /// Splits folded bytes into raw tokens: letters, digits and non-ASCII letters form words;
    /// an apostrophe joins ("can't" → "cant") and a possessive "'s" goes ("WiFi's" → "wifi");
    /// a hyphen after one or two letters joins ("wi-fi", "e-mail"); anything else separates.
    static func scanTokens(_ bytes: [UInt8], _ emit: ([UInt8]) -> Void) {
        var current: [UInt8] = []
        current.reserveCapacity(32)
        var apostropheAt: Int?
        var joinedByHyphen = false
        func flush() {
            defer { apostropheAt = nil; joinedByHyphen = false }
            guard !current.isEmpty else { return }
            if let at = apostropheAt, at == current.count - 1, current.last == UInt8(ascii: "s") { current.removeLast() }
            emit(current)
            current.removeAll(keepingCapacity: true)
        }
        for b in bytes {
            if (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b >= 0x80 {
                current.append(b)
            } else if b == UInt8(ascii: "'") {
                apostropheAt = current.count
            } else if b == UInt8(ascii: "-") && !current.isEmpty && current.count <= 2 && !joinedByHyphen {
                joinedByHyphen = true
            } else {
                flush()
            }
        }
        flush()
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
    static func canonical(_ raw: [UInt8]) -> String? {
        let typed = String(decoding: raw, as: UTF8.self)
        if let mapped = Lexicon.variants[typed] {
            return Lexicon.stopWords.contains(mapped) ? nil : mapped
        }
        if raw.contains(where: { $0 >= 48 && $0 <= 57 }) { return numberClass(typed) }
        var word = String(decoding: stem(raw), as: UTF8.self)
        if let mapped = Lexicon.variants[word] { word = mapped }
        return Lexicon.stopWords.contains(word) ? nil : word
    }

    /// The normalised form of one raw token given as text (tests and the lexicon use this).
    static func canonical(_ raw: String) -> String? { canonical(Array(raw.utf8)) }

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
        String(decoding: stem(Array(word.utf8)), as: UTF8.self)
    }

    /// The byte form of `stem(_:)`, free of intermediate strings because it runs on every word.
    static func stem(_ word: [UInt8]) -> [UInt8] {
        var w = word
        guard w.count > 3 else { return w }
        func ends(_ suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard w.count > n else { return false }
            let base = suffix.utf8Start
            for i in 0..<n where w[w.count - n + i] != base[i] { return false }
            return true
        }
        if ends("ies") && w.count > 4 {
            w.removeLast(3); w.append(UInt8(ascii: "y"))
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
        if w.count > 3, w.last == UInt8(ascii: "e") { w.removeLast() }
        return w
    }

    private static func undouble(_ w: inout [UInt8]) {
        guard w.count >= 3, let last = w.last, last == w[w.count - 2] else { return }
        if !"aeioulsz".utf8.contains(last) { w.removeLast() }
    }
}
