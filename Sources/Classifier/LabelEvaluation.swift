/// Accuracy, per-label precision and recall and a confusion matrix for any set of labels: the
/// severity report of `campusdesk classify --evaluate` (the category report is `ClassifierEvaluation`,
/// whose text existing tests pin).
public struct LabelEvaluation: Sendable, Equatable {
    public let name: String
    public let labels: [String]
    /// `confusion[actual][predicted]`, both indexed in `labels` order.
    public let confusion: [[Int]]

    /// Tallies `(actual, predicted)` pairs; pairs with a label outside `labels` are ignored.
    public init(name: String, labels: [String], pairs: [(actual: String, predicted: String)]) {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: labels.count), count: labels.count)
        for pair in pairs {
            if let a = labels.firstIndex(of: pair.actual), let p = labels.firstIndex(of: pair.predicted) { matrix[a][p] += 1 }
        }
        self.init(name: name, labels: labels, confusion: matrix)
    }

    /// Wraps a tallied `confusion[actual][predicted]` in `labels` order.
    public init(name: String, labels: [String], confusion: [[Int]]) {
        self.name = name
        self.labels = labels
        self.confusion = confusion
    }

    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    public var accuracy: Double {
        let correct = confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }

    public func precision(_ i: Int) -> Double? {
        let predicted = confusion.reduce(0) { $0 + $1[i] }
        return predicted == 0 ? nil : Double(confusion[i][i]) / Double(predicted)
    }

    public func recall(_ i: Int) -> Double? {
        let actual = confusion[i].reduce(0, +)
        return actual == 0 ? nil : Double(confusion[i][i]) / Double(actual)
    }

    /// The same layout as `ClassifierEvaluation.report`, ending with `<name> accuracy: 0.xxx`.
    public var report: String {
        var lines = ["\(name) examples: \(total)", ""]
        lines.append(Self.row([name, "precision", "recall", "support"]))
        for (i, label) in labels.enumerated() {
            lines.append(Self.row([label, fixed3(precision(i)), fixed3(recall(i)), String(confusion[i].reduce(0, +))]))
        }
        lines.append("")
        lines.append("confusion matrix (rows: actual, columns: predicted)")
        lines.append(Self.row(["actual"] + labels))
        for (i, label) in labels.enumerated() { lines.append(Self.row([label] + confusion[i].map(String.init))) }
        lines.append("")
        lines.append("\(name) accuracy: \(fixed3(accuracy))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// First cell left-aligned in 10 columns, the rest right-aligned in 10 (both reports' layout).
    static func row(_ cells: [String]) -> String {
        var line = ""
        for (i, cell) in cells.enumerated() {
            let pad = String(repeating: " ", count: max(0, 10 - cell.count))
            line += i == 0 ? cell + pad : pad + cell
        }
        return line
    }

    private func fixed3(_ v: Double?) -> String { ClassifierEvaluation.fixed3(v) }
}
