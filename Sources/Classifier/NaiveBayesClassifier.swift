import Foundation
import Domain

/// A multinomial naive Bayes model over normalised words and word pairs.
///
/// Naive Bayes trains in one pass over the corpus (a few milliseconds, so the model is built at
/// start instead of shipped as a blob), needs no tuning loop, and does well on short texts where
/// a handful of telling words ("wifi", "lift", "refund") decide. Its raw posteriors are
/// over-confident, so `classify` tempers them and shrinks them toward 1/3 when few of the words
/// are known: text in another language or gibberish then comes out below the low-confidence line.
public struct NaiveBayesClassifier: TicketClassifier {
    /// How the raw posterior is turned into a confidence; see docs/classification.md for the calibration.
    public struct Calibration: Sendable, Equatable {
        /// Divides the log scores before the softmax; above 1 softens naive Bayes' certainty.
        public var temperature: Double
        /// Known words needed for half the evidence weight: k / (k + halfWeightWords).
        public var halfWeightWords: Double

        public init(temperature: Double, halfWeightWords: Double) {
            self.temperature = temperature
            self.halfWeightWords = halfWeightWords
        }

        /// The values chosen on the held-out set.
        public static let standard = Calibration(temperature: 3, halfWeightWords: 0.5)
    }

    private let normalizer = TextNormalizer()
    private let featureIndex: [String: Int]
    /// log P(feature | category), laid out feature-major: `featureIndex[f] * 3 + category`.
    private let logLikelihood: [Double]
    private let logPrior: [Double]
    public let calibration: Calibration
    /// How many labelled reports the model was trained on.
    public let trainingSize: Int

    private static let categories = Category.allCases

    /// Trains a model from labelled reports.
    ///
    /// - Parameters:
    ///   - examples: the training reports; every category should appear.
    ///   - smoothing: the Laplace/Lidstone pseudo-count added to every feature in every category.
    public init(training examples: [LabelledExample], smoothing: Double = 0.5, calibration: Calibration = .standard) {
        let k = Self.categories.count
        var index: [String: Int] = [:]
        var counts: [Double] = []
        var totals = [Double](repeating: 0, count: k)
        var documents = [Double](repeating: 0, count: k)
        for example in examples {
            guard let c = Self.categories.firstIndex(of: example.category) else { continue }
            documents[c] += 1
            for feature in normalizer.features(example.text) {
                let row: Int
                if let existing = index[feature] {
                    row = existing
                } else {
                    row = index.count
                    index[feature] = row
                    counts.append(contentsOf: repeatElement(0, count: k))
                }
                counts[row * k + c] += 1
                totals[c] += 1
            }
        }
        let vocabulary = Double(index.count)
        var logLikelihood = counts
        for row in 0..<index.count {
            for c in 0..<k {
                logLikelihood[row * k + c] = log((counts[row * k + c] + smoothing) / (totals[c] + smoothing * vocabulary))
            }
        }
        let documentTotal = max(1, documents.reduce(0, +))
        self.featureIndex = index
        self.logLikelihood = logLikelihood
        self.logPrior = documents.map { log(($0 + 1) / (documentTotal + Double(k))) }
        self.calibration = calibration
        self.trainingSize = examples.count
    }

    /// How many distinct words and pairs the model knows.
    public var vocabularySize: Int { featureIndex.count }

    /// Files `description` under the most probable category, with a calibrated confidence.
    public func classify(_ description: String) -> Classification {
        let k = Self.categories.count
        let words = normalizer.words(description)
        var scores = logPrior
        var knownWords = 0
        func add(_ feature: String) -> Bool {
            guard let row = featureIndex[feature] else { return false }
            for c in 0..<k { scores[c] += logLikelihood[row * k + c] }
            return true
        }
        for (i, word) in words.enumerated() {
            if add(word) { knownWords += 1 }
            if i > 0 { _ = add(words[i - 1] + " " + word) }
        }
        var best = 0
        for c in 1..<k where scores[c] > scores[best] { best = c }

        // Tempered softmax, then shrink toward uniform by how much of the text was understood.
        let top = scores[best]
        let weights = scores.map { exp(($0 - top) / calibration.temperature) }
        let posterior = weights[best] / weights.reduce(0, +)
        let known = Double(knownWords)
        let coverage = words.isEmpty ? 0 : known / Double(words.count)
        let evidence = coverage * known / (known + calibration.halfWeightWords)
        let uniform = 1 / Double(k)
        let confidence = uniform + (posterior - uniform) * evidence
        return Classification(category: Self.categories[best], confidence: confidence)
    }
}

// MARK: - The bundled model

extension NaiveBayesClassifier {
    /// The model trained from the corpus bundled with the library (training part only).
    ///
    /// Built once per process on first use and shared: the ticket worker calls `classify` on every
    /// create and edit, and training costs milliseconds, not per call.
    ///
    /// - Throws: `ClassifierError` if the bundled corpus is missing or malformed.
    public static func standard() throws(ClassifierError) -> NaiveBayesClassifier {
        try shared.get()
    }

    private static let shared: Result<NaiveBayesClassifier, ClassifierError> = Result {
        () throws(ClassifierError) -> NaiveBayesClassifier in
        NaiveBayesClassifier(training: try ClassifierCorpus.bundled().training)
    }
}
