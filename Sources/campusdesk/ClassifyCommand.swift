import SpoolBroker
import Classifier
import HTTPServer
import Foundation
import ServiceLifecycle

/// `campusdesk classify "text"` files one description; `--evaluate FILE` scores a labelled TSV file.
enum ClassifyCommand {
    static let usage = """
    usage: campusdesk classify "description text"
           campusdesk classify --evaluate FILE   (TSV with a header naming 'category' and 'text')

    """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk classify", usage: usage) { parsed throws(CommandLineError) in
            guard args.first == "--evaluate" else { return classify(args) }
            _ = parsed.next()
            let path = try parsed.value(of: "--evaluate")
            try parsed.expectEnd()
            return evaluate(path: path)
        }
    }

    private static func classify(_ args: [String]) -> Int32 {
        guard !args.isEmpty, !(args.first?.hasPrefix("--") ?? false) else {
            CommandLineTool.printError(usage)
            return ExitCode.usage
        }
        let model: NaiveBayesClassifier
        do {
            model = try NaiveBayesClassifier.standard()
        } catch {
            CommandLineTool.printError("campusdesk classify: \(error)")
            return 1
        }
        let result = model.classify(args.joined(separator: " "))
        let note = result.isLowConfidence ? " (low confidence)" : ""
        print("\(result.category.rawValue) \(formatted(result.confidence))\(note)")
        return 0
    }

    private static func evaluate(path: String) -> Int32 {
        let content: String
        do {
            content = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            CommandLineTool.printError("campusdesk classify: cannot read \(path): \(error.localizedDescription)")
            return 1
        }
        do {
            let table = try LabelledTSV(parsing: content)
            for bad in table.malformed { CommandLineTool.printError("\(path): \(bad) (skipped)") }
            let model = try NaiveBayesClassifier.standard()
            let evaluation = ClassifierEvaluation(examples: table.examples, skipped: table.malformed.count, classifier: model)
            print(evaluation.report, terminator: "")
            return 0
        } catch {
            CommandLineTool.printError("campusdesk classify: \(path): \(error)")
            return 1
        }
    }

    private static func formatted(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

}
