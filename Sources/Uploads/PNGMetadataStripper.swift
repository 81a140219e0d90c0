/// Removes text and EXIF chunks from a PNG; every other chunk is copied byte for byte.
///
/// Removed: `tEXt`, `zTXt`, `iTXt` (free text: author, comments, software, XMP), `eXIf` (EXIF,
/// possibly with GPS) and `tIME` (last modification time), and every byte after `IEND`. Kept:
/// the critical chunks and the ancillary ones that change how the image looks (`gAMA`, `cHRM`,
/// `sRGB`, `iCCP`, `tRNS`, `pHYs`, `bKGD`, …, APNG's `acTL`/`fcTL`/`fdAT`); unknown ancillary
/// chunks are dropped too. CRCs are not checked (the chunks we keep are copied with theirs).
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
        let b = Array(png)
        guard b.count >= 8, Array(b[0..<8]) == signature else { throw .notPNG }
        var out = signature, removed: [String] = []
        var i = 8
        while true {
            guard i + 12 <= b.count else { throw .truncated }
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length <= b.count - i - 12 else { throw .truncated }
            let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
            if i == 8, type != "IHDR" { throw .missingIHDR }
            let end = i + 12 + length
            let critical = b[i + 4] & 0x20 == 0  // bit 5 of the first type byte: 0 = critical
            if critical || keptAncillary.contains(type) { out += b[i..<end] } else { removed.append(type) }
            i = end
            if type == "IEND" {
                if i < b.count { removed.append("\(b.count - i) bytes after IEND") }
                return (out, removed)
            }
        }
    }
}
