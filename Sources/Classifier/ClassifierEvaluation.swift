import Domain
/// How well a classifier files a set of labelled reports: confusion matrix, precision, recall.
///
/// Kept apart from the command so the numbers and the report text are tested by comparing
/// strings, and the same code produces the figures in docs/classification.md.
public struct ClassifierEvaluation: Sendable, Equatable {
    /// `confusion[actual][predicted]`, both indexed in `Category.allCases` order.
    public let confusion: [[Int]]
    /// Lines of the input that were skipped as malformed (shown in the report's first line).
    public let skipped: Int
    /// Examples whose confidence fell below `Classification.lowConfidenceThreshold` (flagged for staff).
    public let lowConfidence: Int
    /// Of those flagged, how many were filed correctly anyway: the flag's cost in needless checks.
    public let lowConfidenceCorrect: Int

    private static let categories = Category.allCases

    /// Classifies every example and tallies the outcome.
    public init(examples: [LabelledExample], skipped: Int = 0, classifier: some TicketClassifier) {
        let cats = Self.categories
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: cats.count), count: cats.count)
        var low = 0
        var lowCorrect = 0
        for example in examples {
            let result = classifier.classify(example.text)
            if let a = cats.firstIndex(of: example.category), let p = cats.firstIndex(of: result.category) {
                matrix[a][p] += 1
            }
            if result.isLowConfidence {
                low += 1
                if result.category == example.category { lowCorrect += 1 }
            }
        }
        self.init(confusion: matrix, skipped: skipped, lowConfidence: low, lowConfidenceCorrect: lowCorrect)
    }

    /// Wraps an existing confusion matrix and low-confidence tally.
    public init(confusion: [[Int]], skipped: Int = 0, lowConfidence: Int = 0, lowConfidenceCorrect: Int = 0) {
        self.confusion = confusion
        self.skipped = skipped
        self.lowConfidence = lowConfidence
        self.lowConfidenceCorrect = lowConfidenceCorrect
    }

    /// The counting over the category labels (one implementation for both reports).
    private var table: LabelEvaluation { LabelEvaluation(name: "category", labels: Self.categories.map(\.rawValue), confusion: confusion) }

    /// The number of examples classified.
    public var total: Int { table.total }

    /// The share filed under their own category; 0 for no examples.
    public var accuracy: Double { table.accuracy }

    /// Of the reports filed under `category`, the share that belonged there; nil if none were.
    public func precision(_ category: Category) -> Double? {
        Self.categories.firstIndex(of: category).flatMap { table.precision($0) }
    }

    /// Of the reports that belong to `category`, the share filed there; nil if there were none.
    public func recall(_ category: Category) -> Double? {
        Self.categories.firstIndex(of: category).flatMap { table.recall($0) }
    }

    /// The report `campusdesk classify --evaluate` prints; its last line is `accuracy: 0.xxx`.
    public var report: String {
        let cats = Self.categories
        var lines: [String] = []
        let skippedNote = skipped == 0 ? "" : " (\(skipped) malformed line\(skipped == 1 ? "" : "s") skipped)"
        lines.append("examples: \(total)\(skippedNote)")
        lines.append("")
        lines.append(row(["category", "precision", "recall", "support"]))
        for (i, c) in cats.enumerated() {
            lines.append(row([c.rawValue, Self.fixed3(precision(c)), Self.fixed3(recall(c)), String(confusion[i].reduce(0, +))]))
        }
        lines.append("")
        lines.append("confusion matrix (rows: actual, columns: predicted)")
        lines.append(row(["actual"] + cats.map(\.rawValue)))
        for (i, c) in cats.enumerated() {
            lines.append(row([c.rawValue] + confusion[i].map(String.init)))
        }
        lines.append("")
        lines.append("low confidence (< \(Classification.lowConfidenceThreshold)): \(lowConfidence), of which \(lowConfidenceCorrect) correct")
        lines.append("accuracy: \(Self.fixed3(accuracy))")
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ cells: [String]) -> String { LabelEvaluation.row(cells) }

    /// "0.833" for 0.8333, "-" when undefined; no Foundation formatting so output is locale-free.
    static func fixed3(_ value: Double?) -> String {
        guard let value else { return "-" }
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
