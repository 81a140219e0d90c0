/// Arithmetic in GF(2^8) with the QR code's field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D),
/// whose generator α = 2 (ISO/IEC 18004, 7.5.2). Multiplication goes through log/antilog tables:
/// the Reed–Solomon encoder multiplies once per data codeword per check codeword.
enum GaloisField {
    /// `exp[i]` = α^i for i in 0..<255, repeated once so `exp[log a + log b]` needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return table
    }()

    /// `log[a]` for a ≠ 0; `log[0]` is unused (zero has no logarithm).
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }

    /// α^power for power ≥ 0.
    static func power(_ power: Int) -> UInt8 { exp[power % 255] }
}
