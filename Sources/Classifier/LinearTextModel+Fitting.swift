import Foundation

/// The settings of logistic regression; the defaults were chosen by cross-validation (docs/classification.md).
struct LogisticOptions: Sendable, Equatable {
    var epochs = 30
    var learningRate = 0.5
    /// L2 penalty per example step; keeps rare words from taking over.
    var l2 = 1e-4
    var seed: UInt64 = 0x5EED

    static let standard = LogisticOptions()
}

/// How naive Bayes and logistic regression are summed into one model: each part's scores are
/// divided by its own temperature (fitted on that part's 5-fold out-of-fold scores by
/// `campusdesk-bench classifier select`), so the sum is the sum of two calibrated log-probabilities.
struct EnsembleSettings: Sendable, Equatable {
    var naiveBayesTemperature: Double
    var logisticTemperature: Double
    var logistic: LogisticOptions

    /// Severity after round 4 (2,243 lines): naive Bayes T 2.04, logistic regression (l2 3e-5,
    /// 30 epochs) T 1.08; 5-fold CV over five fold seeds 0.787 (naive Bayes) → 0.801 (the sum).
    static let severity = EnsembleSettings(
        naiveBayesTemperature: 2.04, logisticTemperature: 1.08, logistic: LogisticOptions(epochs: 30, l2: 3e-5))
    /// Category, for the selection report only (round 4 temperatures of the two parts: 1.31 and 0.45).
    static let category = EnsembleSettings(naiveBayesTemperature: 1.31, logisticTemperature: 0.45, logistic: .standard)
}

extension LinearTextModel {
    /// The documents' features numbered in first-seen order, and each document's raw counts over
    /// them: what every fitter starts from (built once when an ensemble fits two models).
    struct Prepared {
        var index: [String: Int]
        var counts: [Vector]

        /// One pass over the documents, numbering each new word or pair as it first appears (the
        /// order `vector(words:)` relies on nowhere, but which keeps fits reproducible). A pair is
        /// looked up by its two words' numbers, so its text is built once, when it is first seen.
        init(_ documents: [TrainingDocument]) {
            // About four new features per report in this corpus: room for them up front, not regrown.
            var index: [String: Int] = [:]
            index.reserveCapacity(documents.count * 5)
            var pairs: [Int: Int] = [:]
            pairs.reserveCapacity(documents.count * 4)
            var counts: [Vector] = []
            counts.reserveCapacity(documents.count)
            var features: [Int] = []
            for d in documents {
                features.removeAll(keepingCapacity: true)
                var previous = -1
                for (i, w) in d.words.enumerated() {
                    let word: Int
                    if let f = index[w] { word = f } else { word = index.count; index[w] = word }
                    features.append(word)
                    if i > 0 {
                        let key = previous << 32 | word
                        if let f = pairs[key] {
                            features.append(f)
                        } else {
                            let f = index.count
                            index[d.words[i - 1] + " " + w] = f
                            pairs[key] = f
                            features.append(f)
                        }
                    }
                    previous = word
                }
                features.sort()
                var v = Vector(knownWords: d.words.count, words: d.words.count)
                for f in features {
                    if v.indices.last == f { v.values[v.values.count - 1] += 1 } else { v.indices.append(f); v.values.append(1) }
                }
                counts.append(v)
            }
            self.index = index
            self.counts = counts
        }

        /// The vectors as a model with `weighting` scores them.
        func vectors(_ weighting: Weighting) -> [Vector] {
            switch weighting {
            case .counts: return counts
            case .presence: return counts.map { v in var v = v; v.values = v.values.map { _ in 1 }; return v }
            case .normalized:
                return counts.map { v in
                    var v = v
                    let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if norm > 0 { v.values = v.values.map { $0 / norm } }
                    return v
                }
            }
        }
    }

    /// Multinomial naive Bayes with Lidstone smoothing, as `NaiveBayesClassifier` computes it.
    static func naiveBayes(
        _ documents: [TrainingDocument], classCount k: Int, smoothing: Double = 0.5, weighting: Weighting = .counts,
        calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        naiveBayes(Prepared(documents), documents, classCount: k, smoothing: smoothing, weighting: weighting, calibration: calibration)
    }

    private static func naiveBayes(
        _ prepared: Prepared, _ documents: [TrainingDocument], classCount k: Int, smoothing: Double = 0.5,
        weighting: Weighting = .counts, calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        let index = prepared.index
        var counts = [Double](repeating: 0, count: index.count * k)
        var totals = [Double](repeating: 0, count: k)
        var docs = [Double](repeating: 0, count: k)
        for (d, v) in zip(documents, prepared.vectors(weighting)) {
            docs[d.label] += d.weight
            for (f, x) in zip(v.indices, v.values) {
                counts[f * k + d.label] += x * d.weight
                totals[d.label] += x * d.weight
            }
        }
        let vocabulary = Double(index.count)
        var weights = counts
        for f in 0..<index.count {
            for c in 0..<k { weights[f * k + c] = log((counts[f * k + c] + smoothing) / (totals[c] + smoothing * vocabulary)) }
        }
        let total = max(1, docs.reduce(0, +))
        return LinearTextModel(
            classCount: k, featureIndex: index, weights: weights, bias: docs.map { log(($0 + 1) / (total + Double(k))) },
            weighting: weighting, calibration: calibration)
    }

