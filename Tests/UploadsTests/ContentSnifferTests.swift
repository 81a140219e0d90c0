import Testing
import Uploads
import TestSupport

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
private func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
    let size = 16 + 4 * compatible.count
    return [0, 0, 0, UInt8(size)] + bytes("ftyp" + major) + [0, 0, 0, 0] + compatible.flatMap(bytes) + [0, 0, 0, 8] + bytes("meta")
}

@Suite("ContentSniffer")
struct ContentSnifferTests {
    @Test(arguments: [
        ("PNG", PNGMetadataStripper.signature + PNGMetadataStripperTests.ihdr, AttachmentType.png),
        ("JPEG", TinyJPEG.plain, .jpeg),
        ("JPEG/HTML polyglot is a JPEG", TinyJPEG.polyglot, .jpeg),
        ("GIF89a", bytes("GIF89a") + [1, 0, 1, 0, 0x80, 0, 0], .gif),
        ("GIF87a", bytes("GIF87a") + [1, 0, 1, 0, 0x80, 0, 0], .gif),
        ("WebP lossy", bytes("RIFF") + [30, 0, 0, 0] + bytes("WEBPVP8 ") + [10, 0, 0, 0], .webp),
        ("WebP lossless", bytes("RIFF") + [30, 0, 0, 0] + bytes("WEBPVP8L") + [10, 0, 0, 0], .webp),
        ("HEIC from a phone", ftyp("heic", ["mif1", "heic"]), .heic),
        ("HEIF with heix among compatible brands", ftyp("mif1", ["mif1", "heix"]), .heic),
        ("PDF", bytes("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj"), .pdf),
        ("plain ASCII text", bytes("The lift in building C stops between floors.\r\n"), .text),
        ("UTF-8 text with BOM and tabs", [0xEF, 0xBB, 0xBF] + bytes("Größe\tÄrger\n"), .text),
        ("text that mentions <3 is not markup", bytes("<3 thanks for fixing it"), .text),
        ("markup later in text stays text", bytes("Error shown: <script>alert(1)</script>"), .text),
    ])
    func accepted_IsTypedByContent(_ name: String, _ content: [UInt8], _ type: AttachmentType) throws {
        #expect(try ContentSniffer.sniff(content) == type)
    }

