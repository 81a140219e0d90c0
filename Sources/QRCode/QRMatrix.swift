/// The square of modules being built: function patterns first (marked so data skips them), then
/// codewords in the zigzag order, then a mask and the format information naming it.
/// Coordinates are (x: column, y: row) from the top-left corner; `true` is dark.
struct QRMatrix: Sendable {
    let size: Int
    private(set) var modules: [Bool]
    /// Modules of finder, separator, timing, alignment, format and version information: never masked.
    private var isFunction: [Bool]

    init(version: QRVersion) {
        size = version.size
        modules = Array(repeating: false, count: size * size)
        isFunction = modules
        drawFunctionPatterns(version)
    }

    subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    var penalty: QRPenalty { QRPenalty(size: size, modules: modules) }

    func isFunctionModule(x: Int, y: Int) -> Bool { isFunction[y * size + x] }

    private mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns (7.3)

    private mutating func drawFunctionPatterns(_ version: QRVersion) {
        for i in 0..<size {
            setFunction(6, i, i % 2 == 0)
            setFunction(i, 6, i % 2 == 0)
        }
        drawFinder(centreX: 3, centreY: 3)
        drawFinder(centreX: size - 4, centreY: 3)
        drawFinder(centreX: 3, centreY: size - 4)

        let positions = version.alignmentPositions
        let last = positions.count - 1  // corners shared with the finders get none
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() where !(i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0) {
                drawAlignment(centreX: x, centreY: y)
            }
        }
        // Reserve the format areas now (written for real once the mask is chosen), and the
        // version information, which does not depend on the mask.
        drawFormat(bits: 0)
        drawVersion(version)
    }

    /// A 7 × 7 finder with its light separator, clipped at the symbol's edge.
    private mutating func drawFinder(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centreX + dx, y = centreY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))  // 0...1 centre, 2 light, 3 dark, 4 separator
                setFunction(x, y, ring != 2 && ring != 4)
            }
        }
    }

    private mutating func drawAlignment(centreX: Int, centreY: Int) {
        for dy in -2...2 {
            for dx in -2...2 { setFunction(centreX + dx, centreY + dy, max(abs(dx), abs(dy)) != 1) }
        }
    }

    /// Both copies of the 15 format bits (7.9.1, Figure 25), bit 0 being the least significant,
    /// and the module that is always dark beside the bottom-left finder.
    mutating func drawFormat(bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { setFunction(8, i, bit(i)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }

        for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
        setFunction(8, size - 8, true)
    }

    /// Two 6 × 3 blocks of version information (7.10), above the bottom-left finder and left of the top-right one.
    private mutating func drawVersion(_ version: QRVersion) {
        guard version.number >= 7 else { return }
        let bits = QRFormatInfo.versionBits(version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, b = i / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    // MARK: Codewords (7.7.3)

    /// Places the codewords' bits, most significant first, in two-module columns from the
    /// bottom-right corner, upwards then downwards, stepping over the vertical timing pattern
    /// in column 6. Modules left over (the remainder bits) stay light.
    mutating func place(codewords: [UInt8]) {
        var bitIndex = 0
        let totalBits = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = ((right + 1) & 2) == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bitIndex < totalBits {
                        modules[y * size + x] = (codewords[bitIndex >> 3] >> (7 - (bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// Flips the data modules `mask` selects; applying the same mask twice undoes it.
    mutating func apply(_ mask: QRMask) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && mask.flips(x: x, y: y) {
                modules[y * size + x].toggle()
            }
        }
    }
}
