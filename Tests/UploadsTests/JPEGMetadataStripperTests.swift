import Foundation
import TestSupport
import Testing
import Uploads

@Suite("JPEGMetadataStripper")
struct JPEGMetadataStripperTests {
    @Test("EXIF with GPS, XMP, IPTC, MPF and comments are gone from the stored file; the image is byte-exact")
    func phonePhoto_StoredWithoutMetadata() throws {
        #expect(try JPEGMetadataStripper.segments(TinyJPEG.photo).contains { $0.marker == 0xE1 })
        let stripped = try JPEGMetadataStripper.strip(TinyJPEG.photo)
        let dir = try TemporaryDirectory("jpeg")
        defer { dir.remove() }
        try Data(stripped).write(to: URL(fileURLWithPath: dir.path("stored.jpg")))
        let stored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.path("stored.jpg"))))

        let segments = try JPEGMetadataStripper.segments(stored)
        #expect(segments.map(\.marker) == [0xD8, 0xE0, 0xE2, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9])
        #expect(segments.first { $0.marker == 0xE2 }?.bytes == TinyJPEG.icc)
        #expect(Array(segments.dropFirst(3).dropLast().map(\.bytes)) == TinyJPEG.imageSegments)
        #expect(!stored.contains(subsequence: Array("Exif".utf8)))
        #expect(!stored.contains(subsequence: Array("GPS".utf8)))
        #expect(!stored.contains(subsequence: Array("Mill Road".utf8)))
        #expect(!stored.contains(subsequence: Array("MPF".utf8)))
        #expect(stored.count == TinyJPEG.plain.count + TinyJPEG.icc.count)
        #expect(stored.suffix(2) == [0xFF, 0xD9])
    }

    @Test func removals_AreReported() throws {
        let (_, removed) = try JPEGMetadataStripper.stripReporting(TinyJPEG.photo)
        #expect(removed.markers == [0xE1, 0xE1, 0xE2, 0xED, 0xFE])
        #expect(removed.trailingBytes == TinyJPEG.plain.count)
    }

    @Test func plainJPEG_IsUnchanged_AndStrippingIsIdempotent() throws {
        #expect(try JPEGMetadataStripper.strip(TinyJPEG.plain) == TinyJPEG.plain)
        let once = try JPEGMetadataStripper.strip(TinyJPEG.photo)
        #expect(try JPEGMetadataStripper.strip(once) == once)
    }

    @Test func jfifThumbnail_IsDropped() throws {
        let withThumb = TinyJPEG.segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 1, 1, 9, 9, 9])
        let (bytes, removed) = try JPEGMetadataStripper.stripReporting(TinyJPEG.soi + withThumb + TinyJPEG.imageSegments.joined() + TinyJPEG.eoi)
        #expect(bytes == TinyJPEG.soi + TinyJPEG.segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0]) + TinyJPEG.imageSegments.joined() + TinyJPEG.eoi)
        #expect(removed.thumbnailBytes == 3)
    }

    @Test func scanWithStuffingRestartsAndFill_IsCopiedExactly() throws {
        let data: [UInt8] = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF]
        let jpeg = TinyJPEG.soi + TinyJPEG.dqt + TinyJPEG.sof0 + TinyJPEG.dhtDC + TinyJPEG.dhtAC + TinyJPEG.sos + data + TinyJPEG.eoi
        #expect(try JPEGMetadataStripper.strip(jpeg) == jpeg)
    }

    @Test func progressiveScans_WithTablesBetween_AreKept() throws {
        let sof2 = TinyJPEG.segment(0xC2, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])
        let jpeg = TinyJPEG.soi + TinyJPEG.dqt + sof2 + TinyJPEG.dhtDC + TinyJPEG.sos + [0x01] + TinyJPEG.dhtAC + TinyJPEG.comment + TinyJPEG.sos + [0x02] + TinyJPEG.eoi
        let expected = TinyJPEG.soi + TinyJPEG.dqt + sof2 + TinyJPEG.dhtDC + TinyJPEG.sos + [0x01] + TinyJPEG.dhtAC + TinyJPEG.sos + [0x02] + TinyJPEG.eoi
        #expect(try JPEGMetadataStripper.strip(jpeg) == expected)
    }

    @Test(arguments: [
        ("not a JPEG", Array("GIF89a".utf8), JPEGError.notJPEG),
        ("cut inside a segment", Array(TinyJPEG.photo.prefix(40)), .truncated),
        ("no EOI", TinyJPEG.soi + TinyJPEG.imageSegments.joined(), .truncated),
        ("garbage between segments", TinyJPEG.soi + TinyJPEG.jfif + [0x00, 0x11] + TinyJPEG.dqt, .expectedMarker(offset: 20)),
        ("scan before frame", TinyJPEG.soi + TinyJPEG.sos + [0x00] + TinyJPEG.eoi, .noImage),
        ("EOI without image", TinyJPEG.soi + TinyJPEG.jfif + TinyJPEG.eoi, .noImage),
        ("second SOI", TinyJPEG.soi + TinyJPEG.soi, .unexpectedMarker(0xD8, offset: 2)),
        ("segment length 1", TinyJPEG.soi + [0xFF, 0xE1, 0x00, 0x01], .badSegmentLength(offset: 4)),
    ])
    func malformed_IsRefusedWithAClearError(_ name: String, _ bytes: [UInt8], _ error: JPEGError) {
        #expect(throws: error) { try JPEGMetadataStripper.strip(bytes) }
        #expect(error.message.hasPrefix("damaged JPEG") || error == .notJPEG)
    }
}

