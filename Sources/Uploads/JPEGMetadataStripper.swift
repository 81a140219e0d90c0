/// Why a JPEG could not be rewritten.
public enum JPEGError: Error, Sendable, Equatable {
    /// Does not start with SOI (FF D8).
    case notJPEG
    /// Expected a marker (FF xx) at this offset and found other bytes.
    case expectedMarker(offset: Int)
    /// A segment's length runs past the end, or the file ends before EOI.
    case truncated
    /// A segment length below 2 at this offset.
    case badSegmentLength(offset: Int)
    /// A marker that has no place here (a second SOI, RSTn outside a scan, a reserved marker).
    case unexpectedMarker(UInt8, offset: Int)
    /// SOS before any SOF, or EOI before any scan: no image.
    case noImage

    public var message: String {
        switch self {
        case .notJPEG: "not a JPEG file"
        case .expectedMarker(let o): "damaged JPEG: no marker at byte \(o)"
        case .truncated: "damaged JPEG: the file is cut short"
        case .badSegmentLength(let o): "damaged JPEG: bad segment length at byte \(o)"
        case .unexpectedMarker(let m, let o): "damaged JPEG: unexpected marker FF\(String(m, radix: 16, uppercase: true)) at byte \(o)"
        case .noImage: "damaged JPEG: it holds no image"
        }
    }
}

/// Removes metadata from a JPEG without decoding it: the image data stays byte for byte.
///
/// Walks the segments from SOI to EOI and writes back only what decoding needs:
/// - kept: JFIF APP0 (its optional thumbnail dropped), ICC profile APP2 (colours would shift
///   without it; it describes a colour space, not the photo), Adobe APP14 (needed to decode
///   CMYK/YCCK colour), DQT, DHT, DAC, DRI, SOFn, SOS with its entropy-coded data and restart
///   markers, DNL, EOI;
/// - removed: APP1 (EXIF with GPS position, camera serial, time, thumbnail; XMP), every other
///   APPn (JFXX thumbnails, MPF multi-picture index, Photoshop/IPTC APP13 with captions and
///   places, maker notes, …), COM comments, and every byte after EOI (a second image of a
///   multi-picture file, or the HTML of a JPEG/HTML polyglot).
/// Anything it cannot walk is refused with ``JPEGError``. ``Stream`` does this on a file fed in
/// chunks; this function is that stream fed once.
public enum JPEGMetadataStripper {
    /// What was removed, for logs and tests.
    public struct Removed: Sendable, Equatable {
        /// Markers of the removed segments, in order (0xE1 for APP1, 0xFE for COM, …).
        public var markers: [UInt8] = []
        /// Bytes after EOI that were dropped.
        public var trailingBytes = 0
        /// Bytes of a JFIF thumbnail that were dropped.
        public var thumbnailBytes = 0
    }

    /// The JPEG without metadata.
    public static func strip(_ jpeg: some Collection<UInt8>) throws(JPEGError) -> [UInt8] {
        try stripReporting(jpeg).bytes
    }

    /// The JPEG without metadata, and what was removed.
    public static func stripReporting(_ jpeg: some Collection<UInt8>) throws(JPEGError) -> (bytes: [UInt8], removed: Removed) {
        var stream = Stream()
        var out: [UInt8] = []
        out.reserveCapacity(jpeg.count)
        try stream.feed(Array(jpeg), into: &out)
        return (out, try stream.finish())
    }

    /// The index of the first marker after entropy-coded data: FF followed by a byte that is
    /// neither 00 (stuffing) nor a restart marker D0–D7.
    static func scanEnd(_ b: [UInt8], from start: Int) throws(JPEGError) -> Int {
        var i = start
        while i + 1 < b.count {
            if b[i] == 0xFF {
                let next = b[i + 1]
                if next == 0x00 || (0xD0...0xD7).contains(next) { i += 2; continue }
                if next == 0xFF { i += 1; continue }  // fill byte: the marker is further on
                return i
            }
            i += 1
        }
        throw .truncated
    }

    /// The markers of a JPEG's segments in order, SOI to EOI (for tests and diagnostics).
    public static func segments(_ jpeg: some Collection<UInt8>) throws(JPEGError) -> [(marker: UInt8, bytes: [UInt8])] {
        let b = Array(jpeg)
        guard b.count >= 2, b[0] == 0xFF, b[1] == 0xD8 else { throw .notJPEG }
        var result: [(UInt8, [UInt8])] = [(0xD8, [0xFF, 0xD8])]
        var i = 2
        while true {
            guard i + 1 < b.count, b[i] == 0xFF else { throw i < b.count ? .expectedMarker(offset: i) : .truncated }
            let marker = b[i + 1]
            if marker == 0xD9 { result.append((marker, [0xFF, 0xD9])); return result }
            if marker == 0x01 { result.append((marker, [0xFF, 0x01])); i += 2; continue }
            guard i + 4 <= b.count else { throw .truncated }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else { throw .truncated }
            var end = i + 2 + length
            if marker == 0xDA { end = try scanEnd(b, from: end) }
            result.append((marker, Array(b[i..<end])))
            i = end
        }
    }
}
