import Foundation

/// Cross-validation, temperature fitting and calibration error: how the model and its confidence
/// settings were chosen (the figures in docs/classification.md come from here via
/// `campusdesk-bench classifier-select`).
enum ModelSelection {
    /// Which fitter a cross-validation run uses.
    enum Family: String, Sendable, CaseIterable {
        case naiveBayes = "naive Bayes"
        case naiveBayesPresence = "naive Bayes (presence)"
        case complementNaiveBayes = "complement naive Bayes"
        case logistic = "logistic regression"
        case naiveBayesPlusLogistic = "naive Bayes + logistic regression"
    }

    /// One out-of-fold prediction: the true label, raw scores and how much of the text was known.
    struct Prediction: Sendable {
        var label: Int
        var scores: [Double]
        var knownWords: Int
        var words: Int
    }

    static func fit(
        _ family: Family, _ documents: [TrainingDocument], classCount: Int, options: LogisticOptions = .standard,
        ensemble: EnsembleSettings = .severity
    ) -> LinearTextModel {
        switch family {
        case .naiveBayes: LinearTextModel.naiveBayes(documents, classCount: classCount, calibration: .uncalibrated)
        case .naiveBayesPresence:
            LinearTextModel.naiveBayes(documents, classCount: classCount, weighting: .presence, calibration: .uncalibrated)
        case .complementNaiveBayes:
            LinearTextModel.complementNaiveBayes(documents, classCount: classCount, calibration: .uncalibrated)
        case .logistic: LinearTextModel.logistic(documents, classCount: classCount, options: options, calibration: .uncalibrated)
        case .naiveBayesPlusLogistic:
            LinearTextModel.ensemble(documents, classCount: classCount, settings: ensemble, calibration: .uncalibrated)
        }
    }

    /// Scores every document with a model fitted on the other folds (`folds`-fold, seeded split).
    static func outOfFold(
        _ family: Family, _ documents: [TrainingDocument], classCount: Int, folds: Int = 5, options: LogisticOptions = .standard,
        ensemble: EnsembleSettings = .severity
    ) -> [Prediction] {
        var fold = [Int](repeating: 0, count: documents.count)
        var order = Array(documents.indices)
        var rng = SplitMix(seed: 0xF01D)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        for (position, i) in order.enumerated() { fold[i] = position % folds }
        var result = [Prediction?](repeating: nil, count: documents.count)
        for k in 0..<folds {
            let train = documents.indices.filter { fold[$0] != k }.map { documents[$0] }
            let model = fit(family, train, classCount: classCount, options: options, ensemble: ensemble)
            for i in documents.indices where fold[i] == k {
                result[i] = predict(model, documents[i])
            }
        }
        return result.compactMap { $0 }
    }

    static func predict(_ model: LinearTextModel, _ document: TrainingDocument) -> Prediction {
        let v = model.vector(words: document.words)
        return Prediction(label: document.label, scores: model.scores(v), knownWords: v.knownWords, words: v.words)
    }

    static func accuracy(_ predictions: [Prediction]) -> Double {
        guard !predictions.isEmpty else { return 0 }
        let right = predictions.filter { argmax($0.scores) == $0.label }.count
        return Double(right) / Double(predictions.count)
    }

    /// Mean negative log-likelihood of the true labels under `calibration`.
    static func logLoss(_ predictions: [Prediction], _ calibration: ConfidenceCalibration) -> Double {
        var total = 0.0
        for p in predictions {
            let d = calibration.distribution(scores: p.scores, knownWords: p.knownWords, words: p.words)
            total -= log(max(d[p.label], 1e-12))
        }
        return total / Double(max(1, predictions.count))
    }

    /// Expected calibration error over ten equal-width confidence bins (confidence of the chosen class).
    static func expectedCalibrationError(_ predictions: [Prediction], _ calibration: ConfidenceCalibration, bins: Int = 10) -> Double {
        var count = [Double](repeating: 0, count: bins)
        var confidence = [Double](repeating: 0, count: bins)
        var correct = [Double](repeating: 0, count: bins)
        for p in predictions {
            let d = calibration.distribution(scores: p.scores, knownWords: p.knownWords, words: p.words)
            let best = argmax(d)
            let b = min(bins - 1, Int(d[best] * Double(bins)))
            count[b] += 1
            confidence[b] += d[best]
            if best == p.label { correct[b] += 1 }
        }
        let n = Double(max(1, predictions.count))
        return (0..<bins).reduce(0) { $0 + abs(correct[$1] - confidence[$1]) / n }
    }

    /// The temperature (grid 0.05…8, geometric) that minimises log-loss with the given shrink.
    static func fitTemperature(_ predictions: [Prediction], halfWeightWords: Double, fullCoverage: Double = 0.5) -> Double {
        var best = (t: 1.0, loss: Double.infinity)
        var t = 0.05
        while t <= 8 {
            let loss = logLoss(predictions, ConfidenceCalibration(temperature: t, halfWeightWords: halfWeightWords, fullCoverage: fullCoverage))
            if loss < best.loss { best = (t, loss) }
            t *= 1.05
        }
        return (best.t * 100).rounded() / 100
    }

    /// The index of the largest value, the first on ties.
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    /// The runner-up index: the largest value other than `argmax`.
    static func runnerUp(_ values: [Double]) -> Int {
        let first = argmax(values)
        var best = first == 0 ? 1 : 0
        for i in values.indices where i != first && values[i] > values[best] { best = i }
        return best
    }
}
