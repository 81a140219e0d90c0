/// The types an attachment may have, decided from its bytes.
public enum AttachmentType: String, Sendable, Equatable, CaseIterable {
    case png, jpeg, gif, webp, heic, pdf, text

    /// The Content-Type it is stored and served with.
    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .heic: "image/heic"
        case .pdf: "application/pdf"
        case .text: "text/plain; charset=utf-8"
        }
    }

    /// True for the types shown inline (everything else is served as an attachment).
    public var isImage: Bool { self != .pdf && self != .text }
}

/// Why content was refused; the message names what was found when it is known.
public enum RefusedContent: Error, Sendable, Equatable {
    /// No bytes at all.
    case empty
    /// Markup a browser could run or render: "SVG", "HTML", "XML".
    case markup(String)
    /// A script: text starting with `#!`.
    case script
    /// An archive or compressed file: "ZIP", "gzip", "7-Zip", "RAR", "tar", "bzip2", "xz".
    case archive(String)
    /// A program: "ELF", "Windows (PE)", "Mach-O", "Java class".
    case executable(String)
    /// A known format that is not accepted: "BMP", "TIFF", "AVIF", "MP4/QuickTime video", …
    case unsupported(String)
    /// A file of an accepted family whose structure is broken ("PNG without IHDR").
    case malformed(String)
    /// Binary data of no recognised type, or text that is not UTF-8.
    case unknown

    public var message: String {
        let accepted = "PNG, JPEG, GIF, WebP, HEIC, PDF or plain UTF-8 text"
        return switch self {
        case .empty: "the file is empty"
        case .markup(let kind): "\(kind) files are not accepted (they can carry scripts); accepted: \(accepted)"
        case .script: "scripts are not accepted; accepted: \(accepted)"
        case .archive(let kind): "archives (\(kind)) are not accepted; attach the files themselves: \(accepted)"
        case .executable(let kind): "programs (\(kind)) are not accepted; accepted: \(accepted)"
        case .unsupported(let kind): "\(kind) files are not accepted; accepted: \(accepted)"
        case .malformed(let what): "the file looks like \(what) but is damaged"
        case .unknown: "the file type is not recognised; accepted: \(accepted)"
        }
    }
}

/// Decides an attachment's type from its content, never from its name or declared type.
///
/// Magic numbers first (so a JPEG/HTML polyglot is a JPEG, and its HTML is then removed by
/// ``JPEGMetadataStripper``, which drops comments and everything after EOI), then refusals with
/// a name, then text: valid UTF-8 without NUL or other controls, not starting with markup.
/// Sniffing looks at the whole content: text must be UTF-8 to its last byte. Binary rules read
/// only the first ``headLength`` bytes, so ``Stream`` sniffs a file fed in chunks in bounded
/// memory; `sniff` is that stream fed once.
public enum ContentSniffer {
    /// The type of `bytes`, or why it is refused.
    public static func sniff(_ content: some Collection<UInt8>) throws(RefusedContent) -> AttachmentType {
        var stream = Stream()
        stream.feed(Array(content))
        return try stream.finish()
    }

