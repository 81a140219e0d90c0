import Foundation
import Synchronization
import Domain

/// Suggests a ticket's category and severity with calibrated confidences and the words behind
/// them, and refits from staff overrides without a restart.
///
/// Both parts are linear models over the normaliser's words and word pairs (complement naive Bayes
/// for the category, naive Bayes plus logistic regression for the severity, chosen by
/// cross-validation; see docs/classification.md). A fit is an
/// immutable value held in a `Mutex`: `suggest` copies the current fit out under the lock and
/// scores outside it, and `learn` fits outside the lock and swaps the result in, so suggestions
/// never wait for a refit. A generation number keeps the newest `learn` call's fit if two overlap.
public final class TriageModel: TicketTriaging, Sendable {
    /// How many corpus lines one staff override counts as while overrides are few. Large enough
    /// that an override changes the next prediction of a near-identical text (a test checks it),
    /// small enough that one mistaken override does not drag its words' other reports with it.
    public static let overrideWeight = 10.0

    /// The most that all overrides of one part together may weigh, as a share of that part's
    /// corpus lines. Hundreds of overrides at full weight swamped the corpus (unseen category
    /// accuracy fell from 0.968 to 0.929 after learning 304 reports; 0.955 with the cap); past the
    /// cap each override weighs less, so together they stay a quarter of the corpus
    /// (docs/classification.md, "Learning from overrides").
    public static let overrideShare = 0.25

    /// The weight of each of `count` overrides joining a corpus of `corpusLines` lines.
    static func overrideWeight(count: Int, corpusLines: Int) -> Double {
        guard count > 0 else { return overrideWeight }
        return min(overrideWeight, overrideShare * Double(corpusLines) / Double(count))
    }

    /// The fitted family and confidence settings, chosen with `campusdesk-bench classifier select --grid`
    /// (docs/classification.md). Rounds 1–3 shipped naive Bayes for both parts. Round 4 (4,816
    /// category reports, 2,243 severity lines): the category uses complement naive Bayes, ahead of
    /// naive Bayes on leave-one-batch-out (0.965 vs 0.963; on batches 1–10 0.964 vs 0.961) and on
    /// 5-fold CV over five fold seeds (0.962 vs 0.959), with a lower log-loss, as it was on the
    /// round-3 corpus (leave-one-batch-out 0.962 vs 0.959); the severity uses the sum of naive Bayes
    /// and logistic regression (`EnsembleSettings.severity`), ahead of either alone on 5-fold CV over
    /// five fold seeds (0.801 vs 0.787 and 0.790) and on log-loss. Temperatures were fitted on 5-fold
    /// out-of-fold scores together with the unknown-text shrink (round 4: 0.98 and 1.68).
    static let categoryFamily = ModelSelection.Family.complementNaiveBayes
    static let severityFamily = ModelSelection.Family.naiveBayesPlusLogistic
    static let categoryCalibration = ConfidenceCalibration(temperature: 0.98, halfWeightWords: 0.1, fullCoverage: 0.5)
    static let severityCalibration = ConfidenceCalibration(temperature: 1.68, halfWeightWords: 0.25, fullCoverage: 0.5)

    private struct Fit: Sendable {
        var category: LinearTextModel
        var severity: LinearTextModel
        var examples: Int
    }

    private struct State: Sendable {
        var fit: Fit
        var fittedGeneration = 0
        var requestedGeneration = 0
    }

    private let categoryDocuments: [TrainingDocument]
    private let severityDocuments: [TrainingDocument]
    private let normalizer = TextNormalizer()
    private let state: Mutex<State>

    /// Fits both models from the given corpora plus `examples` (overrides, weighted `overrideWeight`).
    public init(
        categoryTraining: [LabelledExample], severityTraining: [Domain.LabelledExample],
        examples: [Domain.LabelledExample] = []
    ) {
        let normalizer = TextNormalizer()
        // Normalising is most of the cost of a start; since round 4 the two corpora share a
        // thousand reports (batches 11 and 12 carry both labels), so each text is normalised once.
        var normalized: [String: [String]] = [:]
        func words(_ text: String) -> [String] {
            if let w = normalized[text] { return w }
            let w = normalizer.words(text)
            normalized[text] = w
            return w
        }
        categoryDocuments = categoryTraining.compactMap { e in
            Category.allCases.firstIndex(of: e.category).map { TrainingDocument(words: words(e.text), label: $0) }
        }
        severityDocuments = severityTraining.compactMap { e in
            e.severity.flatMap { Severity.allCases.firstIndex(of: $0) }.map { TrainingDocument(words: words(e.text), label: $0) }
        }
        state = Mutex(State(fit: Self.fit(categoryDocuments, severityDocuments, examples)))
    }

