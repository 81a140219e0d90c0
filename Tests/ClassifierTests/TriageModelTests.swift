import Foundation
import Testing
@testable import Domain
@testable import Classifier

@Suite struct TriageModelTests {
    let model: TriageModel

    init() throws {
        model = try TriageModel.standard()
    }

    /// A model of its own, so learning in one test cannot change what another sees.
    static func freshModel() throws -> TriageModel {
        TriageModel(categoryTraining: try ClassifierCorpus.bundled().training, severityTraining: try SeverityCorpus.bundled().training)
    }

    @Test("the issue's severity examples", arguments: [
        ("I can smell gas in the corridor of block C", Severity.critical),
        ("a person is stuck in the lift between floors", .critical),
        ("the whole building has no network since this morning", .high),
        ("one printer on the second floor is out of toner", .low),
    ])
    func issueSeverities(_ text: String, _ expected: Severity) {
        let s = model.suggest(text).severity
        #expect(s.value == expected, "\(text) → \(s)")
    }

    @Test func classifyAgreesWithSuggest() throws {
        for example in try ClassifierCorpus.bundled().heldOut.prefix(60) {
            let c = model.classify(example.text)
            let s = model.suggest(example.text).category
            #expect(c.category == s.value && c.confidence == s.confidence, "\(example.text)")
        }
    }

    @Test("explanations name the decisive word", arguments: [
        ("wifi down in the library", "wifi", true),
        ("the radiator in my room is leaking", "leak", true),
        ("refund for my fees still not paid", "refund", true),
        ("strong smell of gas near the boiler", "gas", false),
    ])
    func explanations(_ text: String, _ word: String, _ inCategory: Bool) {
        let s = model.suggest(text)
        let words = inCategory ? s.category.words : s.severity.words
        #expect(!words.isEmpty && words.count <= 5)
        #expect(words.contains(word), "\(text) → \(words)")
        #expect(!s.category.words.contains { $0.hasPrefix("#") })
    }

    @Test func isDeterministic() throws {
        let other = try Self.freshModel()
        for example in try ClassifierCorpus.bundled().heldOut {
            let a = model.suggest(example.text)
            #expect(a == model.suggest(example.text))
            #expect(a == other.suggest(example.text))
        }
    }

    @Test func unknownTextStaysBelowTheLowConfidenceLine() {
        for text in ["Das WLAN in der Bibliothek funktioniert nicht", "asdkj qwpoe zxmcn", "图书馆的无线网络坏了", ""] {
            let s = model.suggest(text)
            #expect(s.category.confidence < Classification.lowConfidenceThreshold, "\(text) → \(s.category)")
            #expect(s.severity.confidence < 0.5, "\(text) → \(s.severity)")
        }
    }

