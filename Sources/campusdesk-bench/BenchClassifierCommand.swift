import SpoolBroker
import Classifier
import Domain
import HTTPServer
import Foundation

/// `campusdesk-bench classifier`: model load time and per-call classification cost.
///
/// Timings live here, not in tests (tests never assert speed). Build with `-c release`.
enum BenchClassifierCommand {
    static func run(_ args: [String]) async -> Int32 {
        guard args.first == "classifier" else {
            FileHandle.standardError.write(Data("usage: campusdesk-bench classifier [--rounds N]\n".utf8))
            return 64
        }
        if args.count >= 2, args[1] == "select" {
            // Model choice: cross-validation, temperatures and calibration error (docs/classification.md).
            do {
                print(ModelSelectionReport.run(
                    category: try ClassifierCorpus.bundled(), severity: try SeverityCorpus.bundled(), grid: args.contains("--grid")),
                    terminator: "")
                return 0
            } catch {
                FileHandle.standardError.write(Data("campusdesk-bench classifier select: \(error)\n".utf8))
                return 1
            }
        }
        var rounds = 20
        if args.count == 3, args[1] == "--rounds", let n = Int(args[2]), n > 0 { rounds = n }
        else if args.count != 1 {
            FileHandle.standardError.write(Data("usage: campusdesk-bench classifier [--rounds N]\n".utf8))
            return 64
        }
        let clock = ContinuousClock()
        do {
            // Cold start as the worker sees it: read the bundled corpus and train (first call of standard()).
            var model: NaiveBayesClassifier?
            let firstLoad = try clock.measure { model = try NaiveBayesClassifier.standard() }
            guard let model else { return 1 }
            // Repeated loads of the same work (files cached by the OS), to show the spread.
            var loads: [Duration] = []
            for _ in 0..<5 {
                loads.append(try clock.measure {
                    let corpus = try ClassifierCorpus.bundled()
                    _ = NaiveBayesClassifier(training: corpus.training)
                })
            }
            var corpus = try ClassifierCorpus.bundled()
            let readCost = try clock.measure { corpus = try ClassifierCorpus.bundled() }
            let trainCost = clock.measure { _ = NaiveBayesClassifier(training: corpus.training) }
            let texts = corpus.heldOut.map(\.text)
            var sink = 0.0
            let perCall = clock.measure {
                for _ in 0..<rounds { for t in texts { sink += model.classify(t).confidence } }
            }
            let calls = rounds * texts.count
            let big = String(repeating: "The radiator in room 204 is leaking and the wifi keeps dropping. ", count: 1600)
            let bigCost = clock.measure { sink += model.classify(big).confidence }
            print("training examples: \(model.trainingSize), features: \(model.vocabularySize)")
            print("first load (read corpus + train): \(ms(firstLoad)) ms")
            print("  of which read and parse corpus: \(ms(readCost)) ms, train: \(ms(trainCost)) ms")
            print("reload x5: min \(ms(loads.min() ?? .zero)) ms, max \(ms(loads.max() ?? .zero)) ms")
            print("classify: \(calls) calls of held-out reports, \(us(perCall / calls)) us per call")
            print("classify \(big.utf8.count / 1024) KB text: \(ms(bigCost)) ms")

            // The triage model (category + severity + explanations), as the worker will use it.
            var triage: TriageModel?
            let triageLoad = try clock.measure { triage = try TriageModel.standard() }
            guard let triage else { return 1 }
            let severity = try SeverityCorpus.bundled()
            var refits: [Duration] = []
            for _ in 0..<5 {
                refits.append(clock.measure {
                    _ = TriageModel(categoryTraining: corpus.training, severityTraining: severity.training)
                })
            }
            let overrides = corpus.heldOut.prefix(50).map { Domain.LabelledExample(text: $0.text, category: $0.category, severity: .medium) }
            let learnCost = clock.measure { triage.learn(overrides) }
            triage.learn([])
            let suggestCost = clock.measure {
                for _ in 0..<rounds { for t in texts { sink += triage.suggest(t).category.confidence } }
            }
            var slowest = Duration.zero
            for t in texts {
                let d = clock.measure { sink += triage.suggest(t).severity.confidence }
                slowest = max(slowest, d)
            }
            let bigSuggest = clock.measure { sink += triage.suggest(big).severity.confidence }
            print("TriageModel.standard() first call (read both corpora + fit both models): \(ms(triageLoad)) ms")
            print("TriageModel fit from corpora x5: min \(ms(refits.min() ?? .zero)) ms, max \(ms(refits.max() ?? .zero)) ms")
            print("learn(50 overrides) (refit): \(ms(learnCost)) ms")
            print("suggest: \(calls) calls of held-out reports, \(us(suggestCost / calls)) us per call; slowest single call \(us(slowest)) us")
            print("suggest \(big.utf8.count / 1024) KB text: \(ms(bigSuggest)) ms")
            if sink.isNaN { print("unexpected NaN") }
            return 0
        } catch {
            FileHandle.standardError.write(Data("campusdesk-bench classifier: \(error)\n".utf8))
            return 1
        }
    }

    private static func ms(_ d: Duration) -> String { fixed(Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
    private static func us(_ d: Duration) -> String { fixed(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6) }
    private static func fixed(_ v: Double) -> String { String(Double(Int((v * 100).rounded())) / 100) }
}
