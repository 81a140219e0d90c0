/// Removes EXIF and XMP from a HEIC photo by overwriting their bytes with zeros, in place.
///
/// A HEIC file is ISO base media (ISO/IEC 14496-12): boxes, `ftyp` first, then a `meta` box that
/// lists the items (`iinf`/`infe`: the coded image tiles, a thumbnail, and metadata items) and
/// where their bytes are (`iloc`: extents in the file, usually inside `mdat`, or in the `meta`'s
/// own `idat`). The metadata items are those of type `Exif` (EXIF: GPS position, time, camera
/// and serial numbers) and `mime` items of type `application/rdf+xml` (XMP). Their extents are
/// overwritten with zeros: same length, so no offset in `iloc` or anywhere else changes and the
/// image items stay byte for byte. The items themselves stay listed, empty of content.
///
/// Not removed: nothing else in HEIC holds the place or the device (rotation, colour profile and
/// sizes are item properties in `iprp` and are kept). Only the file-level `meta` box is read,
/// and it must lie in the first ``maxFrontBytes`` (phones write `ftyp`, `meta`, then `mdat`);
/// an image sequence's track metadata is not looked at. A box that overruns its parent, an
/// extent past the end of the file or of `idat`, or counts that cannot fit are refused.
public enum HEICMetadataStripper {
    public enum Failure: Error, Sendable, Equatable {
        /// The first box is not `ftyp`.
        case notHEIC
        /// The boxes do not add up: what is wrong.
        case malformed(String)
        /// A valid layout this stripper does not handle: what it is.
        case unsupported(String)

        public var message: String {
            switch self {
            case .notHEIC: "not a HEIC file"
            case .malformed(let what): "damaged HEIC: \(what)"
            case .unsupported(let what): "this HEIC layout is not supported (\(what)); please send the photo as JPEG"
            }
        }
    }

    /// Bytes at the start of the file the `meta` box must end within.
    public static let maxFrontBytes = 1 << 20
    /// Extents `iloc` may list in all: more cannot be a photo (and could make the walk slow).
    static let maxExtents = 65_536

    /// What to zero and what it held.
    public struct Plan: Sendable, Equatable {
        /// Byte ranges of the file to overwrite with zeros: sorted, not overlapping, not empty.
        public var zeroed: [Range<Int>]
        /// The items emptied: "Exif item 2 (1234 bytes)", "XMP item 3 (...)".
        public var removed: [String]
    }

    /// The HEIC with its EXIF and XMP items zeroed (same size), and what they were.
    public static func strip(_ heic: some Collection<UInt8>) throws(Failure) -> (bytes: [UInt8], removed: [String]) {
        var bytes = Array(heic)
        let plan = try plan(front: bytes, fileSize: bytes.count)
        var zeroing = Zeroing(plan.zeroed)
        zeroing.apply(&bytes)
        return (bytes, plan.removed)
    }

    /// The ranges to zero in a file of `fileSize` bytes whose first bytes are `front` (all of
    /// them, or at least up to the end of its `meta` box and at most ``maxFrontBytes``).
    public static func plan(front: some Collection<UInt8>, fileSize: Int) throws(Failure) -> Plan {
        let b = Array(front)
        guard b.count <= fileSize else { throw .malformed("more bytes than the file has") }
        var at = 0
        while at < fileSize {
            guard at + 16 <= b.count || (at + 8 <= b.count && b.count == fileSize) else {
                throw .unsupported(at == 0 ? "too short" : "metadata after the image data")
            }
            let box = try Box(b, at: at, parentEnd: fileSize)
            if at == 0, box.type != "ftyp" { throw .notHEIC }
            if box.type == "meta" {
                guard box.end <= b.count else { throw .unsupported("a metadata box over \(maxFrontBytes >> 20) MiB") }
                return try metaPlan(b, box, fileSize: fileSize)
            }
            at = box.end
        }
        return Plan(zeroed: [], removed: [])
    }

    /// One box: its type, where its payload starts and where it ends.
    struct Box {
        var type: String
        var start: Int
        var payload: Int
        var end: Int

        /// The box at `at`, which must end by `parentEnd`; `b` must hold its header.
        init(_ b: [UInt8], at: Int, parentEnd: Int) throws(Failure) {
            guard at + 8 <= parentEnd, at + 8 <= b.count else { throw .malformed("a box header past the end of its parent") }
            var r = Reader(b, at: at, end: parentEnd)
            let size32 = try r.u32()
            type = try r.fourCC()
            var size = UInt64(size32)
            if size32 == 1 {
                guard at + 16 <= b.count else { throw .malformed("a box header past the end of its parent") }
                size = try r.u64()
            } else if size32 == 0 {
                size = UInt64(parentEnd - at)
            }
            start = at
            payload = r.pos
            guard size >= UInt64(payload - at), size <= UInt64(parentEnd - at) else { throw .malformed("the \(Self.printable(type)) box overruns its parent") }
            end = at + Int(size)
        }

