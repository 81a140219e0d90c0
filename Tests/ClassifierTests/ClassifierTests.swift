import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import Classifier

@Suite struct ClassifierTests {
    let model: NaiveBayesClassifier

    init() throws {
        model = try NaiveBayesClassifier.standard()
    }

    @Test("short reports land in the right category", arguments: [
        ("wifi down in library", Category.it),
        ("lift stuck 3rd floor", .facility),
        ("cold food again", .services),
        ("printer jammed on level 2", .it),
        ("cant log in to moodle pls help", .it),
        ("projector in room 1.04 no signal", .it),
        ("forgot my password", .it),
        ("radiator cold", .facility),
        ("toilet blocked 2nd floor", .facility),
        ("water leaking from ceiling", .facility),
        ("lights flickering in corridor", .facility),
        ("fire exit blocked", .facility),
        ("mice in the kitchen", .facility),
        ("shuttle bus late again", .services),
        ("refund for my fees still not paid", .services),
        ("library closes too early", .services),
        ("vending machine ate my money", .services),
        ("housing office never replies", .services),
        ("security guard was rude", .services),
    ])
    func shortReports(_ text: String, _ expected: Category) {
        #expect(model.classify(text).category == expected, "\(text)")
    }

    @Test("a place word does not decide: the problem does", arguments: [
        ("the wifi in the canteen is down", Category.it),
        ("the library printer is out of toner", .it),
        ("the library is freezing, heating is off", .facility),
        ("the canteen ceiling is leaking onto the tables", .facility),
        ("library opening hours are too short", .services),
        ("the housing portal login page gives an error", .it),
    ])
    func placesAndProblems(_ text: String, _ expected: Category) {
        #expect(model.classify(text).category == expected, "\(text)")
    }

    @Test func clearReportsAreConfident() {
        let long = "Dear facilities, the lift in the library has been out of order for a week and students in wheelchairs cannot reach the upper floors."
        for text in [long, "eduroam keeps disconnecting in the library and my password reset does not work"] {
            let result = model.classify(text)
            #expect(!result.isLowConfidence, "\(text) → \(result)")
        }
    }

    @Test("other languages and gibberish get a low confidence", arguments: [
        "Das WLAN in der Bibliothek funktioniert nicht",
        "La calefacción no funciona en mi habitación",
        "Le chauffage ne marche pas dans ma chambre",
        "Il bagno al secondo piano è rotto",
        "De lift is kapot en de verwarming werkt niet",
        "O elevador está quebrado",
        "Le wifi ne marche pas dans la bibliothèque",
        "图书馆的无线网络坏了",
        "Я не могу войти в систему",
        "asdkj qwpoe zxmcn",
        "lorem ipsum dolor sit amet",
        "????? !!!!",
        "",
    ])
    func unknownTextIsLowConfidence(_ text: String) {
        let result = model.classify(text)
        #expect(result.isLowConfidence, "\(text) → \(result)")
        #expect(result.confidence >= 1.0 / 3 - 1e-9)
    }

    @Test func isDeterministicAcrossCallsAndTrainings() throws {
        let corpus = try ClassifierCorpus.bundled()
        let retrained = NaiveBayesClassifier(training: corpus.training)
        for example in corpus.heldOut {
            let a = model.classify(example.text)
            #expect(a == model.classify(example.text))
            #expect(a == retrained.classify(example.text))
        }
    }

    @Test func handlesAHundredKilobytes() {
        let sentence = "The radiator in my room is leaking and the floor is wet. "
        let text = String(repeating: sentence, count: 100_000 / sentence.utf8.count + 1)
        #expect(text.utf8.count >= 100_000)
        let result = model.classify(text)
        #expect(result.category == .facility)
        #expect(result.confidence > 0.6 && result.confidence <= 1)
        #expect(result.confidence.isFinite)
    }

    @Test func confidenceStaysInRange() throws {
        for example in try ClassifierCorpus.bundled().heldOut {
            let c = model.classify(example.text).confidence
            #expect(c >= 1.0 / 3 - 1e-9 && c <= 1, "\(example.text) → \(c)")
        }
    }
}

@Suite struct ClassifierCorpusTests {
    @Test func bundledCorpusIsLargeAndBalanced() throws {
        let corpus = try ClassifierCorpus.bundled()
        #expect(corpus.training.count >= 1500)
        let counts = Dictionary(grouping: corpus.training, by: \.category).mapValues(\.count)
        for category in Category.allCases {
            let share = Double(counts[category] ?? 0) / Double(corpus.training.count)
            #expect(abs(share - 1.0 / 3) < 0.03, "\(category) share \(share)")
        }
        #expect(corpus.heldOut.count >= 300)
    }

    @Test func heldOutReportsAreNotInTraining() throws {
        let corpus = try ClassifierCorpus.bundled()
        let seen = Set(corpus.training.map { $0.text.lowercased() })
        let leaked = corpus.heldOut.filter { seen.contains($0.text.lowercased()) }
        #expect(leaked.isEmpty, "\(leaked.map(\.text))")
    }

    @Test func heldOutAccuracyMeetsTheTarget() throws {
        let corpus = try ClassifierCorpus.bundled()
        let evaluation = ClassifierEvaluation(examples: corpus.heldOut, classifier: try NaiveBayesClassifier.standard())
        #expect(evaluation.accuracy >= 0.95)
        for category in Category.allCases {
            #expect((evaluation.recall(category) ?? 0) >= 0.90, "\(category)")
        }
    }

    @Test func malformedCorpusFileIsRejectedWithItsLine() throws {
        let dir = try TemporaryDirectory("classifier")
        defer { dir.remove() }
        let root = dir.url
        for folder in ["train", "heldout"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "category\ttext\nit\twifi down\nfood\tcold soup\n".write(to: root.appendingPathComponent("train/a.tsv"), atomically: false, encoding: .utf8)
        #expect(throws: ClassifierError.malformedCorpus(file: "a.tsv", line: 3, reason: "unknown category 'food'")) {
            try ClassifierCorpus.load(from: root)
        }
        try "category\ttext\nit\twifi down\nservices\tcold soup\n".write(to: root.appendingPathComponent("train/a.tsv"), atomically: false, encoding: .utf8)
        try "text\tcategory\nlift stuck\tFACILITY\n".write(to: root.appendingPathComponent("heldout/b.tsv"), atomically: false, encoding: .utf8)
        let corpus = try ClassifierCorpus.load(from: root)
        #expect(corpus.training.map(\.category) == [.it, .services])
        #expect(corpus.heldOut == [LabelledExample(category: .facility, text: "lift stuck", line: 2)])
    }
}
