/// The two BCH-protected words a decoder reads before anything else (ISO/IEC 18004, 7.9 and 7.10).
enum QRFormatInfo {
    /// Level M's two bits in the format information (L = 01, M = 00, Q = 11, H = 10).
    static let levelMBits = 0b00

    /// 15 bits: level and mask (5 bits), their BCH(15,5) remainder by x^10 + x^8 + x^5 + x^4 + x^2 + x + 1
    /// (0x537), XORed with 101010000010010 so that no combination yields all zeros.
    static func formatBits(mask: QRMask) -> Int {
        let data = levelMBits << 3 | mask.reference
        return (data << 10 | remainder(data, bits: 10, polynomial: 0x537)) ^ 0x5412
    }

    /// 18 bits for versions 7 and up: the version number (6 bits) and its BCH(18,6) remainder by
    /// x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1 (0x1F25); not masked.
    static func versionBits(_ version: QRVersion) -> Int {
        version.number << 12 | remainder(version.number, bits: 12, polynomial: 0x1F25)
    }

    /// The remainder of data·x^bits divided by `polynomial` (of degree `bits`) over GF(2).
    private static func remainder(_ data: Int, bits: Int, polynomial: Int) -> Int {
        var r = data
        for _ in 0..<bits { r = (r << 1) ^ ((r >> (bits - 1)) & 1 == 1 ? polynomial : 0) }
        return r & ((1 << bits) - 1)
    }
}
