/// Hand-assembled HEIC containers for the stripper tests (no image library here).
///
/// ISO base media boxes as a phone writes them: `ftyp` (heic), `meta` (`hdlr` pict, `pitm`,
/// `iinf` with an `hvc1` image item, an `Exif` item and an XMP `mime` item, `iloc` pointing
/// into `mdat`), then `mdat` with the image bytes, the EXIF and the XMP. The image bytes are not
/// real HEVC: the stripper never decodes, and the tests check they stay byte for byte.
public enum TinyHEIC {
    public static func u16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    public static func u32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    public static func u64(_ v: Int) -> [UInt8] { u32(v >> 32) + u32(v & 0xFFFF_FFFF) }

    public static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { u32(8 + payload.count) + Array(type.utf8) + payload }
    public static func fullBox(_ type: String, version: Int, _ payload: [UInt8]) -> [UInt8] { box(type, [UInt8(version), 0, 0, 0] + payload) }

    public static let ftyp = box("ftyp", Array("heic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8))
    /// Bytes standing for the coded image tile.
    public static let image: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    /// An EXIF item: the 4-byte TIFF header offset, then a TIFF with a GPS-like marker and a serial.
    public static let exif: [UInt8] = [0, 0, 0, 6] + Array("Exif\0\0MM\0*\0\0\0\u{8}GPS 52.2053N 0.1218E SERIAL C39XK2".utf8)
    public static let xmp: [UInt8] = Array("<x:xmpmeta><exif:GPSLatitude>52,12.5N</exif:GPSLatitude></x:xmpmeta>".utf8)

    /// One `infe` (version 2): item id, type and, for `mime`, the content type.
    public static func infe(_ id: Int, _ type: String, contentType: String? = nil) -> [UInt8] {
        fullBox("infe", version: 2, u16(id) + u16(0) + Array(type.utf8) + [0] + (contentType.map { Array($0.utf8) + [0] } ?? []))
    }

    /// An item's place: construction method, and extents as (offset, length) after a base offset.
    public struct Place {
        public var id: Int
        public var method = 0
        public var base = 0
        public var extents: [(Int, Int)]
        public init(id: Int, method: Int = 0, base: Int = 0, extents: [(Int, Int)]) {
            self.id = id; self.method = method; self.base = base; self.extents = extents
        }
    }

    /// An `iloc` of `version` with fields of `size` bytes (offset, length and base offset).
    public static func iloc(version: Int, size: Int = 4, _ places: [Place]) -> [UInt8] {
        func field(_ v: Int) -> [UInt8] { size == 8 ? u64(v) : size == 4 ? u32(v) : [] }
        var p: [UInt8] = [UInt8(size << 4 | size), UInt8(size << 4)]
        p += version < 2 ? u16(places.count) : u32(places.count)
        for place in places {
            p += version < 2 ? u16(place.id) : u32(place.id)
            if version > 0 { p += u16(place.method) }
            p += u16(0) + field(place.base) + u16(place.extents.count)
            for (offset, length) in place.extents { p += field(offset) + field(length) }
        }
        return fullBox("iloc", version: version, p)
    }

    /// A photo with EXIF and XMP items in `mdat`, `iloc` of `version` with fields of `size`
    /// bytes; with `exifInIdat` the EXIF is in the `meta`'s `idat` (construction method 1).
    public static func photo(version: Int = 1, size: Int = 4, exifInIdat: Bool = false) -> [UInt8] {
        func meta(_ mdatData: Int) -> [UInt8] {
            let base = size == 0 ? 0 : mdatData
            var places = [Place(id: 1, base: base, extents: [(mdatData - base, 120), (mdatData - base + 120, image.count - 120)])]
            if exifInIdat {
                places.append(Place(id: 2, method: 1, extents: [(0, exif.count)]))
            } else {
                places.append(Place(id: 2, base: base, extents: [(mdatData - base + image.count, exif.count)]))
            }
            let xmpAt = mdatData + image.count + (exifInIdat ? 0 : exif.count)
            places.append(Place(id: 3, base: base, extents: [(xmpAt - base, 20), (xmpAt - base + 20, xmp.count - 20)]))
            let iinf = fullBox("iinf", version: 0, u16(3) + infe(1, "hvc1") + infe(2, "Exif") + infe(3, "mime", contentType: "application/rdf+xml"))
            let children = fullBox("hdlr", version: 0, u32(0) + Array("pict".utf8) + [UInt8](repeating: 0, count: 12) + [0])
                + fullBox("pitm", version: 0, u16(1)) + iinf + iloc(version: version, size: size, places)
                + (exifInIdat ? box("idat", exif) : [])
            return fullBox("meta", version: 0, children)
        }
        let mdatData = ftyp.count + meta(0).count + 8
        return ftyp + meta(mdatData) + box("mdat", image + (exifInIdat ? [] : exif) + xmp)
    }
}