    /// Confidence means something: right answers are surer than wrong ones, and the calibration
    /// error on the held-out file stays under a bound a little above the measured 0.03.
    @Test func confidenceIsCalibrated() throws {
        let heldOut = try ClassifierCorpus.bundled().heldOut
        var right: [Double] = []
        var wrong: [Double] = []
        var predictions: [ModelSelection.Prediction] = []
        let fit = model
        for e in heldOut {
            let c = fit.classify(e.text)
            (c.category == e.category ? { right.append(c.confidence) } : { wrong.append(c.confidence) })()
            predictions.append(ModelSelection.Prediction(
                label: Category.allCases.firstIndex(of: e.category) ?? 0,
                scores: Category.allCases.map { $0 == c.category ? log(c.confidence) : log((1 - c.confidence) / 2) },
                knownWords: 1, words: 1))
        }
        let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(max(1, xs.count)) }
        #expect(wrong.isEmpty || mean(right) > mean(wrong) + 0.15, "right \(mean(right)) wrong \(mean(wrong))")
        let ece = ModelSelection.expectedCalibrationError(predictions, .uncalibrated)
        #expect(ece < 0.06, "ECE \(ece)")
    }

    @Test func severityHeldOutAccuracy() throws {
        let heldOut = try SeverityCorpus.bundled().heldOut
        let right = heldOut.filter { model.suggest($0.text).severity.value == $0.severity }.count
        #expect(Double(right) / Double(heldOut.count) >= 0.72)
    }

    @Test func anOverrideChangesTheNextPredictionOfASimilarText() throws {
        let fresh = try Self.freshModel()
        // Misfiled on purpose by the corpus's reading: the canteen words pull to services.
        let text = "the canteen card terminal shows the spinning wheel and never finishes"
        let similar = "canteen card terminal shows a spinning wheel and never finish"
        let before = fresh.suggest(text)
        let target: Category = before.category.value == .it ? .facility : .it
        let severity: Severity = before.severity.value == .critical ? .low : .critical
        fresh.learn([LabelledExample(text: text, category: target, severity: severity)])
        let after = fresh.suggest(similar)
        #expect(after.category.value == target, "\(before.category) → \(after.category)")
        #expect(after.severity.value == severity, "\(before.severity) → \(after.severity)")
        #expect(fresh.learnedExamples == 1)
        // Learning is a refit from corpus + examples: an empty list goes back to the corpus fit.
        fresh.learn([])
        #expect(fresh.suggest(text) == before)
    }

    @Test func overridesTogetherWeighAtMostAQuarterOfTheCorpus() {
        #expect(TriageModel.overrideWeight(count: 1, corpusLines: 3_800) == TriageModel.overrideWeight)
        #expect(TriageModel.overrideWeight(count: 95, corpusLines: 3_800) == TriageModel.overrideWeight)
        let many = TriageModel.overrideWeight(count: 304, corpusLines: 3_800)
        #expect(many < TriageModel.overrideWeight)
        #expect(abs(many * 304 - 0.25 * 3_800) < 1e-9)
    }

    /// Hundreds of overrides no longer swamp the corpus: learning the 304 held-out reports at full
    /// weight took unseen file b from 0.968 to 0.929; with the cap it measured 0.955.
    @Test func manyOverridesDoNotSwampTheCorpus() throws {
        let fresh = try Self.freshModel()
        fresh.learn(try ClassifierCorpus.bundled().heldOut.map { LabelledExample(text: $0.text, category: $0.category) })
        let unseen = try ClassifierCorpus.bundledFile("unseen/unseen-2026-12-03-b.tsv").filter { $0.category != nil }
        let right = unseen.filter { fresh.classify($0.text).category == $0.category }.count
        #expect(Double(right) / Double(unseen.count) >= 0.94)
    }

    @Test func learnAndSuggestFromManyTasks() async throws {
        let fresh = try Self.freshModel()
        let texts = try ClassifierCorpus.bundled().heldOut.prefix(40).map(\.text)
        let override = LabelledExample(text: "the chocolate fountain is wobbling", category: .it, severity: .high)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for (i, text) in texts.enumerated() where i % 4 == t {
                        let s = fresh.suggest(text)
                        #expect(s.category.confidence > 0 && s.category.confidence <= 1)
                    }
                }
            }
            for _ in 0..<3 { group.addTask { fresh.learn([override]) } }
        }
        #expect(fresh.learnedExamples == 1)
        #expect(fresh.suggest("the chocolate fountain is wobbling").category.value == .it)
    }
}

@Suite struct TriageTSVTests {
    @Test func readsCategorySeverityOrBoth() throws {
        let table = try TriageTSV(parsing: "text\tseverity\tcategory\ngas smell\tCRITICAL\t\nprinter\t\tit\nnothing\t\t\nlift\tsoon\tfacility\n")
        #expect(table.examples == [
            LabelledExample(text: "gas smell", severity: .critical),
            LabelledExample(text: "printer", category: .it),
        ])
        #expect(table.malformed.map(\.description) == ["line 4: no label", "line 5: unknown severity 'soon'"])
        #expect(throws: ClassifierError.missingColumn("category")) { try TriageTSV(parsing: "id\ttext\n1\twifi\n") }
    }

    @Test func severityCorpusIsBalancedAndApart() throws {
        let corpus = try SeverityCorpus.bundled()
        #expect(corpus.training.count >= 400 && corpus.heldOut.count >= 80)
        let counts = Dictionary(grouping: corpus.training, by: { $0.severity }).mapValues(\.count)
        for level in Severity.allCases { #expect((counts[level] ?? 0) >= 90, "\(level)") }
        let seen = Set(corpus.training.map { $0.text.lowercased() })
        #expect(corpus.heldOut.allSatisfy { !seen.contains($0.text.lowercased()) })
    }
}

