import CampusDeskCore

/// Escapes text for HTML element content and quoted attribute values.
///
/// The ONE escaping function: every piece of user or stored text that reaches a page goes through
/// it, so there is a single place to check against injection. Works on UTF-8 bytes (the five
/// special characters and NUL are ASCII, and no byte of a multi-byte sequence is below 0x80), and
/// returns the text itself when nothing needs escaping, the common case on every page.
public func escapeHTML(_ text: String) -> String {
    var contiguous = text
    return contiguous.withUTF8 { bytes -> String in
        guard let first = bytes.firstIndex(where: { HTMLEscape.needsEscape($0) }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<first]))
        HTMLEscape.append(UnsafeBufferPointer(rebasing: bytes[first...]), to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The byte-level half of ``escapeHTML(_:)``, for renderers that build pages as UTF-8 bytes.
enum HTMLEscape {
    @inline(__always)
    static func needsEscape(_ b: UInt8) -> Bool {
        // & " ' < > and NUL; everything else passes through unchanged.
        b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || b == 0
    }

    /// Appends `bytes` (valid UTF-8) escaped to `out`.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            switch b {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])        // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])              // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])              // &gt;
            case 0x22: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            case 0x27: out.append(contentsOf: [0x26, 0x23, 0x33, 0x39, 0x3B])        // &#39;
            case 0: out.append(contentsOf: [0xEF, 0xBF, 0xBD])                       // U+FFFD for NUL
            default: out.append(b)
            }
        }
    }
}

/// A page fragment built as UTF-8 bytes: literals, escaped text and numbers appended in place.
///
/// Why: the list page renders 50 rows of about ten pieces each; appending those to a `String`
/// one by one (grapheme bookkeeping, growth, interpolation) cost more than the rows' content.
/// Text goes through the same escaping as ``escapeHTML(_:)``.
struct HTMLBuffer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Markup we wrote ourselves (never user text).
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Markup held in a `String` that is known to be safe (our own vocabulary, already-escaped HTML).
    mutating func raw(_ markup: String) {
        bytes.append(contentsOf: markup.utf8)
    }

    /// User or stored text, escaped.
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { HTMLEscape.append($0, to: &bytes) }
    }

    mutating func number(_ n: Int64) {
        CampusTime.appendDecimal(n, to: &bytes)
    }

    mutating func time(_ t: Timestamp, _ time: CampusTime) {
        time.appendHTML(t, to: &bytes)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
