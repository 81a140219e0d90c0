import Credentials
import Foundation
import HTTPServer
import Testing
import TestSupport
import TicketStore
import Uploads
@testable import WebGateway

/// The check after a body was received (`AttachmentIntake.check`), on real files: read in 64 KiB
/// chunks, stripped into a new incoming file, hashed as written, then stored by rename.
@Suite("AttachmentIntake check (files)")
struct AttachmentIntakeTests {
    /// A JPEG of about 300 KB with EXIF, a scan whose stuffed FF bytes straddle chunk boundaries,
    /// and HTML after EOI.
    static let largeJPEG: [UInt8] = {
        var scan: [UInt8] = []
        var x: UInt32 = 12_345
        while scan.count < 300_000 {
            x = x &* 1_103_515_245 &+ 12_345
            let byte = UInt8(truncatingIfNeeded: x >> 16)
            scan += byte == 0xFF ? [0xFF, 0x00] : [byte]
        }
        return TinyJPEG.soi + TinyJPEG.jfif + TinyJPEG.exifWithGPS + TinyJPEG.dqt + TinyJPEG.sof0 + TinyJPEG.dhtDC + TinyJPEG.dhtAC
            + TinyJPEG.sos + scan + TinyJPEG.eoi + Array("<html><script>alert(1)</script>".utf8)
    }()

