/// Writes RFC 4180 CSV: fields quoted when they hold a comma, quote, CR or LF (or start or end
/// with a space, which some readers would trim, or start with U+FEFF, which a reader takes for a
/// byte order mark at the start of a file), records ended by CRLF.
public enum CSVWriter {
    /// One field, quoted only when needed.
    public static func field(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 13 || $0 == 10 }
            || value.hasPrefix(" ") || value.hasSuffix(" ")
            || value.utf8.starts(with: [0xEF, 0xBB, 0xBF])  // bytes: U+FEFF and a combining mark are one Character
        guard needsQuotes else { return value }
        // Double quotes byte by byte: `replacingOccurrences` compares Characters and misses a `"`
        // that a combining mark follows (one grapheme), leaving a bare quote (found by fuzzing).
        let doubled = value.utf8.flatMap { $0 == UInt8(ascii: "\"") ? [$0, $0] : [$0] }
        return "\"" + String(decoding: doubled, as: UTF8.self) + "\""
    }

    /// One record with its CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}

/// Neutralises cells a spreadsheet would run as a formula (CSV injection, OWASP), reversibly.
///
/// A cell starting with `=`, `+`, `-`, `@`, tab or CR — or with one or more `'` followed by one
/// of those — gets one more `'` in front. Spreadsheets show a leading `'` as "this is text" and
/// hide it. `restore` removes exactly one `'` from cells of that same shape, so
/// `restore(neutralise(x)) == x` for every text `x`, and import undoes exactly what export did.
public enum CSVInjection {
    static let triggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\r\n"]

    /// Whether a cell has the shape `'*` followed by a formula trigger.
    static func isFormulaShaped(_ value: Substring) -> Bool {
        let rest = value.drop(while: { $0 == "'" })
        guard let first = rest.first else { return false }
        return triggers.contains(first)
    }

    /// The cell safe to open in a spreadsheet.
    public static func neutralise(_ value: String) -> String {
        isFormulaShaped(value[...]) ? "'" + value : value
    }

    /// The original cell text of a cell written by `neutralise`.
    public static func restore(_ value: String) -> String {
        value.hasPrefix("'") && isFormulaShaped(value.dropFirst()) ? String(value.dropFirst()) : value
    }
}
