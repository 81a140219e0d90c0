import Domain
import SpoolBroker
import HTTPServer

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

    /// Appends `bytes` (valid UTF-8) escaped to `out`: runs of plain bytes are copied at once.
    ///
    /// Plain text is skipped eight bytes at a time (``mayNeedEscape(_:)``); only a word holding a
    /// special byte is looked at byte by byte. Stored descriptions are most of the list page's bytes.
    static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        var runStart = 0
        var i = 0
        while i < n {
            if n - i >= 8, !mayNeedEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let end = min(i + 8, n)
            while i < end {
                let b = base[i]
                if needsEscape(b) {
                    if runStart < i { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart)) }
                    switch b {
                    case 0x26: out.append(contentsOf: "&amp;".utf8)
                    case 0x3C: out.append(contentsOf: "&lt;".utf8)
                    case 0x3E: out.append(contentsOf: "&gt;".utf8)
                    case 0x22: out.append(contentsOf: "&quot;".utf8)
                    case 0x27: out.append(contentsOf: "&#39;".utf8)
                    default: out.append(contentsOf: "\u{FFFD}".utf8) // NUL
                    }
                    runStart = i + 1
                }
                i += 1
            }
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart)) }
    }

    /// False only when none of the eight bytes in `word` needs escaping (true may be any of them).
    ///
    /// For each special byte s, `word ^ s*0x01…01` has a zero byte exactly where `word` holds s;
    /// `(v - 0x01…01) & ~v & 0x80…80` is non-zero exactly when `v` has a zero byte.
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func zeroByte(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        return zeroByte(word) | zeroByte(word ^ (ones &* 0x26)) | zeroByte(word ^ (ones &* 0x3C))
            | zeroByte(word ^ (ones &* 0x3E)) | zeroByte(word ^ (ones &* 0x22)) | zeroByte(word ^ (ones &* 0x27)) != 0
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
    ///
    /// Labelled so that a literal never lands here: with two unlabelled overloads Swift picked this
    /// one (`String` is the default literal type) for every `raw("...")`, copying each literal's
    /// UTF-8 through `String` — 6 % of the list page's CPU.
    mutating func raw(html markup: String) {
        bytes.append(contentsOf: markup.utf8)
    }

    /// User or stored text, escaped.
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { HTMLEscape.append($0, to: &bytes) }
    }

    /// User or stored text already in UTF-8 bytes (valid UTF-8), escaped.
    mutating func text(bytes value: UnsafeBufferPointer<UInt8>) {
        HTMLEscape.append(value, to: &bytes)
    }

    /// Markup and numbers written by `body` into a stack buffer of `capacity` bytes, appended at once.
    mutating func write(capacity: Int, _ body: (inout DigitWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var w = DigitWriter(buffer)
            body(&w)
            bytes.append(contentsOf: w.written)
        }
    }

    mutating func number(_ n: Int64) {
        CampusTime.appendDecimal(n, to: &bytes)
    }

    mutating func time(_ t: Timestamp, _ time: CampusTime) {
        time.appendHTML(t, to: &bytes)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}
