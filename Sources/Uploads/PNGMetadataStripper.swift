/// Removes text and EXIF chunks from a PNG; every other chunk is copied byte for byte.
///
/// Removed: `tEXt`, `zTXt`, `iTXt` (free text: author, comments, software, XMP), `eXIf` (EXIF,
/// possibly with GPS) and `tIME` (last modification time), and every byte after `IEND`. Kept:
/// the critical chunks and the ancillary ones that change how the image looks (`gAMA`, `cHRM`,
/// `sRGB`, `iCCP`, `tRNS`, `pHYs`, `bKGD`, …, APNG's `acTL`/`fcTL`/`fdAT`); unknown ancillary
/// chunks are dropped too. CRCs are not checked (the chunks we keep are copied with theirs).
/// ``Stream`` does this on a file fed in chunks; ``strip(_:)`` is that stream fed once.
public enum PNGMetadataStripper {
    public enum Failure: Error, Sendable, Equatable {
        case notPNG, truncated, missingIHDR

        public var message: String {
            switch self {
            case .notPNG: "not a PNG file"
            case .truncated: "damaged PNG: the file is cut short"
            case .missingIHDR: "damaged PNG: it does not start with IHDR"
            }
        }
    }

    /// The 8 bytes every PNG starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Ancillary chunks kept because they change rendering (or animation).
    static let keptAncillary: Set<String> = [
        "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "tRNS", "pHYs", "bKGD", "hIST", "sPLT", "cICP", "mDCv", "cLLi", "acTL", "fcTL", "fdAT",
    ]

    /// The PNG without metadata chunks, and the types of the chunks removed.
    public static func strip(_ png: some Collection<UInt8>) throws(Failure) -> (bytes: [UInt8], removed: [String]) {
        var stream = Stream()
        var out: [UInt8] = []
        out.reserveCapacity(png.count)
        try stream.feed(Array(png), into: &out)
        return (out, try stream.finish())
    }
}
