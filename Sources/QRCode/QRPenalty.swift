/// The standard's score of how hard a masked symbol is to read (ISO/IEC 18004, 7.8.3); lower is better.
struct QRPenalty {
    let size: Int
    /// Row by row, `true` dark.
    let modules: [Bool]

    subscript(x: Int, y: Int) -> Bool { modules[y * size + x] }

    /// The sum of the four rules, over rows and columns alike:
    /// N1 runs of five or more same-coloured modules (3, plus 1 per module beyond five),
    /// N2 each 2 × 2 block of one colour (3), N3 each finder-like 1:1:3:1:1 run with four light
    /// modules on either side (40), N4 10 for every 5 % the dark share strays from 50 %.
    var score: Int {
        var score = 0
        for line in 0..<size {
            score += linePenalty { self[$0, line] }
            score += linePenalty { self[line, $0] }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = self[x, y]
                if c == self[x + 1, y] && c == self[x, y + 1] && c == self[x + 1, y + 1] { score += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        // The smallest k with |dark/total − 1/2| ≤ (k + 1)·5 %.
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        score += max(k, 0) * 10
        return score
    }

    /// Rules N1 and N3 along one row or column, read through `module(i)`.
    func linePenalty(_ module: (Int) -> Bool) -> Int {
        var score = 0
        var runColour = false
        var runLength = 0
        // The last 11 modules as bits (1 dark), the quiet zone's four light ones included, to
        // find 1011101 with 0000 after (10111010000) or before (00001011101).
        var window = 0
        for i in -4..<(size + 4) {
            let inside = i >= 0 && i < size
            let dark = inside && module(i)
            if inside {
                if i > 0 && dark == runColour {
                    runLength += 1
                } else {
                    if runLength >= 5 { score += runLength - 2 }
                    runColour = dark
                    runLength = 1
                }
            }
            window = (window << 1 | (dark ? 1 : 0)) & 0x7FF
            if i >= 6 && (window == 0b101_1101_0000 || window == 0b000_0101_1101) { score += 40 }
        }
        if runLength >= 5 { score += runLength - 2 }
        return score
    }
}
