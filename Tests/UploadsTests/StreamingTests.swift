import Testing
import Uploads
import TestSupport

/// Feeding in chunks: every sniffer and stripper gives, for any chunk size, exactly what its
/// whole-buffer function gives (bytes, what was removed, or the error).
@Suite("Streaming checks")
struct StreamingTests {
    static let chunkSizes = [1, 7, 64 * 1024]

    /// `bytes` cut into pieces of `size`.
    static func pieces(_ bytes: [UInt8], _ size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }

    /// A JPEG over 64 KiB: a maximal APP1 (EXIF-like), then a long scan with stuffed bytes,
    /// restart markers and fill bytes, so segments and FF pairs straddle chunk boundaries.
    static let largeJPEG: [UInt8] = {
        var rng = SplitMix(seed: 18)
        var scan: [UInt8] = []
        for n in 0..<150_000 {
            let byte = UInt8(truncatingIfNeeded: rng.next())
            scan.append(byte)
            if byte == 0xFF { scan.append(0x00) }
            if n % 40_000 == 39_999 { scan += [0xFF, 0xD0 + UInt8(n / 40_000 % 8)] }
        }
        let app1 = TinyJPEG.segment(0xE1, Array("Exif\0\0".utf8) + [UInt8](repeating: 0x47, count: 65_527))
        return TinyJPEG.soi + TinyJPEG.jfif + app1 + TinyJPEG.dqt + TinyJPEG.sof0 + TinyJPEG.dhtDC + TinyJPEG.dhtAC
            + TinyJPEG.sos + scan + [0xFF, 0xFF] + TinyJPEG.comment + TinyJPEG.sos + [0x3F] + TinyJPEG.eoi + Array("<html>".utf8)
    }()

