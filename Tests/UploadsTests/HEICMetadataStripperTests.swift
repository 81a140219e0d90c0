import Testing
import Uploads
import TestSupport

@Suite("HEICMetadataStripper")
struct HEICMetadataStripperTests {
    /// The offset of `part` in `file`.
    static func offset(of part: [UInt8], in file: [UInt8]) -> Int? {
        (0...(file.count - part.count)).first { file[$0..<($0 + part.count)].elementsEqual(part) }
    }

    @Test("EXIF (GPS, serial) and XMP are zeroed in place: same size, same offsets, the image byte-exact", arguments: [(0, 4), (1, 4), (2, 4), (1, 8), (2, 8)])
    func exifAndXMP_AreZeroedInPlace(_ version: Int, _ size: Int) throws {
        let photo = TinyHEIC.photo(version: version, size: size)
        #expect(photo.contains(subsequence: Array("GPS 52.2053N".utf8)) && photo.contains(subsequence: Array("SERIAL".utf8)) && photo.contains(subsequence: Array("GPSLatitude".utf8)))
        #expect(try ContentSniffer.sniff(photo) == .heic)
        let (bytes, removed) = try HEICMetadataStripper.strip(photo)
        #expect(bytes.count == photo.count)
        #expect(!bytes.contains(subsequence: Array("GPS".utf8)) && !bytes.contains(subsequence: Array("SERIAL".utf8)) && !bytes.contains(subsequence: Array("Exif\0\0MM".utf8)) && !bytes.contains(subsequence: Array("xmpmeta".utf8)))
        #expect(removed == ["Exif item 2 (\(TinyHEIC.exif.count) bytes)", "XMP item 3 (\(TinyHEIC.xmp.count) bytes)"])
        let exifAt = try #require(Self.offset(of: TinyHEIC.exif, in: photo))
        let xmpAt = try #require(Self.offset(of: TinyHEIC.xmp, in: photo))
        let zeroed = [exifAt..<(exifAt + TinyHEIC.exif.count), xmpAt..<(xmpAt + TinyHEIC.xmp.count)]
        for i in photo.indices {
            if zeroed.contains(where: { $0.contains(i) }) {
                #expect(bytes[i] == 0)
            } else if bytes[i] != photo[i] {
                Issue.record("byte \(i) outside the metadata changed")
                break
            }
        }
        #expect(Self.offset(of: TinyHEIC.image, in: bytes) == Self.offset(of: TinyHEIC.image, in: photo))
        #expect(try HEICMetadataStripper.strip(bytes).bytes == bytes)
    }

    @Test func exifInIdat_IsZeroed() throws {
        let photo = TinyHEIC.photo(version: 1, exifInIdat: true)
        let (bytes, removed) = try HEICMetadataStripper.strip(photo)
        #expect(bytes.count == photo.count && !bytes.contains(subsequence: Array("GPS".utf8)) && !bytes.contains(subsequence: Array("SERIAL".utf8)))
        #expect(removed.count == 2)
        #expect(Self.offset(of: TinyHEIC.image, in: bytes) != nil)
    }

    @Test func withoutMetadata_IsUnchanged() throws {
        let bare = TinyHEIC.ftyp + TinyHEIC.box("mdat", TinyHEIC.image)
        let stripped = try HEICMetadataStripper.strip(bare)
        #expect(stripped.bytes == bare && stripped.removed.isEmpty)
    }