    /// The model trained from the bundled corpora, built once per process on first use and shared.
    ///
    /// - Throws: `ClassifierError` if a bundled corpus is missing or malformed.
    public static func standard() throws(ClassifierError) -> TriageModel {
        try shared.get()
    }

    private static let shared: Result<TriageModel, ClassifierError> = Result { () throws(ClassifierError) -> TriageModel in
        TriageModel(
            categoryTraining: try ClassifierCorpus.bundled().training,
            severityTraining: try SeverityCorpus.bundled().training)
    }

    /// The category part of `suggest`, for callers that only file tickets.
    public func classify(_ description: String) -> Classification {
        let fit = current
        let (value, confidence) = Self.best(fit.category, fit.category.vector(words: normalizer.words(description)))
        return Classification(category: Category.allCases[value], confidence: confidence)
    }

    public func suggest(_ description: String) -> TriageSuggestion {
        let fit = current
        let text = TokenizedText(words: normalizer.words(description))
        return TriageSuggestion(
            category: Self.suggestion(fit.category, text, Category.allCases),
            severity: Self.suggestion(fit.severity, text, Severity.allCases))
    }

    /// Refits from the corpora plus `examples` (all overrides so far, not just new ones).
    /// Blocks the caller for the fit (tens of milliseconds in release); other callers keep
    /// suggesting with the previous fit meanwhile.
    public func learn(_ examples: [Domain.LabelledExample]) {
        let generation = state.withLock { s in
            s.requestedGeneration += 1
            return s.requestedGeneration
        }
        let fit = Self.fit(categoryDocuments, severityDocuments, examples)
        state.withLock { s in
            guard generation > s.fittedGeneration else { return }
            s.fit = fit
            s.fittedGeneration = generation
        }
    }

    /// How many labelled examples the current fit learnt from beyond the corpora.
    public var learnedExamples: Int { current.examples }

    private var current: Fit { state.withLock { $0.fit } }

    private static func fit(
        _ categoryCorpus: [TrainingDocument], _ severityCorpus: [TrainingDocument], _ examples: [Domain.LabelledExample]
    ) -> Fit {
        let normalizer = TextNormalizer()
        var categoryDocs = categoryCorpus
        var severityDocs = severityCorpus
        let categoryWeight = overrideWeight(
            count: examples.count { $0.category != nil }, corpusLines: categoryCorpus.count)
        let severityWeight = overrideWeight(
            count: examples.count { $0.severity != nil }, corpusLines: severityCorpus.count)
        for e in examples {
            if let c = e.category, let i = Category.allCases.firstIndex(of: c) {
                categoryDocs.append(TrainingDocument(text: e.text, label: i, weight: categoryWeight, normalizer: normalizer))
            }
            if let s = e.severity, let i = Severity.allCases.firstIndex(of: s) {
                severityDocs.append(TrainingDocument(text: e.text, label: i, weight: severityWeight, normalizer: normalizer))
            }
        }
        var category = ModelSelection.fit(categoryFamily, categoryDocs, classCount: Category.allCases.count)
        var severity = ModelSelection.fit(
            severityFamily, severityDocs, classCount: Severity.allCases.count, ensemble: .severity)
        category.calibration = categoryCalibration
        severity.calibration = severityCalibration
        return Fit(category: category, severity: severity, examples: examples.count)
    }

    private static func best(_ model: LinearTextModel, _ v: LinearTextModel.Vector) -> (Int, Double) {
        let scores = model.scores(v)
        let i = ModelSelection.argmax(scores)
        return (i, model.calibration.distribution(scores: scores, knownWords: v.knownWords, words: v.words)[i])
    }

    private static func suggestion<Value: Sendable & Equatable>(
        _ model: LinearTextModel, _ text: TokenizedText, _ values: [Value]
    ) -> Suggested<Value> {
        let v = model.vector(text)
        let scores = model.scores(v)
        let d = model.calibration.distribution(scores: scores, knownWords: v.knownWords, words: v.words)
        // The winner by score: with no known word the distribution is flat but the scores still rank.
        let winner = ModelSelection.argmax(scores)
        let explanation = model.explanation(text, v, winner: winner, runnerUp: ModelSelection.runnerUp(scores))
        return Suggested(value: values[winner], confidence: d[winner], words: explanation)
    }
}
