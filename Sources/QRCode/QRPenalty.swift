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
    private func linePenalty(_ module: (Int) -> Bool) -> Int {
        var score = 0
        var runColour = module(0)
        var runLength = 1
        for i in 1..<size {
            if module(i) == runColour {
                runLength += 1
            } else {
                if runLength >= 5 { score += runLength - 2 }
                runColour = module(i)
                runLength = 1
            }
        }
        if runLength >= 5 { score += runLength - 2 }

        // 1011101 with 0000 before or after; the light quiet zone counts as light.
        let finder: [Bool] = [true, false, true, true, true, false, true]
        func isLight(_ i: Int) -> Bool { i < 0 || i >= size || !module(i) }
        for start in 0...(size - 7) where (0..<7).allSatisfy({ module(start + $0) == finder[$0] }) {
            if (1...4).allSatisfy({ isLight(start - $0) }) { score += 40 }
            if (1...4).allSatisfy({ isLight(start + 6 + $0) }) { score += 40 }
        }
        return score
    }
}