    @Test("the meta box must lie in the front read; a later one is refused as unsupported")
    func metaAfterTheImageData_IsUnsupported() {
        let photo = TinyHEIC.photo()
        let late = TinyHEIC.ftyp + TinyHEIC.box("mdat", [UInt8](repeating: 7, count: 100))
        #expect(throws: HEICMetadataStripper.Failure.unsupported("metadata after the image data")) {
            try HEICMetadataStripper.plan(front: late.prefix(40), fileSize: late.count + photo.count)
        }
    }

    @Test("every truncation is refused, never a crash (but the bare ftyp, which holds nothing to remove)")
    func truncated_IsRefused() {
        let photo = TinyHEIC.photo()
        for length in 1..<photo.count where length != TinyHEIC.ftyp.count {
            #expect(throws: (any Error).self, "cut at \(length)") { try HEICMetadataStripper.strip(photo.prefix(length)) }
        }
    }

    @Test("hostile boxes: overruns, extents past the end, huge counts and sizes are refused", arguments: HEICMetadataStripperTests.hostile)
    func hostile_IsRefused(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: (any Error).self, "\(name)") { try HEICMetadataStripper.strip(bytes) }
    }

    static let hostile: [(String, [UInt8])] = {
        let ftyp = TinyHEIC.ftyp
        func meta(_ children: [UInt8]) -> [UInt8] { TinyHEIC.fullBox("meta", version: 0, children) }
        let iinf = TinyHEIC.fullBox("iinf", version: 0, TinyHEIC.u16(1) + TinyHEIC.infe(2, "Exif"))
        let mdat = TinyHEIC.box("mdat", TinyHEIC.exif)
        let exifAt = ftyp.count + meta(iinf + TinyHEIC.iloc(version: 1, [TinyHEIC.Place(id: 2, extents: [(0, 1)])])).count + 8
        func photo(_ places: [TinyHEIC.Place], version: Int = 1) -> [UInt8] {
            ftyp + meta(iinf + TinyHEIC.iloc(version: version, places)) + mdat
        }
        var cases: [(String, [UInt8])] = [
            ("not ftyp first", TinyHEIC.box("free", []) + ftyp),
            ("box smaller than its header", ftyp + [0, 0, 0, 4] + Array("meta".utf8)),
            ("box larger than the file", ftyp + TinyHEIC.u32(1000) + Array("meta".utf8) + [0, 0, 0, 0]),
            ("64-bit size past the end", ftyp + TinyHEIC.u32(1) + Array("meta".utf8) + TinyHEIC.u64(1 << 62)),
            ("child overruns meta", ftyp + meta(TinyHEIC.u32(500) + Array("iinf".utf8))),
            ("iloc points past the end", photo([TinyHEIC.Place(id: 2, extents: [(exifAt, TinyHEIC.exif.count + 1)])])),
            ("iloc offset overflows", photo([TinyHEIC.Place(id: 2, base: 0xFFFF_FFF0, extents: [(0xFFFF_FFF0, 4)])])),
            ("iloc huge offset, 64-bit", ftyp + meta(iinf + TinyHEIC.iloc(version: 1, size: 8, [TinyHEIC.Place(id: 2, base: Int.max - 2, extents: [(Int.max - 2, 8)])])) + mdat),
            ("EXIF to the end of the file (length 0)", photo([TinyHEIC.Place(id: 2, extents: [(exifAt, 0)])])),
            ("EXIF in idat without idat", photo([TinyHEIC.Place(id: 2, method: 1, extents: [(0, 4)])])),
            ("EXIF by item reference", photo([TinyHEIC.Place(id: 2, method: 2, extents: [(0, 4)])])),
            ("iloc version 3", ftyp + meta(iinf + TinyHEIC.fullBox("iloc", version: 3, [0x44, 0, 0, 0])) + mdat),
            ("iloc field of 3 bytes", ftyp + meta(iinf + TinyHEIC.fullBox("iloc", version: 1, [0x33, 0, 0, 1])) + mdat),
            ("iloc item count 65535 with one item", ftyp + meta(iinf + TinyHEIC.fullBox("iloc", version: 1, [0x44, 0x00, 0xFF, 0xFF] + TinyHEIC.u16(2) + TinyHEIC.u16(0) + TinyHEIC.u16(0) + TinyHEIC.u16(1) + TinyHEIC.u32(exifAt) + TinyHEIC.u32(4))) + mdat),
            ("iloc item count 2^32-1, version 2", ftyp + meta(iinf + TinyHEIC.fullBox("iloc", version: 2, [0x44, 0x00, 0xFF, 0xFF, 0xFF, 0xFF])) + mdat),
            ("item located twice", photo([TinyHEIC.Place(id: 2, extents: [(exifAt, 4)]), TinyHEIC.Place(id: 2, extents: [(exifAt, 4)])])),
        ]
        // Extents of zero-byte fields: 65 535 per item, over the limit by the second item.
        let empty = [UInt8](repeating: 0, count: 0)
        let zeroFields = TinyHEIC.fullBox("iloc", version: 1, [0x00, 0x00] + TinyHEIC.u16(3) + (1...3).flatMap { TinyHEIC.u16($0) + TinyHEIC.u16(0) + TinyHEIC.u16(0) + TinyHEIC.u16(0xFFFF) } + empty)
        cases.append(("65 535 empty extents per item", ftyp + meta(iinf + zeroFields) + mdat))
        // An iinf claiming 2^32-1 entries holding one.
        let bigInf = TinyHEIC.fullBox("iinf", version: 1, TinyHEIC.u32(0xFFFF_FFFF) + TinyHEIC.infe(2, "Exif"))
        cases.append(("iinf count 2^32-1, EXIF past the end", ftyp + meta(bigInf + TinyHEIC.iloc(version: 1, [TinyHEIC.Place(id: 2, extents: [(exifAt, 1 << 20)])])) + mdat))
        return cases
    }()
}