    @Test(arguments: [
        ("empty", [], RefusedContent.empty),
        ("SVG", bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), .markup("SVG")),
        ("SVG after XML declaration, BOM and blank lines", [0xEF, 0xBB, 0xBF] + bytes("\n  <?xml version=\"1.0\"?>\n<svg/>"), .markup("SVG")),
        ("XML", bytes("<?xml version=\"1.0\"?><a/>"), .markup("XML")),
        ("HTML doctype", bytes("<!DOCTYPE html><title>x</title>"), .markup("HTML")),
        ("HTML tag after whitespace", bytes("\r\n\t <HTML><body>hi"), .markup("HTML")),
        ("script tag", bytes("<script>alert(1)</script>"), .markup("HTML")),
        ("HTML comment", bytes("<!-- x --><b>"), .markup("HTML")),
        ("PHP", bytes("<?php system($_GET['c']); ?>"), .script),
        ("shell script", bytes("#!/bin/sh\nrm -rf /\n"), .script),
        ("ZIP", [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0], .archive("ZIP")),
        ("gzip", [0x1F, 0x8B, 8, 0, 0, 0], .archive("gzip")),
        ("7-Zip", [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4], .archive("7-Zip")),
        ("RAR", bytes("Rar!\u{1A}\u{07}\u{0}"), .archive("RAR")),
        ("tar", [UInt8](repeating: 0x61, count: 100) + [UInt8](repeating: 0, count: 157) + bytes("ustar\u{0}00"), .archive("tar")),
        ("ELF", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], .executable("ELF")),
        ("Windows PE", bytes("MZ") + [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF], .executable("Windows (PE)")),
        ("Mach-O", [0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], .executable("Mach-O")),
        ("TIFF", [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], .unsupported("TIFF")),
        ("BMP", bytes("BM") + [0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0], .unsupported("BMP")),
        ("AVIF", ftyp("avif", ["mif1", "avif"]), .unsupported("AVIF")),
        ("MP4 video", ftyp("isom", ["isom", "mp42"]), .unsupported("MP4/QuickTime video")),
        ("WAV in RIFF", bytes("RIFF") + [30, 0, 0, 0] + bytes("WAVEfmt "), .unsupported("RIFF (WAVE)")),
        ("RIFF cut before its form type (found by the fuzzer)", bytes("RIFFF") + [0, 0x2D], .malformed("RIFF (truncated header)")),
        ("RIFF of exactly eight bytes", bytes("RIFF") + [4, 0, 0, 0], .malformed("RIFF (truncated header)")),
        ("old Office document", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], .unsupported("Microsoft Office (OLE2)")),
        ("PNG without IHDR", PNGMetadataStripper.signature + PNGMetadataStripperTests.idat, .malformed("PNG (no IHDR chunk first)")),
        ("text with NUL", bytes("abc\u{0}def"), .unknown),
        ("text with an escape sequence", bytes("ok\u{1B}[2J"), .unknown),
        ("Latin-1 text (not UTF-8)", [0x47, 0x72, 0xF6, 0xDF, 0x65], .unknown),
        ("random binary", [0x13, 0x37, 0xC0, 0xFF, 0xEE, 0x00, 0x42], .unknown),
    ])
    func refused_NamesWhatWasFound(_ name: String, _ content: [UInt8], _ refusal: RefusedContent) {
        #expect(throws: refusal) { try ContentSniffer.sniff(content) }
        #expect(!refusal.message.isEmpty)
    }

    @Test func refusalMessages_NameTheKindAndTheAcceptedTypes() {
        #expect(RefusedContent.markup("SVG").message.hasPrefix("SVG files are not accepted"))
        #expect(RefusedContent.archive("ZIP").message.contains("PNG, JPEG, GIF, WebP, HEIC, PDF"))
    }

    @Test func declaredNameAndTypeDoNotMatter_TheBytesDo() throws {
        // An SVG uploaded as "photo.png" with Content-Type image/png is still SVG.
        let body = crlf("--XyZ\nContent-Disposition: form-data; name=\"f\"; filename=\"photo.png\"\nContent-Type: image/png\n\n<svg onload=alert(1)>\n--XyZ--")
        let part = try #require(try MultipartParser.parse(body, contentType: formType).first)
        #expect(throws: RefusedContent.markup("SVG")) { try ContentSniffer.sniff(part.body) }
    }

    @Test func mediaTypes_AreTheStoredOnes() {
        #expect(AttachmentType.allCases.map(\.mediaType) == [
            "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain; charset=utf-8",
        ])
        #expect(AttachmentType.allCases.filter(\.isImage) == [.png, .jpeg, .gif, .webp, .heic])
    }
}

@Suite("FilenameSanitizer")
struct FilenameSanitizerTests {
    @Test(arguments: [
        ("photo.jpg", "photo.jpg"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\u{0}b.php", "ab.php"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        ("dir/", "file"),
        ("con:stream?.txt", "con_stream_.txt"),
        ("say \"hi\".txt", "say _hi_.txt"),
        ("trailing dot. ", "trailing dot"),
        ("zero\u{200B}width\u{FEFF}.png", "zerowidth.png"),
        ("inv\u{202E}fdp.exe", "invfdp.exe"),
    ])
    func sanitise(_ raw: String, _ safe: String) {
        #expect(FilenameSanitizer.sanitise(Array(raw.utf8)) == safe)
    }

    @Test func invalidUTF8_BecomesReplacementCharacters() {
        #expect(FilenameSanitizer.sanitise([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    }

    @Test func longName_IsCut_KeepingTheExtension() {
        let long = String(repeating: "x", count: 300) + ".jpeg"
        let safe = FilenameSanitizer.sanitise(Array(long.utf8))
        #expect(safe.unicodeScalars.count == FilenameSanitizer.maxScalars)
        #expect(safe.hasSuffix("x.jpeg"))
    }

    @Test func sanitising_IsIdempotent() {
        // The last: a cut that leaves the name ending in a dot (found by the multipart fuzz target).
        for raw in ["../a b/c..", "  .x.  ", "ä/ö\\ü", String(repeating: "é", count: 200) + ".txt",
                    String(repeating: "a", count: 119) + "." + String(repeating: "[", count: 40) + "T."] {
            let once = FilenameSanitizer.sanitise(Array(raw.utf8))
            #expect(FilenameSanitizer.sanitise(Array(once.utf8)) == once)
        }
    }
}
