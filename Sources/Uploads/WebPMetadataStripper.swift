/// Removes EXIF and XMP from a WebP; every other chunk is copied byte for byte.
///
/// A WebP is a RIFF file: `RIFF` size `WEBP`, then chunks (`VP8 `, `VP8L`, or `VP8X` followed by
/// `ICCP`, `ANIM`/`ANMF`, `ALPH`, image data, `EXIF`, `XMP `). Removed: the `EXIF` and `XMP `
/// chunks (their flags in `VP8X` are cleared to match), unknown chunks, and any byte after the
/// RIFF's declared size. Kept: the image, alpha, animation and ICC chunks. ``Stream`` does this
/// on a file fed in chunks; ``strip(_:)`` is that stream fed once.
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
        var stream = Stream()
        var out: [UInt8] = []
        out.reserveCapacity(webp.count)
        try stream.feed(Array(webp), into: &out)
        let (header, removed) = try stream.finish()
        out.replaceSubrange(0..<12, with: header)
        return (out, removed)
    }

    static func littleEndian(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
    }
}