    static let png = PNGMetadataStripper.signature + PNGMetadataStripperTests.ihdr + PNGMetadataStripperTests.chunk("tEXt", Array("Author\0Me".utf8))
        + PNGMetadataStripperTests.srgb + PNGMetadataStripperTests.chunk("IDAT", [UInt8](repeating: 0x5A, count: 70_000))
        + PNGMetadataStripperTests.chunk("eXIf", Array("MM\0*GPS".utf8)) + PNGMetadataStripperTests.iend + Array("<html>".utf8)
    static let webp = WebPMetadataStripperTests.riff(WebPMetadataStripperTests.chunk("VP8X", [0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        + WebPMetadataStripperTests.icc + WebPMetadataStripperTests.chunk("VP8 ", [UInt8](repeating: 0x9D, count: 70_001))
        + WebPMetadataStripperTests.chunk("EXIF", Array("MM\0*GPS".utf8)) + WebPMetadataStripperTests.chunk("XMP ", Array("<x:xmpmeta/>".utf8))) + [1, 2, 3]

    /// Every fixture of the stripper and sniffer tests, whole, cut short and damaged.
    static let fixtures: [(String, [UInt8])] = {
        var list: [(String, [UInt8])] = [
            ("JPEG photo", TinyJPEG.photo), ("plain JPEG", TinyJPEG.plain), ("JPEG polyglot", TinyJPEG.polyglot),
            ("large JPEG", largeJPEG), ("PNG", png), ("WebP", webp), ("GIF", TinyGIF.photo), ("plain GIF", TinyGIF.plain),
            ("HEIC", TinyHEIC.photo()), ("HEIC, EXIF in idat", TinyHEIC.photo(version: 2, size: 8, exifInIdat: true)),
            ("text", Array("The lift in building C stops between floors.\r\n".utf8)),
            ("long UTF-8 text", Array(String(repeating: "Größe ÄÖÜ € 𝄞 ", count: 9_000).utf8)),
            ("HTML", Array("\r\n\t <HTML><body>hi".utf8)), ("SVG after BOM", [0xEF, 0xBB, 0xBF] + Array("\n  <?xml version=\"1.0\"?>\n<svg/>".utf8)),
            ("script", Array("#!/bin/sh\nrm -rf /\n".utf8)), ("Latin-1", [0x47, 0x72, 0xF6, 0xDF, 0x65]),
            ("PE", Array("MZ".utf8) + [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF]), ("empty", []),
        ]
        for (name, bytes) in list where bytes.count > 20 {
            list.append(("\(name) cut short", Array(bytes.prefix(bytes.count * 2 / 3))))
            var damaged = bytes
            damaged[bytes.count / 3] ^= 0xFF
            list.append(("\(name) with a byte flipped", damaged))
        }
        return list
    }()

    /// A comparable answer: the bytes and what was removed, or the error.
    static func outcome<E: Error>(_ body: () throws(E) -> ([UInt8], String)) -> String {
        do throws(E) {
            let (bytes, removed) = try body()
            return "\(bytes.count) \(bytes.hashValue) \(bytes.prefix(64)) \(bytes.suffix(64)) \(removed)"
        } catch {
            return "error \(error)"
        }
    }

    static func same(_ whole: [UInt8], _ chunked: [UInt8]) -> Bool { whole == chunked }

    @Test(arguments: chunkSizes)
    func sniffer_GivesTheWholeBufferAnswer_ForEveryChunkSize(_ size: Int) {
        for (name, bytes) in Self.fixtures {
            var stream = ContentSniffer.Stream()
            Self.pieces(bytes, size).forEach { stream.feed($0) }
            let whole = Result { () throws(RefusedContent) in try ContentSniffer.sniff(bytes) }
            let chunked = Result { () throws(RefusedContent) in try stream.finish() }
            #expect(whole == chunked, "\(name) in chunks of \(size)")
        }
    }

    @Test(arguments: chunkSizes)
    func strippers_GiveTheWholeBufferOutput_ForEveryChunkSize(_ size: Int) {
        for (name, bytes) in Self.fixtures {
            let parts = Self.pieces(bytes, size)
            let jpeg = Self.outcome { () throws(JPEGError) in
                var s = JPEGMetadataStripper.Stream(), out: [UInt8] = []
                for p in parts { try s.feed(p, into: &out) }
                let removed = try s.finish()
                return (out, "\(removed)")
            }
            #expect(jpeg == Self.outcome { () throws(JPEGError) in
                let (b, removed) = try JPEGMetadataStripper.stripReporting(bytes)
                return (b, "\(removed)")
            }, "JPEG: \(name) in chunks of \(size)")

            let png = Self.outcome { () throws(PNGMetadataStripper.Failure) in
                var s = PNGMetadataStripper.Stream(), out: [UInt8] = []
                for p in parts { try s.feed(p, into: &out) }
                return (out, "\(try s.finish())")
            }
            #expect(png == Self.outcome { () throws(PNGMetadataStripper.Failure) in
                let (b, removed) = try PNGMetadataStripper.strip(bytes)
                return (b, "\(removed)")
            }, "PNG: \(name) in chunks of \(size)")

