/// Reed–Solomon check codewords over `GaloisField` (ISO/IEC 18004, 7.5.2): the remainder of the
/// data polynomial times x^n divided by the generator polynomial Π (x − α^i), i in 0..<n.
/// Addition and subtraction in GF(2^8) are both XOR, so "− α^i" is "+ α^i".
struct ReedSolomon: Sendable {
    /// The generator's coefficients, highest degree first, without the leading 1.
    let generator: [UInt8]

    init(checkCodewords n: Int) {
        var coefficients: [UInt8] = [1]
        for i in 0..<n {
            // Multiply by (x + α^i).
            var next = [UInt8](repeating: 0, count: coefficients.count + 1)
            let root = GaloisField.power(i)
            for (j, c) in coefficients.enumerated() {
                next[j] ^= c
                next[j + 1] ^= GaloisField.multiply(c, root)
            }
            coefficients = next
        }
        generator = Array(coefficients.dropFirst())
    }

    /// The check codewords for one block of `data`, as a linear-feedback shift register.
    func checkCodewords(for data: some Sequence<UInt8>) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            if factor != 0 {
                for j in 0..<generator.count { remainder[j] ^= GaloisField.multiply(generator[j], factor) }
            }
        }
        return remainder
    }
}
