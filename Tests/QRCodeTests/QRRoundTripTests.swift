import Foundation
@testable import QRCode
import TestSupport
import Testing

/// Encode → PGM → zbarimg → the same bytes: the encoder judged by a decoder written by others.
@Suite(.onDedicatedThreads) struct QRRoundTripTests {
    @Test("250 seeded random URLs and texts of 1 to 240 bytes decode to themselves")
    func randomTexts_decodeToThemselves() throws {
        var random = SplitMix64(seed: 18)
        let texts = (0..<250).map { i in Self.randomText(bytes: i < 10 ? i + 1 : Int.random(in: 1...240, using: &random), using: &random) }
        try roundTrip(texts)
    }

    @Test("The longest text of every version, and one byte more, decode to themselves")
    func versionBoundaries_decodeToThemselves() throws {
        var random = SplitMix64(seed: 40)
        var texts: [String] = []
        var versions: [Int] = []
        for version in QRVersion.all {
            for length in [version.byteCapacity, version.byteCapacity + 1] where length <= QRVersion.maximum.byteCapacity {
                texts.append(Self.randomASCII(bytes: length, using: &random))
                versions.append(length == version.byteCapacity ? version.number : version.number + 1)
            }
        }
        let codes = try roundTrip(texts)
        #expect(codes.map(\.version.number) == versions)
    }

    @Test("40 seeded random URLs as SVG files, rasterised by zbarimg's ImageMagick, decode to themselves")
    func svgFiles_decodeToThemselves() throws {
        var random = SplitMix64(seed: 1804)
        let texts = (0..<40).map { _ in Self.randomText(bytes: Int.random(in: 1...260, using: &random), using: &random) }
        try roundTrip(texts, asSVG: true)
    }

    @Test("Each of the eight masks decodes, at a version with version information")
    func everyMask_decodes() throws {
        let text = "https://desk.campus.example/tickets/new?location=Geb%C3%A4ude%20C%2C%20Aufzug%202"
        let version = try #require(QRVersion(7))
        let codes = try roundTrip(Array(repeating: text, count: 8), masks: QRMask.all, minimumVersion: version)
        #expect(codes.map(\.mask) == QRMask.all)
        #expect(codes.allSatisfy { $0.version == version })
    }

    /// Encodes each text (with `masks[i]` if given), writes PGMs (or the SVG renderer's output),
    /// decodes them all in one zbarimg run and expects every decoded byte string to equal its text's UTF-8.
    @discardableResult
    private func roundTrip(
        _ texts: [String], masks: [QRMask]? = nil, minimumVersion: QRVersion = .minimum, asSVG: Bool = false
    ) throws -> [QRCode] {
        let directory = try TemporaryDirectory("qr")
        defer { directory.remove() }
        let codes = try texts.indices.map { i in try QRCode(text: texts[i], minimumVersion: minimumVersion, mask: masks?[i]) }
        let files = codes.indices.map { directory.path("\($0).\(asSVG ? "svg" : "pgm")") }
        for (code, file) in zip(codes, files) {
            // Three pixels a module, as the PGMs have: ImageMagick renders an SVG at its width.
            let image = asSVG ? Array(code.svg(width: "\((code.size + 2 * QRCode.quietZone) * 3)").utf8) : code.pgm()
            #expect(FileManager.default.createFile(atPath: file, contents: Data(image)))
        }
        let decoded = try ZBar.decode(files)
        for i in texts.indices where decoded[i] != Array(texts[i].utf8) {
            let got = decoded[i].map { String(decoding: $0, as: UTF8.self) } ?? "nothing"
            Issue.record("case \(i) (\(codes[i].version), \(codes[i].mask), \(texts[i].utf8.count) bytes): encoded \(texts[i].debugDescription), zbarimg read \(got.debugDescription)")
        }
        return codes
    }

    /// Pieces a URL to a report form is made of: ASCII, percent escapes of places with spaces,
    /// commas and accents, query punctuation, and raw UTF-8 (a place name typed in a poster's text).
    private static let pieces = [
        "https://desk.campus.example/tickets/new?location=", "Building%20C%2C%20lift%202", "&", "=", "%", "%25", "%26",
        "/", "?", "#", "+", "-", "_", ".", "~", "%C3%A9", "%E6%A5%BC", "Hörsaal", "Łódź", "教学楼", "Ålesund", "🚪",
        "a", "b", "x", "Z", "0", "7", " ", "lift", "room", "Bâtiment", "étage 3", "'", "\"", "<", ">", ";", "(", ")",
    ]

    /// A text of exactly `bytes` UTF-8 bytes (topped up with ASCII after the last whole piece that fits).
    static func randomText(bytes: Int, using random: inout SplitMix64) -> String {
        var text = ""
        while true {
            let piece = pieces.randomElement(using: &random)!
            guard text.utf8.count + piece.utf8.count <= bytes else { break }
            text += piece
        }
        return text + randomASCII(bytes: bytes - text.utf8.count, using: &random)
    }

    static func randomASCII(bytes: Int, using random: inout SplitMix64) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%&=/?:")
        return String((0..<bytes).map { _ in alphabet.randomElement(using: &random)! })
    }
}
