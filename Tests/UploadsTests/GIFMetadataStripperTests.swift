import Testing
import Uploads
import TestSupport

@Suite("GIFMetadataStripper")
struct GIFMetadataStripperTests {
    @Test("comments and XMP are removed; header, colours, looping, timing and the image are byte-exact")
    func commentAndXMP_AreRemoved_TheRestKept() throws {
        #expect(TinyGIF.photo.contains(subsequence: Array("GPS".utf8)) && TinyGIF.photo.contains(subsequence: Array("XMP DataXMP".utf8)))
        let (bytes, removed) = try GIFMetadataStripper.strip(TinyGIF.photo)
        #expect(bytes == TinyGIF.plain)
        #expect(removed == ["comment", "application XMPData", "6 bytes after the trailer"])
        #expect(!bytes.contains(subsequence: Array("GPS".utf8)) && !bytes.contains(subsequence: Array("Mill Road".utf8)) && !bytes.contains(subsequence: Array("<html>".utf8)))
        #expect(try ContentSniffer.sniff(bytes) == .gif)
        let again = try GIFMetadataStripper.strip(bytes)
        #expect(again.bytes == TinyGIF.plain && again.removed.isEmpty)
    }

    @Test func animExtsLooping_AndLocalColourTables_AreKept() throws {
        let anim: [UInt8] = [0x21, 0xFF, 11] + Array("ANIMEXTS1.0".utf8) + [3, 1, 5, 0, 0]
        let local: [UInt8] = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x80, 1, 2, 3, 4, 5, 6, 2, 2, 0x44, 0x01, 0]
        let noGlobal: [UInt8] = Array("GIF87a".utf8) + [1, 0, 1, 0, 0, 0, 0]
        let gif = noGlobal + anim + [0x21, 0x01, 12] + [UInt8](repeating: 0, count: 12) + [0] + local + [0x3B]
        let stripped = try GIFMetadataStripper.strip(gif)
        #expect(stripped.bytes == gif && stripped.removed.isEmpty)
    }

    @Test func malformed_IsRefused_NeverCrashes() {
        #expect(throws: GIFMetadataStripper.Failure.notGIF) { try GIFMetadataStripper.strip(Array("GIF90a".utf8)) }
        #expect(throws: GIFMetadataStripper.Failure.notGIF) { try GIFMetadataStripper.strip(Array("GIF8".utf8)) }
        #expect(throws: GIFMetadataStripper.Failure.unknownBlock(offset: TinyGIF.header.count)) {
            try GIFMetadataStripper.strip(TinyGIF.header + [0x42] + TinyGIF.trailer)
        }
        for length in TinyGIF.header.count..<TinyGIF.plain.count {
            #expect(throws: GIFMetadataStripper.Failure.truncated, "cut at \(length)") { try GIFMetadataStripper.strip(TinyGIF.photo.prefix(length)) }
        }
    }
}
