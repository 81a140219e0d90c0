import Foundation
import Domain

/// The measurements behind the model choice, as text: k-fold cross-validation of naive Bayes and
/// logistic regression on both corpora, the fitted temperatures, expected calibration error before
/// and after calibration, and held-out accuracy. `campusdesk-bench classifier select` prints it.
public enum ModelSelectionReport {
    public static func run(
        category: ClassifierCorpus, severity: SeverityCorpus, folds: Int = 5, grid: Bool = false
    ) -> String {
        let normalizer = TextNormalizer()
        let categories = Category.allCases
        let severities = Severity.allCases
        func docs(_ examples: [LabelledExample]) -> [TrainingDocument] {
            examples.compactMap { e in categories.firstIndex(of: e.category).map { TrainingDocument(text: e.text, label: $0, normalizer: normalizer) } }
        }
        func sdocs(_ examples: [Domain.LabelledExample]) -> [TrainingDocument] {
            examples.compactMap { e in e.severity.flatMap { severities.firstIndex(of: $0) }.map { TrainingDocument(text: e.text, label: $0, normalizer: normalizer) } }
        }
        var lines: [String] = []
        let parts: [(String, [TrainingDocument], [TrainingDocument], Int)] = [
            ("category", docs(category.training), docs(category.heldOut), categories.count),
            ("severity", sdocs(severity.training), sdocs(severity.heldOut), severities.count),
        ]
        for (name, train, heldOut, k) in parts {
            lines.append("\(name): \(train.count) training, \(heldOut.count) held-out, \(folds)-fold cross-validation")
            for family in ModelSelection.Family.allCases {
                let clock = ContinuousClock()
                let oof = ModelSelection.outOfFold(family, train, classCount: k, folds: folds)
                var model = LinearTextModel.naiveBayes([], classCount: k, calibration: .uncalibrated)
                let fitTime = clock.measure { model = ModelSelection.fit(family, train, classCount: k) }
                let t = ModelSelection.fitTemperature(oof, halfWeightWords: 0.5)
                let calibrated = ConfidenceCalibration(temperature: t, halfWeightWords: 0.5)
                let held = heldOut.map { ModelSelection.predict(model, $0) }
                lines.append("  \(family.rawValue): cv accuracy \(f3(ModelSelection.accuracy(oof)))"
                    + ", held-out \(f3(ModelSelection.accuracy(held))), fit \(ms(fitTime)) ms")
                lines.append("    fitted temperature \(t); ECE cv raw \(f3(ModelSelection.expectedCalibrationError(oof, .uncalibrated)))"
                    + " → \(f3(ModelSelection.expectedCalibrationError(oof, calibrated)))"
                    + "; ECE held-out raw \(f3(ModelSelection.expectedCalibrationError(held, .uncalibrated)))"
                    + " → \(f3(ModelSelection.expectedCalibrationError(held, calibrated)))"
                    + "; log-loss cv \(f3(ModelSelection.logLoss(oof, .uncalibrated))) → \(f3(ModelSelection.logLoss(oof, calibrated)))")
            }
            if grid {
                for l2 in [1e-5, 1e-4, 3e-4, 1e-3] {
                    for epochs in [10, 30] {
                        let options = LogisticOptions(epochs: epochs, learningRate: 0.5, l2: l2)
                        let oof = ModelSelection.outOfFold(.logistic, train, classCount: k, folds: folds, options: options)
                        lines.append("    grid l2 \(l2) epochs \(epochs): cv accuracy \(f3(ModelSelection.accuracy(oof)))")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func f3(_ v: Double) -> String { ClassifierEvaluation.fixed3(v) }
    static func ms(_ d: Duration) -> String {
        let v = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return String(Double(Int((v * 10).rounded())) / 10)
    }
}
