import TestSupport
@testable import QRCode
import Testing

/// zbarimg corrects errors silently: a symbol with a few wrong codewords per block still decodes
/// (swapping two data codewords in every block passed all the round trips). So each symbol is
/// also read back here the standard's way, written apart from the encoder (the zigzag, Table 10's
/// masks, de-interleaving), and must hold exactly the data codewords with every block's
/// Reed–Solomon syndromes zero: not one module may need correcting.
@Suite(.onDedicatedThreads) struct QRCodewordReadBackTests {
    @Test("Every version and mask reads back error-free", arguments: QRVersion.all)
    func readBack_isErrorFree(version: QRVersion) throws {
        var random = SplitMix64(seed: UInt64(version.number))
        let previous = QRVersion(version.number - 1)?.byteCapacity ?? 0
        for mask in QRMask.all {
            let length = Int.random(in: (previous + 1)...version.byteCapacity, using: &random)
            let text = QRRoundTripTests.randomASCII(bytes: length, using: &random)
            let code = try QRCode(text: text, mask: mask)
            #expect(code.version == version)
            try Self.expectErrorFree(code, data: QRCode.dataCodewords(Array(text.utf8), version))
        }
    }

    @Test("UTF-8 texts with their ECI header read back error-free")
    func readBack_utf8() throws {
        var random = SplitMix64(seed: 26)
        for _ in 0..<30 {
            let text = "Hörsaal " + QRRoundTripTests.randomText(bytes: Int.random(in: 1...300, using: &random), using: &random)
            let code = try QRCode(text: text)
            try Self.expectErrorFree(code, data: QRCode.dataCodewords(Array(text.utf8), code.version, eci: QRCode.utf8ECI))
        }
    }

    static func expectErrorFree(_ code: QRCode, data expected: [UInt8]) throws {
        let version = code.version
        let functions = QRMatrix(version: version)
        var bits: [Bool] = []
        var column = code.size - 1
        var upward = true
        while column > 0 {
            if column == 6 { column = 5 }  // the vertical timing pattern's column is skipped whole
            for k in 0..<code.size {
                let y = upward ? code.size - 1 - k : k
                for x in stride(from: column, through: column - 1, by: -1) where !functions.isFunctionModule(x: x, y: y) {
                    bits.append(code[x, y] != masked(code.mask.reference, row: y, column: x))
                }
            }
            upward.toggle()
            column -= 2
        }
        #expect(bits.count == version.dataModules)
        let codewords = (0..<version.totalCodewords).map { i in
            (0..<8).reduce(UInt8(0)) { byte, b in byte << 1 | (bits[i * 8 + b] ? 1 : 0) }
        }

        // Table 9: blocks of k data codewords, then blocks of k + 1; interleaved column by column.
        let blocks = version.blockCount, check = version.checkCodewordsPerBlock
        let long = version.totalCodewords % blocks
        let short = version.totalCodewords / blocks - check
        var dataBlocks = Array(repeating: [UInt8](), count: blocks)
        var checkBlocks = dataBlocks
        var next = codewords.makeIterator()
        for i in 0...short {
            for j in 0..<blocks where i < short || j >= blocks - long { dataBlocks[j].append(next.next()!) }
        }
        for _ in 0..<check {
            for j in 0..<blocks { checkBlocks[j].append(next.next()!) }
        }
        #expect(Array(dataBlocks.joined()) == expected, "\(version) \(code.mask): data codewords")
        // A Reed–Solomon codeword, as a polynomial, is zero at each root α^0 ... α^(check−1).
        var nonzero: [String] = []
        for j in 0..<blocks {
            for root in 0..<check {
                let x = GaloisField.power(root)
                let syndrome = (dataBlocks[j] + checkBlocks[j]).reduce(UInt8(0)) { GaloisField.multiply($0, x) ^ $1 }
                if syndrome != 0 { nonzero.append("block \(j) root \(root)") }
            }
        }
        #expect(nonzero.isEmpty, "\(version) \(code.mask): \(nonzero.count) nonzero syndromes, first \(nonzero.prefix(3))")
    }

    /// Table 10, with i the row and j the column, as printed.
    static func masked(_ reference: Int, row i: Int, column j: Int) -> Bool {
        switch reference {
        case 0: return (i + j) % 2 == 0
        case 1: return i % 2 == 0
        case 2: return j % 3 == 0
        case 3: return (i + j) % 3 == 0
        case 4: return ((i / 2) + (j / 3)) % 2 == 0
        case 5: return ((i * j) % 2) + ((i * j) % 3) == 0
        case 6: return (((i * j) % 2) + ((i * j) % 3)) % 2 == 0
        default: return (((i + j) % 2) + ((i * j) % 3)) % 2 == 0
        }
    }
}
