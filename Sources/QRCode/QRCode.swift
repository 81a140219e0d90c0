/// A QR code symbol (ISO/IEC 18004) holding bytes in one byte-mode segment at error correction
/// level M, as a square of dark and light modules. Written by hand because the package takes no
/// dependencies; the tests decode its output with a real decoder (zbarimg). The quiet zone (four
/// light modules around the symbol) is not part of the matrix: the renderers add it.
public struct QRCode: Sendable, Equatable {
    public let version: QRVersion
    public let mask: QRMask
    /// Modules per side (without the quiet zone).
    public var size: Int { version.size }
    private let modules: [Bool]

    /// Encodes `text` as UTF-8. Byte mode means ISO-8859-1 unless an ECI header says otherwise
    /// (ISO/IEC 18004:2015, 7.4.2), and decoders left to guess read UTF-8 as Shift JIS often
    /// enough (zbarimg turns "教学楼" into "謨吝ｭｦ讌ｼ"), so text beyond ASCII is preceded by
    /// ECI 26 (UTF-8). ASCII, which every URL is, reads the same whatever they guess and goes without it.
    public init(text: String, minimumVersion: QRVersion = .minimum, mask: QRMask? = nil) throws(QRCodeError) {
        let bytes = Array(text.utf8)
        try self.init(bytes: bytes, eci: bytes.allSatisfy { $0 < 0x80 } ? nil : Self.utf8ECI, minimumVersion: minimumVersion, mask: mask)
    }

    /// Encodes `bytes` in one byte-mode segment without a charset (so ISO-8859-1 to a decoder),
    /// in the smallest version from `minimumVersion` up that holds them, with `mask` or else the
    /// mask of lowest penalty.
    public init(bytes: [UInt8], minimumVersion: QRVersion = .minimum, mask: QRMask? = nil) throws(QRCodeError) {
        try self.init(bytes: bytes, eci: nil, minimumVersion: minimumVersion, mask: mask)
    }

    /// The ECI assignment number of UTF-8.
    static let utf8ECI = 26

    private init(bytes: [UInt8], eci: Int?, minimumVersion: QRVersion, mask: QRMask?) throws(QRCodeError) {
        let header = eci == nil ? 0 : 12
        guard let version = QRVersion.all.first(where: { $0 >= minimumVersion && $0.byteCapacity(headerBits: header) >= bytes.count }) else {
            throw .dataTooLong(byteCount: bytes.count, maximum: QRVersion.maximum.byteCapacity(headerBits: header))
        }
        var matrix = QRMatrix(version: version)
        matrix.place(codewords: Self.interleavedCodewords(Self.dataCodewords(bytes, version, eci: eci), version))

        let candidates = (mask.map { [$0] } ?? QRMask.all).map { ($0, Self.masked(matrix, $0)) }
        // The first of equal penalties wins, so the choice is deterministic.
        var best = candidates[0]
        var bestPenalty = candidates.count == 1 ? 0 : best.1.penalty.score
        for candidate in candidates.dropFirst() {
            let penalty = candidate.1.penalty.score
            if penalty < bestPenalty { (best, bestPenalty) = (candidate, penalty) }
        }
        self.version = version
        self.mask = best.0
        self.modules = best.1.modules
    }

    /// The standard's penalty score of the finished symbol (the mask choice minimised it).
    var penalty: Int { QRPenalty(size: size, modules: modules).score }

    /// Whether the module at column `x`, row `y` (0..<size, from the top left) is dark.
    public subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    private static func masked(_ matrix: QRMatrix, _ mask: QRMask) -> QRMatrix {
        var m = matrix
        m.apply(mask)
        m.drawFormat(bits: QRFormatInfo.formatBits(mask: mask))
        return m
    }

    /// The data codewords (7.4): an optional ECI header (mode 0111, the assignment number in one
    /// byte when below 128), mode indicator 0100, the byte count, the bytes, a terminator of up to
    /// four zero bits, zero bits to a byte boundary, then the pad bytes 11101100 and 00010001 alternately.
    static func dataCodewords(_ bytes: [UInt8], _ version: QRVersion, eci: Int? = nil) -> [UInt8] {
        var bits = BitBuffer()
        if let eci {
            precondition((0..<128).contains(eci), "ECI numbers from 128 take more bytes; only UTF-8 (26) is used")
            bits.append(0b0111, count: 4)
            bits.append(eci, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version.byteCountBits)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacity = version.dataCodewords * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < version.dataCodewords {
            codewords.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return codewords
    }

    /// Splits the data into the version's blocks (the shorter ones first, 7.5.1), adds each block's
    /// Reed–Solomon check codewords, and interleaves (7.6): the first data codeword of every block,
    /// then the second, …, then the check codewords likewise, so a smudge spreads over all blocks.
    static func interleavedCodewords(_ data: [UInt8], _ version: QRVersion) -> [UInt8] {
        let blockCount = version.blockCount
        let checkCount = version.checkCodewordsPerBlock
        let longBlocks = version.totalCodewords % blockCount
        let shortDataLength = version.totalCodewords / blockCount - checkCount
        let rs = ReedSolomon(checkCodewords: checkCount)

        var dataBlocks: [ArraySlice<UInt8>] = []
        var start = 0
        for i in 0..<blockCount {
            let length = shortDataLength + (i >= blockCount - longBlocks ? 1 : 0)
            dataBlocks.append(data[start..<(start + length)])
            start += length
        }
        let checkBlocks = dataBlocks.map { rs.checkCodewords(for: $0) }

        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        for i in 0...shortDataLength {
            for block in dataBlocks where i < block.count { result.append(block[block.startIndex + i]) }
        }
        for i in 0..<checkCount {
            for block in checkBlocks { result.append(block[i]) }
        }
        return result
    }
}

public enum QRCodeError: Error, Equatable, Sendable {
    /// More bytes than version 40 holds at level M.
    case dataTooLong(byteCount: Int, maximum: Int)
}

/// Bits appended most significant first, read back as bytes.
struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count n: Int) {
        for i in stride(from: n - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 == 1 { bytes[bytes.count - 1] |= 0x80 >> (count % 8) }
            count += 1
        }
    }
}
