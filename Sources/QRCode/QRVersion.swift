/// A QR code version, 1 (21 × 21 modules) to 40 (177 × 177), with what the standard's tables say
/// about it at error correction level M, the only level CampusDesk encodes: M recovers about 15 %
/// of damaged codewords, enough for a printed poster, and keeps a 200-character URL at version 10.
public struct QRVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let number: Int

    public static let minimum = QRVersion(unchecked: 1)
    public static let maximum = QRVersion(unchecked: 40)
    public static let all = (1...40).map(QRVersion.init(unchecked:))

    /// nil outside 1...40.
    public init?(_ number: Int) {
        guard (1...40).contains(number) else { return nil }
        self.number = number
    }

    private init(unchecked number: Int) { self.number = number }

    public static func < (a: QRVersion, b: QRVersion) -> Bool { a.number < b.number }
    public var description: String { "\(number)-M" }

    /// Modules per side.
    public var size: Int { 17 + 4 * number }

    /// Row and column centres of the alignment patterns (Annex E): evenly spaced from the last
    /// (size − 7) back towards 6 with an even step, the first gap taking the slack.
    var alignmentPositions: [Int] {
        guard number > 1 else { return [] }
        let count = number / 7 + 2
        let step = (number * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var positions = [6]
        for i in 0..<(count - 1) { positions.insert(size - 7 - i * step, at: 1) }
        return positions
    }

    /// Modules left for codewords once the function patterns and the format and version
    /// information are drawn, counted instead of tabulated (it matches Table 1).
    var dataModules: Int {
        var modules = (16 * number + 128) * number + 64
        if number >= 2 {
            let count = number / 7 + 2
            modules -= (25 * count - 10) * count - 55
            if number >= 7 { modules -= 36 }
        }
        return modules
    }

    /// All codewords, data and check; a few remainder bits (0, 3, 4 or 7) are left over.
    var totalCodewords: Int { dataModules / 8 }

    /// Table 9 at level M: check codewords per block and number of blocks.
    var checkCodewordsPerBlock: Int { Self.checkCodewordsPerBlockM[number - 1] }
    var blockCount: Int { Self.blockCountM[number - 1] }

    var dataCodewords: Int { totalCodewords - checkCodewordsPerBlock * blockCount }

    /// Bits of the byte-mode character count indicator (Table 3).
    var byteCountBits: Int { number <= 9 ? 8 : 16 }

    /// The longest byte string this version holds at level M in one byte-mode segment.
    public var byteCapacity: Int { byteCapacity(headerBits: 0) }

    /// The same after `headerBits` of other segments (an ECI header takes 12).
    func byteCapacity(headerBits: Int) -> Int {
        let bits = dataCodewords * 8 - headerBits - 4 - byteCountBits
        return min(bits / 8, (1 << byteCountBits) - 1)
    }

    private static let checkCodewordsPerBlockM = [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]
    private static let blockCountM = [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ]
}
