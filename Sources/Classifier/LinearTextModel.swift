import Foundation

/// A linear scorer over normalised words and word pairs: score(c) = bias(c) + Σ x(f) · w(f, c).
///
/// Naive Bayes (log-likelihoods as weights, raw counts as x) and logistic regression (fitted
/// weights, length-normalised counts as x) both take this shape, so one type scores, calibrates
/// and explains either; `LinearTextModel+Fitting.swift` builds them. Labels are class indices
/// here; `TriageModel` maps them to `Category` and `Severity`.
struct LinearTextModel: Sendable {
    /// How a text's feature counts become the x of the score.
    enum Weighting: Sendable {
        /// Raw counts (naive Bayes: every occurrence is one more draw).
        case counts
        /// Counts divided by their Euclidean norm, so a long text is not surer just for being long.
        case normalized
        /// 1 for every feature present: a word said five times is one piece of evidence.
        case presence
    }

    let classCount: Int
    let featureIndex: [String: Int]
    /// Feature-major: `weights[f * classCount + c]`.
    let weights: [Double]
    let bias: [Double]
    let weighting: Weighting
    var calibration: ConfidenceCalibration

    /// A text's known features with their values, and how much of the text was known.
    struct Vector: Sendable {
        var indices: [Int] = []
        var values: [Double] = []
        var knownWords = 0
        var words = 0
    }

    /// The feature vector of already-normalised words (words plus adjacent pairs).
    func vector(words: [String]) -> Vector {
        var counts: [Int: Double] = [:]
        var known = 0
        for (i, word) in words.enumerated() {
            if let f = featureIndex[word] { counts[f, default: 0] += 1; known += 1 }
            if i > 0, let f = featureIndex[words[i - 1] + " " + word] { counts[f, default: 0] += 1 }
        }
        var v = Vector(knownWords: known, words: words.count)
        // Sorted so sums run in one order: scores are bit-for-bit reproducible.
        for f in counts.keys.sorted() {
            v.indices.append(f)
            v.values.append(counts[f] ?? 0)
        }
        if weighting == .presence { v.values = v.values.map { _ in 1 } }
        if weighting == .normalized {
            let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { v.values = v.values.map { $0 / norm } }
        }
        return v
    }

    /// The raw linear scores, one per class.
    func scores(_ v: Vector) -> [Double] {
        var s = bias
        let k = classCount
        for (f, x) in zip(v.indices, v.values) {
            let row = f * k
            for c in 0..<k { s[c] += x * weights[row + c] }
        }
        return s
    }

    /// The calibrated probability of each class (see `ConfidenceCalibration`).
    func distribution(_ v: Vector) -> [Double] {
        calibration.distribution(scores: scores(v), knownWords: v.knownWords, words: v.words)
    }

    /// The normalised words that pushed most toward `winner` over `runnerUp`, strongest first.
    ///
    /// A pair's push is split between its two words; number shapes (`#num`) are left out because
    /// staff cannot read them as words, and so are single letters ("block C"). Ties go to the alphabetically first word (deterministic).
    func explanation(_ words: [String], winner: Int, runnerUp: Int, limit: Int = 5) -> [String] {
        let v = vector(words: words)
        guard winner != runnerUp else { return [] }
        var byFeature: [Int: String] = [:]
        for (i, word) in words.enumerated() {
            if let f = featureIndex[word] { byFeature[f] = word }
            if i > 0 { let pair = words[i - 1] + " " + word; if let f = featureIndex[pair] { byFeature[f] = pair } }
        }
        var push: [String: Double] = [:]
        for (f, x) in zip(v.indices, v.values) {
            guard let name = byFeature[f] else { continue }
            let delta = x * (weights[f * classCount + winner] - weights[f * classCount + runnerUp])
            let parts = name.split(separator: " ").map(String.init)
            for part in parts { push[part, default: 0] += delta / Double(parts.count) }
        }
        return push
            .filter { $0.value > 1e-9 && $0.key.count > 1 && !$0.key.hasPrefix("#") }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(limit)
            .map(\.key)
    }
}
