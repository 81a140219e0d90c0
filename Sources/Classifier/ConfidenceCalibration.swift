import Foundation

/// Turns raw scores into a calibrated distribution.
///
/// Temperature scaling (fitted on out-of-fold scores, see `ModelSelection`) makes the confidence
/// of a typical report match how often such reports are right; the shrink toward uniform by how
/// much of the text was known keeps text in another language or gibberish near 1/k, below the
/// low-confidence line, which temperature alone cannot do.
struct ConfidenceCalibration: Sendable, Equatable {
    /// Divides the scores before the softmax; 1 is the model's own (uncalibrated) certainty.
    var temperature: Double
    /// Known words needed for half the evidence weight: k / (k + halfWeightWords). 0 turns the shrink off.
    var halfWeightWords: Double
    /// The share of known words at and above which coverage no longer shrinks: ordinary reports
    /// have a few words the model never saw, and should not lose confidence for them.
    var fullCoverage: Double = 0.5

    static let uncalibrated = ConfidenceCalibration(temperature: 1, halfWeightWords: 0)

    func distribution(scores: [Double], knownWords: Int, words: Int) -> [Double] {
        let top = scores.max() ?? 0
        let e = scores.map { exp(($0 - top) / temperature) }
        let sum = e.reduce(0, +)
        let p = e.map { $0 / sum }
        guard halfWeightWords > 0 else { return p }
        let known = Double(knownWords)
        let coverage = words == 0 ? 0 : min(1, known / Double(words) / fullCoverage)
        let evidence = known == 0 ? 0 : coverage * known / (known + halfWeightWords)
        let uniform = 1 / Double(scores.count)
        return p.map { uniform + ($0 - uniform) * evidence }
    }
}