/// Reports written after a freeze (see Corpus/README.md), with floors a little under the
/// measured figures so a regression shows. File d is unseen by the current model (written after
/// the round-4 freeze, measured 2026-12-03: category 0.977, severity 0.813); files c, b and a
/// were read before later rounds, so their floors only guard against regressions (measured after
/// round 4: 0.945 / 0.855, 0.955 / 0.827 and 0.968 / 0.853; the severity floors were raised from
/// 0.70, 0.67 and 0.75 and file c's category floor from 0.91 with round 4's model).
@Suite struct UnseenReportsTests {
    @Test("accuracy on text written after a freeze", arguments: [
        ("unseen/unseen-2026-12-03-d.tsv", 0.96, 0.78),
        ("unseen/unseen-2026-12-03-c.tsv", 0.93, 0.82),
        ("unseen/unseen-2026-12-03-b.tsv", 0.94, 0.80),
        ("unseen/unseen-2026-12-03.tsv", 0.95, 0.82),
    ])
    func accuracyAfterFreeze(_ file: String, _ categoryFloor: Double, _ severityFloor: Double) throws {
        let model = try TriageModel.standard()
        let unseen = try ClassifierCorpus.bundledFile(file)
        #expect(unseen.count >= 150)
        let categories = unseen.filter { $0.category != nil }
        let severities = unseen.filter { $0.severity != nil }
        let categoryRight = categories.filter { model.classify($0.text).category == $0.category }.count
        let severityRight = severities.filter { model.suggest($0.text).severity.value == $0.severity }.count
        #expect(Double(categoryRight) / Double(categories.count) >= categoryFloor)
        #expect(Double(severityRight) / Double(severities.count) >= severityFloor)
    }
}

@Suite struct NaiveBayesAgreementTests {
    /// `NaiveBayesClassifier` stays for tools and the worker benchmark's classifier-only baseline; it
    /// must compute what the linear naive Bayes fit computes. (Until round 4 `TriageModel` itself
    /// was naive Bayes and this compared the two; its category is now complement naive Bayes.)
    @Test func naiveBayesClassifierFilesLikeTheLinearNaiveBayesFit() throws {
        let corpus = try ClassifierCorpus.bundled()
        let documents = corpus.training.compactMap { e in
            Category.allCases.firstIndex(of: e.category).map { TrainingDocument(text: e.text, label: $0) }
        }
        let linear = ModelSelection.fit(.naiveBayes, documents, classCount: Category.allCases.count)
        let bayes = try NaiveBayesClassifier.standard()
        let normalizer = TextNormalizer()
        for example in corpus.heldOut {
            let scores = linear.scores(linear.vector(words: normalizer.words(example.text)))
            #expect(Category.allCases[ModelSelection.argmax(scores)] == bayes.classify(example.text).category, "\(example.text)")
        }
    }

    /// The shipped category model differs from plain naive Bayes by design, but not wildly: on the
    /// held-out file they file all but a few reports alike.
    @Test func triageModelMostlyFilesLikeNaiveBayes() throws {
        let triage = try TriageModel.standard()
        let bayes = try NaiveBayesClassifier.standard()
        let heldOut = try ClassifierCorpus.bundled().heldOut
        let alike = heldOut.filter { triage.classify($0.text).category == bayes.classify($0.text).category }.count
        #expect(Double(alike) / Double(heldOut.count) >= 0.95)
    }
}