    static let webp: [UInt8] = {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let n = data.count
            return Array(type.utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), 0] + data + (n % 2 == 1 ? [0] : [])
        }
        let chunks = chunk("VP8X", [0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0]) + chunk("VP8 ", [UInt8](repeating: 0x9D, count: 150_001))
            + chunk("EXIF", Array("MM\0*GPS 52N".utf8))
        let n = chunks.count + 4
        return Array("RIFF".utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), 0] + Array("WEBP".utf8) + chunks
    }()

    /// Text whose 4-byte scalar straddles the 64 KiB boundary of the reads.
    static let straddlingText = [UInt8](repeating: UInt8(ascii: "a"), count: 65_535) + Array("𝄞 Größe\n".utf8) + Array(repeating: UInt8(ascii: "b"), count: 70_000)

    static let accepted: [(String, [UInt8], AttachmentType)] = [
        ("photo.jpg", TinyJPEG.photo, .jpeg), ("large.jpg", largeJPEG, .jpeg), ("shot.png", PNGFixture.plain, .png),
        ("pic.webp", webp, .webp), ("loop.gif", TinyGIF.photo, .gif), ("IMG_0001.HEIC", TinyHEIC.photo(), .heic),
        ("doc.pdf", Array("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj".utf8) + [UInt8](repeating: 0x20, count: 100_000), .pdf),
        ("long.txt", straddlingText, .text),
    ]

    /// The whole-buffer form of what the stored file must be.
    static func expected(_ bytes: [UInt8], _ type: AttachmentType) throws -> [UInt8] {
        switch type {
        case .jpeg: try JPEGMetadataStripper.strip(bytes)
        case .png: try PNGMetadataStripper.strip(bytes).bytes
        case .webp: try WebPMetadataStripper.strip(bytes).bytes
        case .gif: try GIFMetadataStripper.strip(bytes).bytes
        case .heic: try HEICMetadataStripper.strip(bytes).bytes
        case .pdf, .text: bytes
        }
    }

    static func received(_ dir: TemporaryDirectory, _ name: String, _ bytes: [UInt8]) throws -> ReceivedUpload.File {
        let path = dir.path("received-\(name)")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return ReceivedUpload.File(field: "file", filename: name, path: path, size: bytes.count)
    }

    @Test("each accepted type is stored as its whole-buffer strip gives it, named by the SHA-256 of the stored bytes")
    func accepted_StoredAsTheWholeBufferStrip() throws {
        let dir = try TemporaryDirectory("intake")
        defer { dir.remove() }
        let files = AttachmentFiles(dataDirectory: dir.path)
        for (name, bytes, type) in Self.accepted {
            let checked = try AttachmentIntake.check(try Self.received(dir, name, bytes), maxFileBytes: 10 << 20, files: files)
            #expect(checked.type == type, "\(name)")
            let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: checked.path)))
            #expect(written == (try Self.expected(bytes, type)), "\(name)")
            #expect(checked.size == Int64(written.count))
            #expect(checked.sha256 == hexString(SHA256.hash(written)), "\(name)")
            try files.store(incoming: checked.path, sha256: checked.sha256)
            #expect(try files.read(sha256: checked.sha256) == written)
            #expect(!FileManager.default.fileExists(atPath: checked.path))
        }
        for marker in ["GPS", "Mill Road", "SERIAL", "<html>"] {
            for (name, bytes, type) in Self.accepted where type != .text && type != .pdf {
                let stored = try files.read(sha256: hexString(SHA256.hash(try Self.expected(bytes, type))))
                #expect(!Data(stored).contains(Data(marker.utf8)), "\(marker) in stored \(name)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.incomingDirectory).isEmpty)
    }

    @Test("refusals leave nothing in incoming/: the type (415), a damaged image (422), the size (413)")
    func refused_LeaveNothingBehind() throws {
        let dir = try TemporaryDirectory("intake")
        defer { dir.remove() }
        let files = AttachmentFiles(dataDirectory: dir.path)
        let cases: [(String, [UInt8], HTTPStatus)] = [
            ("door.svg", Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8), .unsupportedMediaType),
            ("late.svg", [UInt8](repeating: 0x20, count: 100_000) + Array("<svg/>".utf8), .unsupportedMediaType),
            ("cut.txt", Array(Self.straddlingText.prefix(65_537)), .unsupportedMediaType),
            ("cut.jpg", Array(Self.largeJPEG.prefix(200_000)), .unprocessableContent),
            ("cut.heic", Array(TinyHEIC.photo().dropLast(3)), .unprocessableContent),
            ("cut.gif", Array(TinyGIF.plain.dropLast()), .unprocessableContent),
            ("big.txt", [UInt8](repeating: UInt8(ascii: "x"), count: 1_000_001), .contentTooLarge),
            ("empty.txt", [], .unsupportedMediaType),
            ("noise.bin", [UInt8](repeating: UInt8(ascii: "n"), count: 70_000) + [0x00] + [UInt8](repeating: 7, count: 200_000), .unsupportedMediaType),
        ]
        for (name, bytes, status) in cases {
            let file = try Self.received(dir, name, bytes)
            #expect(throws: AttachmentIntake.Refused.self, "\(name)") {
                do {
                    _ = try AttachmentIntake.check(file, maxFileBytes: 1_000_000, files: files)
                } catch let refused as AttachmentIntake.Refused {
                    #expect(refused.status == status, "\(name): \(refused.message)")
                    #expect(refused.message.hasPrefix(name), "\(refused.message)")
                    throw refused
                }
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.incomingDirectory).isEmpty)
    }

    @Test("storing a hash that exists already removes the incoming copy and keeps the stored file")
    func storeIncoming_ExistingHash() throws {
        let dir = try TemporaryDirectory("intake")
        defer { dir.remove() }
        let files = AttachmentFiles(dataDirectory: dir.path)
        for _ in 0..<2 {
            let checked = try AttachmentIntake.check(try Self.received(dir, "photo.jpg", TinyJPEG.photo), maxFileBytes: 1 << 20, files: files)
            try files.store(incoming: checked.path, sha256: checked.sha256)
            #expect(!FileManager.default.fileExists(atPath: checked.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.incomingDirectory).isEmpty)
        #expect(try files.read(sha256: hexString(SHA256.hash(try JPEGMetadataStripper.strip(TinyJPEG.photo)))) == (try JPEGMetadataStripper.strip(TinyJPEG.photo)))
    }
}
