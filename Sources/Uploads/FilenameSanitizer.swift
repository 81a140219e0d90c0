/// Turns the `filename` a client sent into a safe base name for display and download.
///
/// Files are stored under their SHA-256, never under this name; it is only shown and offered in
/// `Content-Disposition` on download, so it must not carry a path, control characters, bidi
/// overrides that disguise an extension (`photo‮gnp.exe`), or characters that break a header.
public enum FilenameSanitizer {
    /// Longest name kept, in Unicode scalars (the extension survives the cut).
    public static let maxScalars = 120
    /// The name used when nothing safe is left.
    public static let fallback = "file"

    /// The sanitised base name; never empty, never `.`/`..`, at most ``maxScalars`` scalars.
    ///
    /// Steps: invalid UTF-8 becomes U+FFFD; the part after the last `/` or `\` is kept (browsers
    /// send base names, old ones sent `C:\Users\…`); C0/C1 controls, DEL, bidi and zero-width
    /// format characters are dropped; the characters Windows forbids in names (`<>:"|?*`) become
    /// `_`; leading dots and spaces (hidden files, `..`) and trailing dots and spaces go; a long
    /// name is cut in its stem, keeping an extension of up to 16 scalars.
    public static func sanitise(_ raw: some Collection<UInt8>) -> String {
        let text = String(decoding: Array(raw), as: UTF8.self)
        var scalars = Array(text.unicodeScalars)
        if let slash = scalars.lastIndex(where: { $0 == "/" || $0 == "\\" }) { scalars = Array(scalars[(slash + 1)...]) }
        scalars = scalars.compactMap { s -> Unicode.Scalar? in
            if isDropped(s) { return nil }
            if "<>:\"|?*".unicodeScalars.contains(s) { return "_" }
            return s
        }
        while let first = scalars.first, first == "." || first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last == "." || last.properties.isWhitespace { scalars.removeLast() }
        if scalars.count > maxScalars {
            var ext: [Unicode.Scalar] = []
            if let dot = scalars.lastIndex(of: "."), scalars.count - dot <= 17 { ext = Array(scalars[dot...]) }
            scalars = Array(scalars.prefix(maxScalars - ext.count)) + ext
            // The cut can end the name in a dot or a space (no extension kept): trimmed as above,
            // so that sanitising the result again leaves it as it is (the fuzz target checks that).
            while let last = scalars.last, last == "." || last.properties.isWhitespace { scalars.removeLast() }
        }
        if scalars.isEmpty { return fallback }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    /// Controls, bidi embeddings/overrides/isolates, marks and zero-width characters, BOM.
    static func isDropped(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }
}