    /// The type or refusal the magic numbers of `b` (a file's head, up to ``headLength`` bytes,
    /// or all of it when shorter) give; nil when none matches and the file may still be text.
    static func magic(_ b: [UInt8]) throws(RefusedContent) -> AttachmentType? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + magic.count && Array(b[offset..<(offset + magic.count)]) == magic
        }
        func ascii(_ s: String, at offset: Int = 0) -> Bool { starts(Array(s.utf8), at: offset) }

        // Accepted families, checked for the structure their first bytes promise.
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            guard ascii("IHDR", at: 12) else { throw .malformed("PNG (no IHDR chunk first)") }
            return .png
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if ascii("GIF87a") || ascii("GIF89a") {
            guard b.count >= 13 else { throw .malformed("GIF (truncated header)") }
            return .gif
        }
        if ascii("RIFF"), ascii("WEBP", at: 8) {
            guard ascii("VP8 ", at: 12) || ascii("VP8L", at: 12) || ascii("VP8X", at: 12) else {
                throw .malformed("WebP (no VP8, VP8L or VP8X chunk)")
            }
            return .webp
        }
        if ascii("ftyp", at: 4) { return try isoMedia(b) }
        if ascii("%PDF-") { return .pdf }

        // Refused, with a name.
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) || starts([0x50, 0x4B, 0x07, 0x08]) { throw .archive("ZIP") }
        if starts([0x1F, 0x8B]) { throw .archive("gzip") }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { throw .archive("7-Zip") }
        if ascii("Rar!\u{1A}\u{07}") { throw .archive("RAR") }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { throw .archive("xz") }
        if ascii("BZh") && b.count > 3 && (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(b[3]) { throw .archive("bzip2") }
        if ascii("ustar", at: 257) { throw .archive("tar") }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { throw .executable("ELF") }
        if starts([0xCA, 0xFE, 0xBA, 0xBE]) { throw .executable("Mach-O or Java class") }
        if starts([0xFE, 0xED, 0xFA, 0xCE]) || starts([0xFE, 0xED, 0xFA, 0xCF]) || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xCF, 0xFA, 0xED, 0xFE]) {
            throw .executable("Mach-O")
        }
        if starts([0x00, 0x61, 0x73, 0x6D]) { throw .executable("WebAssembly") }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { throw .unsupported("Microsoft Office (OLE2)") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { throw .unsupported("TIFF") }
        if ascii("RIFF") {
            // The form type is bytes 8..<12; a shorter file has none (the fuzzer found `RIFFF\0-`).
            guard b.count >= 12 else { throw .malformed("RIFF (truncated header)") }
            throw .unsupported("RIFF (\(String(decoding: b[8..<12], as: UTF8.self).trimmingSpaces()))")
        }

        // Then text (``Stream``): UTF-8 to the end, no NUL or other controls than tab, line
        // breaks and form feed; and when it is not text, ``lastResort(_:)``.
        return nil
    }

    /// The refusal of a head that has no magic number and is not text.
    static func lastResort(_ b: [UInt8]) throws(RefusedContent) -> AttachmentType {
        func ascii(_ s: String) -> Bool { b.starts(with: Array(s.utf8)) }
        if ascii("MZ") { throw .executable("Windows (PE)") }
        if ascii("BM"), b.count >= 14 { throw .unsupported("BMP") }
        throw .unknown
    }

    /// ISO base media (`ftyp` box): HEIC is accepted, other members are named and refused.
    ///
    /// Accepted brands are the HEVC-coded HEIF ones (ISO/IEC 23008-12 Annex B): `heic`, `heix`
    /// (images), `heim`, `heis` (multi-layer/scalable), `hevc`, `hevx` (sequences), as the major
    /// brand or a compatible one. `mif1`/`msf1` alone only say "some HEIF": AVIF uses them too,
    /// so they are not enough.
    static func isoMedia(_ b: [UInt8]) throws(RefusedContent) -> AttachmentType {
        let size = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        guard size >= 16, size % 4 == 0, size <= b.count, size <= 4096 else { throw .malformed("ISO media (bad ftyp box)") }
        var brands: [String] = []
        var i = 8
        while i + 4 <= size {
            if i != 12 { brands.append(String(decoding: b[i..<(i + 4)], as: UTF8.self)) }  // 12..<16 is the minor version
            i += 4
        }
        let heic: Set = ["heic", "heix", "heim", "heis", "hevc", "hevx"]
        if brands.contains(where: heic.contains) { return .heic }
        if brands.contains(where: { $0 == "avif" || $0 == "avis" }) { throw .unsupported("AVIF") }
        if brands.contains(where: { $0 == "mif1" || $0 == "msf1" }) { throw .unsupported("HEIF without HEVC (not HEIC)") }
        throw .unsupported("MP4/QuickTime video")
    }

    /// Refuses text a browser or shell would treat as active content.
    ///
    /// Text is served as `text/plain` with `nosniff`, so markup further down is inert; but a
    /// file that *starts* as markup is an HTML/SVG/XML document mislabelled, and a `#!` file a
    /// script: both are refused so they are not handed on as "text".
    ///
    /// - Parameters:
    ///   - opening: the text's first scalars after a BOM (three decide a `#!` prefix);
    ///   - markup: its first scalars after the BOM and the leading whitespace
    ///     (``TextScan/markupScalars`` of them: the rules read the first 1024 characters).
    static func refuseActiveText(opening: String, markup: String) throws(RefusedContent) {
        if opening.hasPrefix("#!") { throw .script }
        let s = markup
        // `<` then a letter, `!`, `?` or `/` opens a tag; "<3 thanks" is text.
        guard s.first == "<", let next = s.dropFirst().first, next.isLetter || "!?/".contains(next) else { return }
        let head = s.prefix(1024).lowercased()
        if head.contains("<svg") { throw .markup("SVG") }
        if head.hasPrefix("<?xml") { throw .markup("XML") }
        if head.hasPrefix("<?php") { throw .script }
        throw .markup("HTML")
    }
}
