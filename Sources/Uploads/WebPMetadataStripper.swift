/// Removes EXIF and XMP from a WebP; every other chunk is copied byte for byte.
///
/// A WebP is a RIFF file: `RIFF` size `WEBP`, then chunks (`VP8 `, `VP8L`, or `VP8X` followed by
/// `ICCP`, `ANIM`/`ANMF`, `ALPH`, image data, `EXIF`, `XMP `). Removed: the `EXIF` and `XMP `
/// chunks (their flags in `VP8X` are cleared to match), unknown chunks, and any byte after the
/// RIFF's declared size. Kept: the image, alpha, animation and ICC chunks.
public enum WebPMetadataStripper {
    public enum Failure: Error, Sendable, Equatable {
        case notWebP, truncated

        public var message: String {
            switch self {
            case .notWebP: "not a WebP file"
            case .truncated: "damaged WebP: the file is cut short"
            }
        }
    }

    static let kept: Set<String> = ["VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP"]

    /// The WebP without metadata chunks, and the FourCCs of the chunks removed.
    public static func strip(_ webp: some Collection<UInt8>) throws(Failure) -> (bytes: [UInt8], removed: [String]) {
        let b = Array(webp)
        guard b.count >= 12, Array(b[0..<4]) == Array("RIFF".utf8), Array(b[8..<12]) == Array("WEBP".utf8) else { throw .notWebP }
        let riffEnd = 8 + littleEndian(b, 4)
        guard riffEnd <= b.count else { throw .truncated }
        var body: [UInt8] = [], removed: [String] = []
        var i = 12
        while i < riffEnd {
            guard i + 8 <= riffEnd else { throw .truncated }
            let type = String(decoding: b[i..<(i + 4)], as: UTF8.self)
            let size = littleEndian(b, i + 4)
            let end = i + 8 + size + (size & 1)  // chunks are padded to an even size
            guard size <= riffEnd - i - 8, end <= riffEnd || (end == riffEnd + 1 && i + 8 + size == riffEnd) else { throw .truncated }
            if kept.contains(type) {
                var chunk = Array(b[i..<min(end, riffEnd)])
                if chunk.count < 8 + size + (size & 1) { chunk.append(0) }
                if type == "VP8X", size >= 1 { chunk[8] &= ~UInt8(0x08 | 0x04) }  // EXIF and XMP flags
                body += chunk
            } else {
                removed.append(type)
            }
            i = end
        }
        if b.count > riffEnd { removed.append("\(b.count - riffEnd) bytes after the RIFF chunk") }
        let size = UInt32(4 + body.count)
        let header = Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)] + Array("WEBP".utf8)
        return (header + body, removed)
    }

    static func littleEndian(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
    }
}
