extension ContentSniffer {
    /// Bytes of the head every binary rule looks at, at most: an `ftyp` box of up to 4096 bytes,
    /// `ustar` at 257, the 14 bytes of a BMP header.
    public static let headLength = 4096

    /// The sniffer fed a file in chunks, in memory bounded whatever the file's size: the first
    /// ``ContentSniffer/headLength`` bytes for the magic numbers, and for text a UTF-8 validator
    /// that carries an incomplete sequence from one chunk to the next, plus the opening scalars the
    /// markup rules read. ``ContentSniffer/sniff(_:)`` is this fed once, so any split of the same
    /// bytes gives the same answer.
    public struct Stream: Sendable {
        var head: [UInt8] = []
        var total = 0
        /// The answer of the magic numbers, once the head is full: a type, a refusal, or nil for
        /// "no magic number", when only text is left.
        var magic: Result<AttachmentType, RefusedContent>?? = .none
        var text = TextScan()

        public init() {}

        /// Adds the next bytes of the file.
        public mutating func feed(_ chunk: [UInt8]) { feed(chunk[...]) }

        /// Adds the next bytes of the file.
        public mutating func feed(_ chunk: ArraySlice<UInt8>) {
            var rest = chunk
            total += rest.count
            if head.count < ContentSniffer.headLength {
                let take = min(ContentSniffer.headLength - head.count, rest.count)
                head += rest.prefix(take)
                text.feed(rest.prefix(take))
                rest = rest.dropFirst(take)
                if head.count == ContentSniffer.headLength { magic = .some(Self.result(head)) }
            }
            // Text is only scanned while it can still be the answer.
            if case .some(.some) = magic { return }
            if text.valid { text.feed(rest) }
        }

        /// The type decided by the head alone, once it is known: nil while the head is not full
        /// and the file goes on, or when the head has no magic number (text is decided at the end).
        /// Throws when the head is refused (an archive, a program, damaged PNG/GIF/WebP/ISO headers).
        public func binaryType(atEnd: Bool = false) throws(RefusedContent) -> AttachmentType? {
            let decided: Result<AttachmentType, RefusedContent>?
            switch magic {
            case .some(let m): decided = m
            case .none:
                guard atEnd else { return nil }
                guard total > 0 else { throw .empty }
                decided = Self.result(head)
            }
            return try decided?.get()
        }

        /// False once the bytes fed cannot be text (not UTF-8, or a control character): when the
        /// head had no magic number either, ``finish()`` already knows its refusal.
        public var mayBeText: Bool { text.valid }

        /// The type of everything fed, or why it is refused.
        public func finish() throws(RefusedContent) -> AttachmentType {
            guard total > 0 else { throw .empty }
            if let type = try binaryType(atEnd: true) { return type }
            if text.isText {
                try refuseActiveText(opening: String(String.UnicodeScalarView(text.opening)), markup: String(String.UnicodeScalarView(text.markup)))
                return .text
            }
            return try ContentSniffer.lastResort(head)
        }

        static func result(_ head: [UInt8]) -> Result<AttachmentType, RefusedContent>? {
            do throws(RefusedContent) {
                guard let type = try ContentSniffer.magic(head) else { return nil }
                return .success(type)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Text checked a byte at a time: strict UTF-8 (what `String(validating:)` accepts: no
    /// overlong forms, surrogates or scalars past U+10FFFF) carried across chunks, no NUL or
    /// controls other than tab, LF, FF and CR, and the scalars the markup rules need.
    struct TextScan: Sendable {
        /// Scalars after a leading BOM kept for `#!` (three decide a two-character prefix).
        static let openingScalars = 3
        /// Scalars kept after the leading whitespace for the markup rules (which read 1024 characters).
        static let markupScalars = 8192

        /// False once a byte broke UTF-8 or a control character was decoded.
        var valid = true
        /// Continuation bytes the current sequence still needs, its value so far, and the range
        /// its next byte must be in (narrower after E0, ED, F0 and F4).
        var needed = 0
        var value: UInt32 = 0
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        var scalars = 0
        var inLeadingSpace = true
        var opening: [Unicode.Scalar] = []
        var markup: [Unicode.Scalar] = []

        /// True when everything fed is text: valid to the last byte, no sequence left open.
        var isText: Bool { valid && needed == 0 }

        mutating func feed(_ bytes: ArraySlice<UInt8>) {
            for byte in bytes {
                guard valid else { return }
                if needed == 0 {
                    switch byte {
                    case 0x00...0x7F: accept(UInt32(byte))
                    case 0xC2...0xDF: begin(1, UInt32(byte & 0x1F), 0x80, 0xBF)
                    case 0xE0: begin(2, 0, 0xA0, 0xBF)
                    case 0xED: begin(2, 0x0D, 0x80, 0x9F)
                    case 0xE1...0xEF: begin(2, UInt32(byte & 0x0F), 0x80, 0xBF)
                    case 0xF0: begin(3, 0, 0x90, 0xBF)
                    case 0xF4: begin(3, 4, 0x80, 0x8F)
                    case 0xF1...0xF3: begin(3, UInt32(byte & 0x07), 0x80, 0xBF)
                    default: valid = false
                    }
                } else {
                    guard byte >= lower, byte <= upper else { valid = false; return }
                    value = value << 6 | UInt32(byte & 0x3F)
                    needed -= 1
                    lower = 0x80; upper = 0xBF
                    if needed == 0 { accept(value) }
                }
            }
        }

        mutating func begin(_ count: Int, _ start: UInt32, _ low: UInt8, _ high: UInt8) {
            needed = count; value = start; lower = low; upper = high
        }

        mutating func accept(_ v: UInt32) {
            if (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0C && v != 0x0D) || v == 0x7F { valid = false; return }
            defer { scalars += 1 }
            guard markup.count < Self.markupScalars, let scalar = Unicode.Scalar(v) else { return }
            if scalars == 0 && v == 0xFEFF { return }
            if opening.count < Self.openingScalars { opening.append(scalar) }
            if inLeadingSpace && scalar.properties.isWhitespace { return }
            inLeadingSpace = false
            markup.append(scalar)
        }
    }
}