        static func printable(_ type: String) -> String {
            type.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F } ? "'\(type)'" : "an unnamed"
        }
    }

    /// Big-endian fields of one box, never past its end.
    struct Reader {
        let b: [UInt8]
        var pos: Int
        let end: Int

        init(_ b: [UInt8], at: Int, end: Int) {
            self.b = b
            self.pos = at
            self.end = min(end, b.count)
        }

        var remaining: Int { end - pos }

        mutating func uint(_ bytes: Int) throws(Failure) -> UInt64 {
            guard bytes <= remaining else { throw .malformed("a field past the end of its box") }
            var v: UInt64 = 0
            for k in 0..<bytes { v = v << 8 | UInt64(b[pos + k]) }
            pos += bytes
            return v
        }

        mutating func u8() throws(Failure) -> Int { Int(try uint(1)) }
        mutating func u16() throws(Failure) -> Int { Int(try uint(2)) }
        mutating func u32() throws(Failure) -> UInt32 { UInt32(try uint(4)) }
        mutating func u64() throws(Failure) -> UInt64 { try uint(8) }

        mutating func fourCC() throws(Failure) -> String {
            guard remaining >= 4 else { throw .malformed("a field past the end of its box") }
            defer { pos += 4 }
            return String(decoding: b[pos..<(pos + 4)], as: UTF8.self)
        }

        /// A NUL-terminated string; one cut by the end of the box ends there.
        mutating func string() -> String {
            var k = pos
            while k < end, b[k] != 0 { k += 1 }
            defer { pos = min(k + 1, end) }
            return String(decoding: b[pos..<k], as: UTF8.self)
        }
    }

    /// An item's place: how its bytes are found, and its extents.
    struct Location {
        var constructionMethod: Int
        var dataReferenceIndex: Int
        var baseOffset: UInt64
        var extents: [(offset: UInt64, length: UInt64)]
    }

    static func metaPlan(_ b: [UInt8], _ meta: Box, fileSize: Int) throws(Failure) -> Plan {
        var at = meta.payload + 4  // a FullBox: version and flags
        guard at <= meta.end else { throw .malformed("the 'meta' box is too short") }
        var iinf: Box?, iloc: Box?, idat: Box?
        while at < meta.end {
            let child = try Box(b, at: at, parentEnd: meta.end)
            switch child.type {
            case "iinf":
                guard iinf == nil else { throw .malformed("two 'iinf' boxes") }
                iinf = child
            case "iloc":
                guard iloc == nil else { throw .malformed("two 'iloc' boxes") }
                iloc = child
            case "idat":
                guard idat == nil else { throw .malformed("two 'idat' boxes") }
                idat = child
            default: break
            }
            at = child.end
        }
        let metadata = try iinf.map { (box) throws(Failure) in try metadataItems(b, box) } ?? []
        guard let iloc else {
            guard metadata.isEmpty else { throw .malformed("metadata items without an 'iloc' box") }
            return Plan(zeroed: [], removed: [])
        }
        let locations = try self.locations(b, iloc)
        // Every item's bytes must be in the file, not only the metadata's: a file cut short is refused.
        for place in locations.values where place.constructionMethod == 0 && place.dataReferenceIndex == 0 {
            for extent in place.extents where extent.length > 0 {
                let (start, o1) = place.baseOffset.addingReportingOverflow(extent.offset)
                let (end, o2) = start.addingReportingOverflow(extent.length)
                guard !o1, !o2, end <= UInt64(fileSize) else { throw .malformed("item data past the end of the file") }
            }
        }
        var ranges: [Range<Int>] = []
        var removed: [String] = []
        for (id, kind) in metadata {
            guard let place = locations[id] else { continue }  // an item without data holds nothing
            var bytes = 0
            for extent in place.extents {
                let (start, overflow) = place.baseOffset.addingReportingOverflow(extent.offset)
                guard !overflow, extent.length > 0 else {
                    throw overflow ? .malformed("an extent offset overflows") : .unsupported("a metadata extent that runs to the end of its data")
                }
                let (end, overflow2) = start.addingReportingOverflow(extent.length)
                guard !overflow2 else { throw .malformed("an extent offset overflows") }
                switch place.constructionMethod {
                case 0:
                    guard place.dataReferenceIndex == 0 else { continue }  // in another file: nothing here
                    guard end <= UInt64(fileSize) else { throw .malformed("item data past the end of the file") }
                    ranges.append(Int(start)..<Int(end))
                case 1:
                    guard let idat else { throw .malformed("an item in 'idat' without an 'idat' box") }
                    guard end <= UInt64(idat.end - idat.payload) else { throw .malformed("item data past the end of 'idat'") }
                    ranges.append((idat.payload + Int(start))..<(idat.payload + Int(end)))
                case 2:
                    throw .unsupported("\(kind) built from other items")
                default:
                    throw .malformed("construction method \(place.constructionMethod)")
                }
                bytes += Int(extent.length)
            }
            removed.append("\(kind) item \(id) (\(bytes) bytes)")
        }
        return Plan(zeroed: merged(ranges), removed: removed)
    }

    /// The EXIF and XMP items listed in `iinf`, in order: item id and "Exif"/"XMP".
    static func metadataItems(_ b: [UInt8], _ iinf: Box) throws(Failure) -> [(id: UInt32, kind: String)] {
        var r = Reader(b, at: iinf.payload, end: iinf.end)
        let version = try r.u8()
        _ = try r.uint(3)
        let count = try version == 0 ? UInt64(r.u16()) : UInt64(r.u32())
        var items: [(id: UInt32, kind: String)] = []
        var at = r.pos, seen: UInt64 = 0
        while at < iinf.end, seen < count {  // bounded by the box, whatever the count says
            let infe = try Box(b, at: at, parentEnd: iinf.end)
            at = infe.end
            seen += 1
            guard infe.type == "infe" else { continue }
            var e = Reader(b, at: infe.payload, end: infe.end)
            let v = try e.u8()
            _ = try e.uint(3)
            let id: UInt32, type: String, contentType: String
            switch v {
            case 0, 1:
                id = UInt32(try e.u16())
                _ = try e.u16()  // protection index
                _ = e.string()  // name
                type = "mime"
                contentType = e.string()
            case 2, 3:
                id = try v == 2 ? UInt32(e.u16()) : e.u32()
                _ = try e.u16()
                type = try e.fourCC()
                _ = e.string()
                contentType = type == "mime" ? e.string() : ""
            default:
                continue  // a version this reader does not know: not an item it can name
            }
            if type == "Exif" {
                items.append((id, "Exif"))
            } else if type == "mime", contentType.lowercased() == "application/rdf+xml" {
                items.append((id, "XMP"))
            }
        }
        return items
    }

    /// Where each item's bytes are, from `iloc` (versions 0, 1 and 2).
    static func locations(_ b: [UInt8], _ iloc: Box) throws(Failure) -> [UInt32: Location] {
        var r = Reader(b, at: iloc.payload, end: iloc.end)
        let version = try r.u8()
        _ = try r.uint(3)
        guard version <= 2 else { throw .unsupported("'iloc' version \(version)") }
        let sizes = try r.u8(), more = try r.u8()
        let offsetSize = sizes >> 4, lengthSize = sizes & 0xF, baseOffsetSize = more >> 4
        let indexSize = version == 0 ? 0 : more & 0xF
        for size in [offsetSize, lengthSize, baseOffsetSize, indexSize] where ![0, 4, 8].contains(size) {
            throw .malformed("an 'iloc' field of \(size) bytes")
        }
        let count = try version < 2 ? UInt64(r.u16()) : UInt64(r.u32())
        var result: [UInt32: Location] = [:]
        var extents = 0
        var n: UInt64 = 0
        while n < count {  // each item takes at least 6 bytes, so a false count ends at the box's end
            n += 1
            let id = try version < 2 ? UInt32(r.u16()) : r.u32()
            let method = try version == 0 ? 0 : r.u16() & 0xF
            let reference = try r.u16()
            let base = try r.uint(baseOffsetSize)
            let extentCount = try r.u16()
            extents += extentCount
            guard extents <= maxExtents else { throw .malformed("more than \(maxExtents) extents") }
            var list: [(UInt64, UInt64)] = []
            for _ in 0..<extentCount {
                if indexSize > 0 { _ = try r.uint(indexSize) }
                let offset = try r.uint(offsetSize)
                list.append((offset, try r.uint(lengthSize)))
            }
            guard result[id] == nil else { throw .malformed("item \(id) located twice") }
            result[id] = Location(constructionMethod: method, dataReferenceIndex: reference, baseOffset: base, extents: list)
        }
        return result
    }

    /// Sorted ranges with overlapping or touching ones joined.
    static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !range.isEmpty {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Zeroes the planned ranges in a file copied chunk by chunk, in order.
    public struct Zeroing: Sendable {
        let ranges: [Range<Int>]
        /// Offset in the file of the next chunk, and the first range not wholly before it.
        var position = 0
        var next = 0

        public init(_ ranges: [Range<Int>]) { self.ranges = ranges }

        /// Zeroes what falls in `chunk`, the next bytes of the file.
        public mutating func apply(_ chunk: inout [UInt8]) { apply(&chunk[...]) }

        /// Zeroes what falls in `chunk`, the next bytes of the file.
        public mutating func apply(_ chunk: inout ArraySlice<UInt8>) {
            let start = position, end = position + chunk.count
            defer { position = end }
            while next < ranges.count, ranges[next].upperBound <= start { next += 1 }
            var k = next
            while k < ranges.count, ranges[k].lowerBound < end {
                let from = max(ranges[k].lowerBound, start), to = min(ranges[k].upperBound, end)
                for offset in from..<to { chunk[chunk.startIndex + offset - start] = 0 }
                k += 1
            }
        }
    }
}
