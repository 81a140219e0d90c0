@testable import QRCode
import Testing

/// The encoder's parts against values printed in ISO/IEC 18004 and worked examples, so a wrong
/// table or polynomial is caught by name, before a round trip fails for a reason hard to see.
@Suite struct QRKnownVectorTests {
    @Test("Reed–Solomon check codewords of the standard's 1-M example (Annex I, \"01234567\")")
    func reedSolomon_matchesAnnexI() {
        let data: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon(checkCodewords: 10).checkCodewords(for: data) == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test("Reed–Solomon check codewords of the worked 1-M example \"HELLO WORLD\"")
    func reedSolomon_matchesHelloWorld() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon(checkCodewords: 10).checkCodewords(for: data) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("GF(256): α^255 = 1, α^8 = 0x1D, and every nonzero element has an inverse")
    func galoisField_isAField() {
        #expect(GaloisField.power(255) == 1)
        #expect(GaloisField.power(8) == 0x1D)
        for a in 1...255 {
            let inverse = GaloisField.power(255 - GaloisField.log[a])
            #expect(GaloisField.multiply(UInt8(a), inverse) == 1)
        }
    }

    @Test("Byte mode data codewords: 0100, an 8-bit count, the bytes, terminator, pad bytes EC 11")
    func dataCodewords_byteMode_version1() throws {
        // 0100 00000010 01001000 01101001 0000 → 40 24 86 90, then pads to 16 codewords.
        let codewords = QRCode.dataCodewords(Array("Hi".utf8), try #require(QRVersion(1)))
        #expect(codewords == [0x40, 0x24, 0x86, 0x90, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
    }

    @Test("From version 10 the byte count takes 16 bits")
    func dataCodewords_byteMode_version10() throws {
        let codewords = QRCode.dataCodewords([0xFF], try #require(QRVersion(10)))
        // 0100 0000000000000001 11111111 0000 → 40 00 1F F0
        #expect(Array(codewords.prefix(5)) == [0x40, 0x00, 0x1F, 0xF0, 0xEC])
        #expect(codewords.count == 216)
    }

    @Test("Text beyond ASCII starts with ECI 26 (UTF-8): 0111 00011010, then byte mode")
    func dataCodewords_utf8ECI() throws {
        // 0111 00011010 0100 00000010 11000011 10101001 0000 0000 → 71 A4 02 C3 A9 00
        let codewords = QRCode.dataCodewords(Array("é".utf8), try #require(QRVersion(1)), eci: QRCode.utf8ECI)
        #expect(Array(codewords.prefix(8)) == [0x71, 0xA4, 0x02, 0xC3, 0xA9, 0x00, 0xEC, 0x11])
        // The header costs 12 bits: version 1 holds 14 ASCII bytes but 13 bytes of UTF-8.
        #expect(try QRCode(text: String(repeating: "a", count: 14)).version.number == 1)
        #expect(try QRCode(text: "é" + String(repeating: "a", count: 11)).version.number == 1)
        #expect(try QRCode(text: "é" + String(repeating: "a", count: 12)).version.number == 2)
    }

    @Test("Format information at level M for each mask (Annex C, Table C.1)")
    func formatBits_levelM() {
        let expected = [
            0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
            0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
        ]
        #expect(QRMask.all.map(QRFormatInfo.formatBits(mask:)) == expected)
    }

    @Test("Version information (Annex D, Table D.1)", arguments: [
        (7, 0x07C94), (8, 0x085BC), (9, 0x09A99), (10, 0x0A4D3), (40, 0x28C69),
    ])
    func versionBits(version: Int, bits: Int) throws {
        #expect(QRFormatInfo.versionBits(try #require(QRVersion(version))) == bits)
    }

    @Test("Codewords and byte capacity at level M (Tables 1 and 7)", arguments: [
        (1, 26, 14), (2, 44, 26), (3, 70, 42), (4, 100, 62), (5, 134, 84), (6, 172, 106),
        (7, 196, 122), (8, 242, 152), (9, 292, 180), (10, 346, 213), (40, 3706, 2331),
    ])
    func capacity(version: Int, codewords: Int, bytes: Int) throws {
        let v = try #require(QRVersion(version))
        #expect(v.totalCodewords == codewords)
        #expect(v.byteCapacity == bytes)
    }

    @Test("Alignment pattern centres (Annex E, Table E.1)", arguments: [
        (1, []), (2, [6, 18]), (7, [6, 22, 38]), (14, [6, 26, 46, 66]), (32, [6, 34, 60, 86, 112, 138]),
        (36, [6, 24, 50, 76, 102, 128, 154]), (39, [6, 26, 54, 82, 110, 138, 166]), (40, [6, 30, 58, 86, 114, 142, 170]),
    ])
    func alignmentPositions(version: Int, centres: [Int]) throws {
        #expect(try #require(QRVersion(version)).alignmentPositions == centres)
    }

    @Test("A 200-character URL needs version 10; 2332 bytes are too many for any version")
    func versionSelection() throws {
        #expect(try QRCode(text: String(repeating: "a", count: 200)).version.number == 10)
        #expect(try QRCode(text: String(repeating: "a", count: 180)).version.number == 9)
        #expect(throws: QRCodeError.dataTooLong(byteCount: 2332, maximum: 2331)) {
            try QRCode(bytes: Array(repeating: 0x61, count: 2332))
        }
    }

    @Test("Penalty rules N1 and N3 along a line, the quiet zone counting as light", arguments: [
        ("1011101", 80), ("111111", 4), ("11111", 3), ("1111", 0), ("000010111011", 40), ("110111010000", 40), ("10111011", 40),
        ("0000101110100001", 80), ("00000", 3), ("101110", 0),
    ])
    func penalty_line(line: String, score: Int) {
        let modules = line.map { $0 == "1" }
        #expect(QRPenalty(size: modules.count, modules: []).linePenalty { modules[$0] } == score)
    }

    @Test("Penalty of an all-light 5 × 5 square: 10 runs of five, 16 blocks, 0 % dark")
    func penalty_square() {
        #expect(QRPenalty(size: 5, modules: Array(repeating: false, count: 25)).score == 10 * 3 + 16 * 3 + 90)
    }

    @Test("The chosen mask has the lowest penalty of the eight")
    func maskChoice_isTheLowestPenalty() throws {
        let text = "https://desk.campus.example/tickets/new?location=Building%20C%2C%20lift%202"
        let chosen = try QRCode(text: text)
        let penalties = try QRMask.all.map { mask in try QRCode(text: text, mask: mask).penalty }
        #expect(chosen.penalty == penalties.min())
        #expect(chosen.mask.reference == penalties.firstIndex(of: penalties.min()!))
    }
}
