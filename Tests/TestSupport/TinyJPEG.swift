/// Hand-assembled JPEG files for the stripper and sniffer tests (no image library here).
///
/// The image is a valid 8×8 greyscale baseline JPEG: one quantisation table of ones, one DC and
/// one AC Huffman table with a single 1-bit code each (DC category 0, AC end-of-block), and a
/// scan of one block coded as the bits `0` `0` padded with ones (0x3F): a flat grey square.
public enum TinyJPEG {
    public static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    public static let soi: [UInt8] = [0xFF, 0xD8]
    public static let eoi: [UInt8] = [0xFF, 0xD9]
    public static let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    public static let dqt = segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))
    public static let sof0 = segment(0xC0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])
    public static let dhtDC = segment(0xC4, [0x00, 1] + [UInt8](repeating: 0, count: 15) + [0x00])
    public static let dhtAC = segment(0xC4, [0x10, 1] + [UInt8](repeating: 0, count: 15) + [0x00])
    public static let sos = segment(0xDA, [1, 1, 0x00, 0, 63, 0])
    public static let scanData: [UInt8] = [0x3F]

    /// The segments that carry the picture; a stripped file must keep them byte for byte.
    public static let imageSegments: [[UInt8]] = [dqt, sof0, dhtDC, dhtAC, sos + scanData]

    /// The bare image: SOI, JFIF, tables, frame, scan, EOI.
    public static let plain: [UInt8] = soi + jfif + imageSegments.joined() + eoi

    /// An EXIF APP1 (big-endian TIFF) whose IFD0 holds Make and a GPS IFD pointer, and whose
    /// GPS IFD holds latitude 52°12'30" N and longitude 0°7'5" E.
    public static let exifWithGPS: [UInt8] = {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: [UInt8]) -> [UInt8] { u16(tag) + u16(type) + u32(count) + value }
        // Offsets are from the TIFF header. IFD0 at 8: 2 entries (2 + 24 + 4 = 30 bytes) -> 38.
        let make = Array("CampusCam\0".utf8)  // 10 bytes at 38 -> 48
        let gpsIFD = 48  // GPS IFD: 4 entries (2 + 48 + 4 = 54 bytes) -> 102: rationals
        var tiff: [UInt8] = Array("MM".utf8) + u16(42) + u32(8)
        tiff += u16(2) + entry(0x010F, 2, make.count, u32(38)) + entry(0x8825, 4, 1, u32(gpsIFD)) + u32(0)
        tiff += make
        tiff += u16(4)
        tiff += entry(0x0001, 2, 2, Array("N\0\0\0".utf8))  // GPSLatitudeRef
        tiff += entry(0x0002, 5, 3, u32(102))  // GPSLatitude
        tiff += entry(0x0003, 2, 2, Array("E\0\0\0".utf8))  // GPSLongitudeRef
        tiff += entry(0x0004, 5, 3, u32(126))  // GPSLongitude
        tiff += u32(0)
        for (n, d) in [(52, 1), (12, 1), (30, 1), (0, 1), (7, 1), (5, 1)] { tiff += u32(n) + u32(d) }
        return segment(0xE1, Array("Exif\0\0".utf8) + tiff)
    }()

    public static let xmp = segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>52,12.5N</exif:GPSLatitude></x:xmpmeta>".utf8))
    public static let comment = segment(0xFE, Array("Taken at home, Mill Road 12".utf8))
    public static let icc = segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 1] + [UInt8](repeating: 0x42, count: 20))
    public static let mpf = segment(0xE2, Array("MPF\0".utf8) + [UInt8](repeating: 0, count: 16))
    public static let iptc = segment(0xED, Array("Photoshop 3.0\0caption: my office".utf8))

    /// A phone photo: EXIF with GPS, XMP, ICC, MPF, IPTC and a comment around the image, and a
    /// second JPEG after EOI as multi-picture files have.
    public static let photo: [UInt8] = soi + jfif + exifWithGPS + xmp + icc + mpf + iptc + comment + imageSegments.joined() + eoi + plain

    /// A JPEG/HTML polyglot: HTML in a comment segment and again after EOI.
    public static let polyglot: [UInt8] = soi + jfif
        + segment(0xFE, Array("<html><script>alert(document.cookie)</script>".utf8))
        + imageSegments.joined() + eoi + Array("<html><body><script>alert(1)</script></body></html>".utf8)
}
