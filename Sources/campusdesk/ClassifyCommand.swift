import SpoolBroker
import Classifier
import Domain
import HTTPServer
import Foundation
import ServiceLifecycle

/// `campusdesk classify "text"` suggests a category and severity; `--evaluate FILE` scores a
/// labelled TSV file, and with `--learn OVERRIDES` scores it again after learning from overrides.
enum ClassifyCommand {
    static let usage = """
    usage: campusdesk classify "description text"
           campusdesk classify --evaluate FILE [--learn OVERRIDES]
             FILE and OVERRIDES: TSV with a header naming 'text' and 'category' and/or 'severity'

    """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk classify", usage: usage) { parsed throws(CommandLineError) in
            guard args.first == "--evaluate" else { return classify(args) }
            _ = parsed.next()
            let path = try parsed.value(of: "--evaluate")
            var overrides: String?
            if let flag = parsed.next() {
                guard flag == "--learn" else { throw parsed.unexpected(flag) }
                overrides = try parsed.value(of: "--learn")
            }
            try parsed.expectEnd()
            return evaluate(path: path, overrides: overrides)
        }
    }

    private static func classify(_ args: [String]) -> Int32 {
        guard !args.isEmpty, !(args.first?.hasPrefix("--") ?? false) else {
            CommandLineTool.printError(usage)
            return ExitCode.usage
        }
        let model: TriageModel
        do {
            model = try TriageModel.standard()
        } catch {
            CommandLineTool.printError("campusdesk classify: \(error)")
            return 1
        }
        let suggestion = model.suggest(args.joined(separator: " "))
        let low = suggestion.category.confidence < Classification.lowConfidenceThreshold ? " (low confidence)" : ""
        print("category: \(suggestion.category.value.rawValue) \(formatted(suggestion.category.confidence))\(low)\(words(suggestion.category.words))")
        print("severity: \(suggestion.severity.value.rawValue) \(formatted(suggestion.severity.confidence))\(words(suggestion.severity.words))")
        return 0
    }

    private static func words(_ list: [String]) -> String {
        list.isEmpty ? "" : "  words: " + list.joined(separator: ", ")
    }

    private static func evaluate(path: String, overrides: String?) -> Int32 {
        do {
            let table = try read(path)
            let model = try TriageModel.standard()
            let before = report(table, model: model)
            guard let overrides else {
                print(before.text, terminator: "")
                return 0
            }
            let learnt = try read(overrides)
            print("== before learning ==\n\(before.text)", terminator: "")
            model.learn(learnt.examples)
            let after = report(table, model: model)
            print("\n== after learning from \(learnt.examples.count) overrides in \(overrides) ==\n\(after.text)", terminator: "")
            print("")
            for (name, b, a) in zip3(before.accuracies, after.accuracies) {
                print("\(name) accuracy before: \(formatted(b)), after: \(formatted(a))")
            }
            return 0
        } catch let failure as ReadFailure {
            CommandLineTool.printError("campusdesk classify: \(failure.message)")
            return 1
        } catch {
            CommandLineTool.printError("campusdesk classify: \(path): \(error)")
            return 1
        }
    }

    private struct ReadFailure: Error { var message: String }

    private static func read(_ path: String) throws -> TriageTSV {
        let content: String
        do {
            content = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReadFailure(message: "cannot read \(path): \(error.localizedDescription)")
        }
        let table: TriageTSV
        do { table = try TriageTSV(parsing: content) } catch { throw ReadFailure(message: "\(path): \(error)") }
        for bad in table.malformed { CommandLineTool.printError("\(path): \(bad) (skipped)") }
        return table
    }

    /// The category report (when the file has categories) and the severity report (when it has severities).
    private static func report(_ table: TriageTSV, model: TriageModel) -> (text: String, accuracies: [(String, Double)]) {
        var text = ""
        var accuracies: [(String, Double)] = []
        if table.hasCategory {
            let examples = table.examples.compactMap { e in e.category.map { Classifier.LabelledExample(category: $0, text: e.text) } }
            let evaluation = ClassifierEvaluation(examples: examples, skipped: table.malformed.count, classifier: model)
            text += evaluation.report
            accuracies.append(("category", evaluation.accuracy))
        }
        if table.hasSeverity {
            let pairs = table.examples.compactMap { e in
                e.severity.map { (actual: $0.rawValue, predicted: model.suggest(e.text).severity.value.rawValue) }
            }
            let evaluation = LabelEvaluation(name: "severity", labels: Severity.allCases.map(\.rawValue), pairs: pairs)
            text += (text.isEmpty ? "" : "\n") + evaluation.report
            accuracies.append(("severity", evaluation.accuracy))
        }
        return (text, accuracies)
    }

    private static func zip3(_ a: [(String, Double)], _ b: [(String, Double)]) -> [(String, Double, Double)] {
        zip(a, b).map { ($0.0.0, $0.0.1, $0.1.1) }
    }

    private static func formatted(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
