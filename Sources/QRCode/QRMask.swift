/// One of the eight data mask patterns (ISO/IEC 18004, 7.8.2). A mask flips data modules where
/// its condition holds, breaking up blocks and stripes that would confuse a scanner; the encoder
/// tries all eight and keeps the one with the lowest `QRPenalty` score.
public struct QRMask: Sendable, Hashable, CustomStringConvertible {
    /// The pattern reference, 0...7, written into the format information.
    public let reference: Int

    public static let all = (0...7).map(QRMask.init(unchecked:))

    public init?(_ reference: Int) {
        guard (0...7).contains(reference) else { return nil }
        self.reference = reference
    }

    private init(unchecked reference: Int) { self.reference = reference }

    public var description: String { "mask \(reference)" }

    /// Whether the module at column `x`, row `y` is flipped (Table 10; i is the row, j the column).
    func flips(x j: Int, y i: Int) -> Bool {
        switch reference {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }
}