    /// Complement naive Bayes (Rennie et al. 2003): each class is scored by how unlike the *other*
    /// classes' text the report is, w(f, c) = −log P(f | not c), with the same Lidstone smoothing.
    /// Each class's weights are estimated from the pooled text of the other classes, so a word seen
    /// a few times in one class moves the score less than in plain naive Bayes; no class prior.
    static func complementNaiveBayes(
        _ documents: [TrainingDocument], classCount k: Int, smoothing: Double = 0.5, calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        let prepared = Prepared(documents)
        let index = prepared.index
        var counts = [Double](repeating: 0, count: index.count * k)
        for (d, v) in zip(documents, prepared.counts) {
            for (f, x) in zip(v.indices, v.values) { counts[f * k + d.label] += x * d.weight }
        }
        var complement = [Double](repeating: 0, count: index.count * k)
        var totals = [Double](repeating: 0, count: k)
        for f in 0..<index.count {
            var all = 0.0
            for c in 0..<k { all += counts[f * k + c] }
            for c in 0..<k {
                complement[f * k + c] = all - counts[f * k + c]
                totals[c] += all - counts[f * k + c]
            }
        }
        let vocabulary = Double(index.count)
        var weights = complement
        for f in 0..<index.count {
            for c in 0..<k { weights[f * k + c] = -log((complement[f * k + c] + smoothing) / (totals[c] + smoothing * vocabulary)) }
        }
        return LinearTextModel(
            classCount: k, featureIndex: index, weights: weights, bias: [Double](repeating: 0, count: k),
            weighting: .counts, calibration: calibration)
    }

    /// Naive Bayes plus logistic regression over the same features, as one linear model: naive Bayes
    /// weights on the counts, logistic weights on the counts divided by their length, each part
    /// divided by its temperature. Both parts are fitted from one `Prepared` (one feature numbering).
    static func ensemble(
        _ documents: [TrainingDocument], classCount k: Int, settings: EnsembleSettings, calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        let prepared = Prepared(documents)
        let bayes = naiveBayes(prepared, documents, classCount: k, calibration: calibration)
        let logistic = logistic(prepared, documents, classCount: k, options: settings.logistic, calibration: calibration)
        var model = LinearTextModel(
            classCount: k, featureIndex: prepared.index,
            weights: bayes.weights.map { $0 / settings.naiveBayesTemperature },
            bias: zip(bayes.bias, logistic.bias).map { $0 / settings.naiveBayesTemperature + $1 / settings.logisticTemperature },
            weighting: .counts, calibration: calibration)
        model.normalizedWeights = logistic.weights.map { $0 / settings.logisticTemperature }
        return model
    }

    /// Multinomial logistic regression fitted by stochastic gradient descent with L2 decay.
    ///
    /// Examples are visited in a seeded shuffle, so the fit is the same on every run. Weight
    /// decay uses Bottou's scale trick (w = scale · v) so each step touches only the text's features.
    static func logistic(
        _ documents: [TrainingDocument], classCount k: Int, options: LogisticOptions = .standard,
        calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        logistic(Prepared(documents), documents, classCount: k, options: options, calibration: calibration)
    }

    private static func logistic(
        _ prepared: Prepared, _ documents: [TrainingDocument], classCount k: Int, options: LogisticOptions,
        calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        let index = prepared.index
        // The documents' normalised vectors laid end to end (document i's features are
        // `features[starts[i]..<starts[i + 1]]`), read through raw pointers in the loop below: the
        // fit visits every document 30 times, and array copies and bounds checks were most of its cost.
        var starts = [0]
        var features: [Int] = []
        var values: [Double] = []
        for x in prepared.vectors(.normalized) {
            features += x.indices
            values += x.values
            starts.append(features.count)
        }
        let labels = documents.map(\.label)
        let weights = documents.map(\.weight)
        var v = [Double](repeating: 0, count: index.count * k)
        var bias = [Double](repeating: 0, count: k)
        var scale = 1.0
        var order = Array(documents.indices)
        var rng = SplitMix(seed: options.seed)
        var p = [Double](repeating: 0, count: k)
        var g = [Double](repeating: 0, count: k)
        var step = 0.0
        features.withUnsafeBufferPointer { features in
            values.withUnsafeBufferPointer { values in
                v.withUnsafeMutableBufferPointer { v in
                    for _ in 0..<options.epochs {
                        for i in stride(from: order.count - 1, to: 0, by: -1) {
                            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                        }
                        for i in order {
                            let range = starts[i]..<starts[i + 1]
                            // A learning rate that falls slowly over the whole run (per-example steps).
                            let rate = options.learningRate / (1 + options.learningRate * options.l2 * step)
                            step += 1
                            for c in 0..<k { p[c] = bias[c] }
                            for j in range {
                                let row = features[j] * k, value = values[j]
                                for c in 0..<k { p[c] += scale * value * v[row + c] }
                            }
                            let top = p.max() ?? 0
                            var sum = 0.0
                            for c in 0..<k { p[c] = exp(p[c] - top); sum += p[c] }
                            scale *= 1 - rate * options.l2
                            if scale < 1e-6 {
                                for j in v.indices { v[j] *= scale }
                                scale = 1
                            }
                            for c in 0..<k {
                                g[c] = (p[c] / sum - (c == labels[i] ? 1 : 0)) * weights[i]
                                bias[c] -= rate * g[c]
                            }
                            for j in range {
                                let row = features[j] * k, value = values[j]
                                for c in 0..<k where g[c] != 0 { v[row + c] -= rate * g[c] * value / scale }
                            }
                        }
                    }
                }
            }
        }
        return LinearTextModel(
            classCount: k, featureIndex: index, weights: v.map { $0 * scale }, bias: bias, weighting: .normalized,
            calibration: calibration)
    }
}