@Suite("PNGMetadataStripper")
struct PNGMetadataStripperTests {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let n = data.count
        return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + data + [1, 2, 3, 4]
    }

    static let ihdr = chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
    static let srgb = chunk("sRGB", [0])
    static let idat = chunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01])
    static let iend = chunk("IEND", [])

    @Test func textExifAndTime_AreRemoved_ImageChunksKept() throws {
        let png = PNGMetadataStripper.signature + Self.ihdr + Self.chunk("tEXt", Array("Author\0Me".utf8)) + Self.srgb
            + Self.chunk("eXIf", Array("MM\0*GPS".utf8)) + Self.chunk("iTXt", Array("XML:com.adobe.xmp\0\0\0\0\0<x/>".utf8))
            + Self.chunk("zTXt", [0]) + Self.chunk("tIME", [7, 233, 1, 1, 0, 0, 0]) + Self.idat + Self.iend + Array("<html>".utf8)
        let (bytes, removed) = try PNGMetadataStripper.strip(png)
        #expect(bytes == PNGMetadataStripper.signature + Self.ihdr + Self.srgb + Self.idat + Self.iend)
        #expect(removed == ["tEXt", "eXIf", "iTXt", "zTXt", "tIME", "6 bytes after IEND"])
        #expect(try ContentSniffer.sniff(bytes) == .png)
    }

    @Test func malformed_IsRefused() {
        #expect(throws: PNGMetadataStripper.Failure.notPNG) { try PNGMetadataStripper.strip(Array("GIF89a".utf8)) }
        #expect(throws: PNGMetadataStripper.Failure.missingIHDR) { try PNGMetadataStripper.strip(PNGMetadataStripper.signature + Self.idat + Self.iend) }
        #expect(throws: PNGMetadataStripper.Failure.truncated) { try PNGMetadataStripper.strip(PNGMetadataStripper.signature + Self.ihdr + Self.idat) }
        #expect(throws: PNGMetadataStripper.Failure.truncated) { try PNGMetadataStripper.strip(PNGMetadataStripper.signature + Array(Self.ihdr.prefix(10))) }
    }
}

@Suite("WebPMetadataStripper")
struct WebPMetadataStripperTests {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let n = data.count
        return Array(type.utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + data + (n % 2 == 1 ? [0] : [])
    }

    static func riff(_ chunks: [UInt8]) -> [UInt8] {
        let n = chunks.count + 4
        return Array("RIFF".utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array("WEBP".utf8) + chunks
    }

    static let vp8 = chunk("VP8 ", [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 1, 0, 1, 0, 0x02])
    static let icc = chunk("ICCP", [1, 2, 3, 4])

    @Test func exifAndXMP_AreRemoved_FlagsCleared_ImageKept() throws {
        let vp8x = Self.chunk("VP8X", [0x20 | 0x08 | 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let webp = Self.riff(vp8x + Self.icc + Self.vp8 + Self.chunk("EXIF", Array("MM\0*GPS".utf8)) + Self.chunk("XMP ", Array("<x:xmpmeta/>".utf8))) + Array("<html>".utf8)
        let (bytes, removed) = try WebPMetadataStripper.strip(webp)
        let cleared = Self.chunk("VP8X", [0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(bytes == Self.riff(cleared + Self.icc + Self.vp8))
        #expect(removed == ["EXIF", "XMP ", "6 bytes after the RIFF chunk"])
        #expect(try ContentSniffer.sniff(bytes) == .webp)
        #expect(try WebPMetadataStripper.strip(bytes).bytes == bytes)
    }

    @Test func malformed_IsRefused() {
        #expect(throws: WebPMetadataStripper.Failure.notWebP) { try WebPMetadataStripper.strip(Array("RIFF\u{4}\0\0\0WAVE".utf8)) }
        #expect(throws: WebPMetadataStripper.Failure.truncated) { try WebPMetadataStripper.strip(Array(Self.riff(Self.vp8).dropLast(4))) }
        #expect(throws: WebPMetadataStripper.Failure.truncated) { try WebPMetadataStripper.strip(Self.riff(Array("VP8 ".utf8) + [200, 0, 0, 0, 1])) }
    }
}