            let webp = Self.outcome { () throws(WebPMetadataStripper.Failure) in
                var s = WebPMetadataStripper.Stream(), out: [UInt8] = []
                for p in parts { try s.feed(p, into: &out) }
                let (header, removed) = try s.finish()
                #expect(out.prefix(4) == header.prefix(4) && out.dropFirst(8).prefix(4) == header.suffix(4))
                out.replaceSubrange(0..<12, with: header)
                return (out, "\(removed)")
            }
            #expect(webp == Self.outcome { () throws(WebPMetadataStripper.Failure) in
                let (b, removed) = try WebPMetadataStripper.strip(bytes)
                return (b, "\(removed)")
            }, "WebP: \(name) in chunks of \(size)")

            let gif = Self.outcome { () throws(GIFMetadataStripper.Failure) in
                var s = GIFMetadataStripper.Stream(), out: [UInt8] = []
                for p in parts { try s.feed(p, into: &out) }
                return (out, "\(try s.finish())")
            }
            #expect(gif == Self.outcome { () throws(GIFMetadataStripper.Failure) in
                let (b, removed) = try GIFMetadataStripper.strip(bytes)
                return (b, "\(removed)")
            }, "GIF: \(name) in chunks of \(size)")

            let heic = Self.outcome { () throws(HEICMetadataStripper.Failure) in
                let plan = try HEICMetadataStripper.plan(front: bytes.prefix(HEICMetadataStripper.maxFrontBytes), fileSize: bytes.count)
                var zeroing = HEICMetadataStripper.Zeroing(plan.zeroed), out: [UInt8] = []
                for p in parts {
                    var chunk = Array(p)
                    zeroing.apply(&chunk)
                    out += chunk
                }
                return (out, "\(plan.removed)")
            }
            #expect(heic == Self.outcome { () throws(HEICMetadataStripper.Failure) in
                let (b, removed) = try HEICMetadataStripper.strip(bytes)
                return (b, "\(removed)")
            }, "HEIC: \(name) in chunks of \(size)")
        }
    }

    @Test("a UTF-8 sequence cut by a chunk boundary is carried over, at every cut")
    func utf8Sequence_StraddlingAChunkBoundary_IsText() throws {
        // 65 535 ASCII bytes, then a 4-byte scalar across the 64 KiB boundary.
        let text = [UInt8](repeating: UInt8(ascii: "a"), count: 65_535) + Array("𝄞 Größe €\n".utf8)
        for cut in 65_533...65_541 {
            var stream = ContentSniffer.Stream()
            stream.feed(text[..<cut])
            stream.feed(text[cut...])
            #expect(try stream.finish() == .text, "cut at \(cut)")
        }
        var bytewise = ContentSniffer.Stream()
        for byte in Array("é€𝄞".utf8) { bytewise.feed([byte]) }
        #expect(try bytewise.finish() == .text)
    }

    @Test("text is valid UTF-8 to its last byte: a sequence left open, or broken after the boundary, is refused")
    func utf8_BrokenAtOrAfterABoundary_IsRefused() {
        let prefix = [UInt8](repeating: UInt8(ascii: "a"), count: 65_536)
        let cases: [(String, [UInt8])] = [
            ("open at the end", prefix + [0xF0, 0x9D, 0x84]),
            ("overlong after the boundary", Array(prefix.dropLast()) + [0xE0, 0x80, 0x80]),
            ("surrogate after the boundary", Array(prefix.dropLast(2)) + [0xED, 0xA0, 0x80]),
            ("past U+10FFFF", prefix + [0xF4, 0x90, 0x80, 0x80]),
            ("NUL deep in the file", prefix + [0x00] + prefix),
        ]
        for (name, bytes) in cases {
            var stream = ContentSniffer.Stream()
            Self.pieces(bytes, 64 * 1024).forEach { stream.feed($0) }
            #expect(throws: RefusedContent.unknown, "\(name)") { try stream.finish() }
            #expect(throws: RefusedContent.unknown, "\(name), whole") { try ContentSniffer.sniff(bytes) }
        }
    }

    @Test("a binary type is decided from the head alone, so the rest is never scanned as text")
    func binaryType_IsDecidedFromTheHead() throws {
        var stream = ContentSniffer.Stream()
        stream.feed(Self.largeJPEG.prefix(ContentSniffer.headLength - 1))
        #expect(try stream.binaryType() == nil)
        stream.feed(Self.largeJPEG[(ContentSniffer.headLength - 1)...])
        #expect(try stream.binaryType() == .jpeg)
        var text = ContentSniffer.Stream()
        text.feed([UInt8](repeating: 0x20, count: ContentSniffer.headLength))
        #expect(try text.binaryType() == nil)
        #expect(try text.binaryType(atEnd: true) == nil)
    }

    @Test("markup after a long run of leading whitespace is still found")
    func markup_AfterLongLeadingWhitespace_IsRefused() {
        let bytes = [UInt8](repeating: 0x20, count: 200_000) + Array("<svg onload=alert(1)>".utf8)
        var stream = ContentSniffer.Stream()
        Self.pieces(bytes, 7 * 1024).forEach { stream.feed($0) }
        #expect(throws: RefusedContent.markup("SVG")) { try stream.finish() }
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
