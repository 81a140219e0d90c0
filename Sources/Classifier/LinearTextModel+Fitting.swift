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

extension LinearTextModel {
    /// Every word and adjacent pair of the documents, numbered in first-seen order.
    private static func featureIndex(_ documents: [TrainingDocument]) -> [String: Int] {
        var index: [String: Int] = [:]
        for d in documents {
            for (i, w) in d.words.enumerated() {
                if index[w] == nil { index[w] = index.count }
                if i > 0 { let pair = d.words[i - 1] + " " + w; if index[pair] == nil { index[pair] = index.count } }
            }
        }
        return index
    }

    /// Multinomial naive Bayes with Lidstone smoothing, as `NaiveBayesClassifier` computes it.
    static func naiveBayes(
        _ documents: [TrainingDocument], classCount k: Int, smoothing: Double = 0.5, weighting: Weighting = .counts,
        calibration: ConfidenceCalibration
    ) -> LinearTextModel {
        let index = featureIndex(documents)
        var model = LinearTextModel(
            classCount: k, featureIndex: index, weights: [], bias: [], weighting: weighting, calibration: calibration)
        var counts = [Double](repeating: 0, count: index.count * k)
        var totals = [Double](repeating: 0, count: k)
        var docs = [Double](repeating: 0, count: k)
        for d in documents {
            docs[d.label] += d.weight
            let v = model.vector(words: d.words)
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
        model = LinearTextModel(
            classCount: k, featureIndex: index, weights: weights, bias: docs.map { log(($0 + 1) / (total + Double(k))) },
            weighting: weighting, calibration: calibration)
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
        let index = featureIndex(documents)
        let shape = LinearTextModel(
            classCount: k, featureIndex: index, weights: [], bias: [], weighting: .normalized, calibration: calibration)
        let vectors = documents.map { shape.vector(words: $0.words) }
        var v = [Double](repeating: 0, count: index.count * k)
        var bias = [Double](repeating: 0, count: k)
        var scale = 1.0
        var order = Array(documents.indices)
        var rng = SplitMix(seed: options.seed)
        var p = [Double](repeating: 0, count: k)
        var step = 0.0
        for _ in 0..<options.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            for i in order {
                let x = vectors[i]
                let d = documents[i]
                // A learning rate that falls slowly over the whole run (per-example steps).
                let rate = options.learningRate / (1 + options.learningRate * options.l2 * step)
                step += 1
                for c in 0..<k { p[c] = bias[c] }
                for (f, value) in zip(x.indices, x.values) {
                    for c in 0..<k { p[c] += scale * value * v[f * k + c] }
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
                    let g = (p[c] / sum - (c == d.label ? 1 : 0)) * d.weight
                    guard g != 0 else { continue }
                    bias[c] -= rate * g
                    for (f, value) in zip(x.indices, x.values) { v[f * k + c] -= rate * g * value / scale }
                }
            }
        }
        return LinearTextModel(
            classCount: k, featureIndex: index, weights: v.map { $0 * scale }, bias: bias, weighting: .normalized,
            calibration: calibration)
    }
}
