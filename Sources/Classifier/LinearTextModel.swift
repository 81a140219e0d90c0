import Foundation

/// A linear scorer over normalised words and word pairs: score(c) = bias(c) + Σ x(f) · w(f, c),
/// plus, for an ensemble, Σ x(f) · u(f, c) / ‖x‖.
///
/// Naive Bayes (log-likelihoods as weights, raw counts as x), complement naive Bayes and logistic
/// regression (fitted weights, length-normalised counts as x) all take this shape, and so does
/// their sum (naive Bayes on the counts, logistic regression on the same counts divided by their
/// length), so one type scores, calibrates and explains any of them; `LinearTextModel+Fitting.swift`
/// builds them. Labels are class indices here; `TriageModel` maps them to `Category` and `Severity`.
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
    /// Feature-major like `weights`, applied to the counts divided by their Euclidean norm (the
    /// logistic part of an ensemble); empty for a single model.
    var normalizedWeights: [Double] = []
    var calibration: ConfidenceCalibration

    /// A text's known features with their values, and how much of the text was known.
    struct Vector: Sendable {
        var indices: [Int] = []
        var values: [Double] = []
        var knownWords = 0
        var words = 0
        /// Where each feature occurs in the text (one of its occurrences), aligned with `indices`: a
        /// word's index, or `~i` for the pair starting at word `i` (what `explanation` names it by).
        var occurrences: [Int] = []
    }

    /// The feature vector of already-normalised words (words plus adjacent pairs).
    func vector(words: [String]) -> Vector { vector(TokenizedText(words: words)) }

    func vector(_ text: TokenizedText) -> Vector {
        // (feature, occurrence) for every known word and pair, sorted by feature: sums then run in
        // one order (scores are bit-for-bit reproducible), and equal features are adjacent to count.
        var hits: [(feature: Int, occurrence: Int)] = []
        hits.reserveCapacity(text.words.count + text.pairs.count)
        var known = 0
        for (i, word) in text.words.enumerated() {
            if let f = featureIndex[word] { hits.append((f, i)); known += 1 }
        }
        for (i, pair) in text.pairs.enumerated() {
            if let f = featureIndex[pair] { hits.append((f, ~i)) }
        }
        hits.sort { $0.feature < $1.feature }
        var v = Vector(knownWords: known, words: text.words.count)
        v.indices.reserveCapacity(hits.count)
        v.values.reserveCapacity(hits.count)
        v.occurrences.reserveCapacity(hits.count)
        for hit in hits {
            if v.indices.last == hit.feature {
                v.values[v.values.count - 1] += 1
            } else {
                v.indices.append(hit.feature)
                v.values.append(1)
                v.occurrences.append(hit.occurrence)
            }
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
        if !normalizedWeights.isEmpty, let scale = inverseNorm(v) {
            for (f, x) in zip(v.indices, v.values) {
                let row = f * k
                for c in 0..<k { s[c] += x * scale * normalizedWeights[row + c] }
            }
        }
        return s
    }

    /// 1 / ‖x‖ of the vector's values, nil for an empty vector.
    private func inverseNorm(_ v: Vector) -> Double? {
        let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? 1 / norm : nil
    }

    /// The calibrated probability of each class (see `ConfidenceCalibration`).
    func distribution(_ v: Vector) -> [Double] {
        calibration.distribution(scores: scores(v), knownWords: v.knownWords, words: v.words)
    }

    /// The normalised words that pushed most toward `winner` over `runnerUp`, strongest first.
    ///
    /// A pair's push is split between its two words; number shapes (`#num`) are left out because
    /// staff cannot read them as words, and so are single letters ("block C"). Ties go to the alphabetically first word (deterministic).
    /// `v` is the text's vector from this model, as it was scored.
    func explanation(_ text: TokenizedText, _ v: Vector, winner: Int, runnerUp: Int, limit: Int = 5) -> [String] {
        guard winner != runnerUp else { return [] }
        var push: [String: Double] = [:]
        push.reserveCapacity(v.indices.count)
        let scale = normalizedWeights.isEmpty ? nil : inverseNorm(v)
        for (k, (f, x)) in zip(v.indices, v.values).enumerated() {
            var delta = x * (weights[f * classCount + winner] - weights[f * classCount + runnerUp])
            if let scale {
                delta += x * scale * (normalizedWeights[f * classCount + winner] - normalizedWeights[f * classCount + runnerUp])
            }
            let at = v.occurrences[k]
            if at >= 0 {
                push[text.words[at], default: 0] += delta
            } else {
                push[text.words[~at], default: 0] += delta / 2
                push[text.words[~at + 1], default: 0] += delta / 2
            }
        }
        var ranked: [(word: String, push: Double)] = []
        ranked.reserveCapacity(push.count)
        for (word, p) in push where p > 1e-9 && word.utf8.first != UInt8(ascii: "#") && word.count > 1 { ranked.append((word, p)) }
        ranked.sort { $0.push != $1.push ? $0.push > $1.push : $0.word < $1.word }
        return ranked.prefix(limit).map(\.word)
    }
}
