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
/// Anything it cannot walk is refused with ``JPEGError``.
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
        let b = Array(jpeg)
        guard b.count >= 2, b[0] == 0xFF, b[1] == 0xD8 else { throw .notJPEG }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(b.count)
        var removed = Removed()
        var i = 2
        var sawFrame = false, sawScan = false
        while true {
            guard i < b.count else { throw .truncated }
            guard b[i] == 0xFF else { throw .expectedMarker(offset: i) }
            while i < b.count, b[i] == 0xFF { i += 1 }  // fill bytes before a marker
            guard i < b.count else { throw .truncated }
            let marker = b[i], markerOffset = i - 1
            i += 1
            switch marker {
            case 0xD9:
                guard sawScan else { throw .noImage }
                out += [0xFF, 0xD9]
                removed.trailingBytes = b.count - i
                return (out, removed)
            case 0x01:  // TEM: no length
                out += [0xFF, 0x01]
                continue
            case 0x00, 0xD0...0xD8, 0xF0...0xFD, 0x02...0xBF:
                throw .unexpectedMarker(marker, offset: markerOffset)
            default: break
            }
            guard i + 2 <= b.count else { throw .truncated }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else { throw .badSegmentLength(offset: i) }
            guard i + length <= b.count else { throw .truncated }
            let payload = b[(i + 2)..<(i + length)]
            let segment = [0xFF, marker] + b[i..<(i + length)]
            i += length
            switch marker {
            case 0xE0 where payload.starts(with: Array("JFIF\0".utf8)) && payload.count >= 14:
                // Version, units, densities (9 bytes after the id); then a thumbnail we drop.
                let fixed = Array(payload.prefix(12)) + [0, 0]
                removed.thumbnailBytes += payload.count - 14
                out += [0xFF, 0xE0, 0, UInt8(fixed.count + 2)] + fixed
            case 0xE2 where payload.starts(with: Array("ICC_PROFILE\0".utf8)), 0xEE where payload.starts(with: Array("Adobe".utf8)):
                out += segment
            case 0xE0...0xEF, 0xFE:
                removed.markers.append(marker)
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                sawFrame = true
                out += segment
            case 0xDA:
                guard sawFrame else { throw .noImage }
                sawScan = true
                out += segment
                let start = i
                i = try scanEnd(b, from: i)
                out += b[start..<i]
            default:  // DQT, DHT, DAC, DRI, DNL, DHP, EXP
                out += segment
            }
        }
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
