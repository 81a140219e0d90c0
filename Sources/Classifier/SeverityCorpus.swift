import Foundation
import Domain

/// The severity-labelled reports bundled with the library: `Corpus/severity/train.tsv` and
/// `Corpus/severity/heldout.tsv`, header `severity<TAB>text`, written by hand like the category corpus.
public struct SeverityCorpus: Sendable {
    public var training: [Domain.LabelledExample]
    public var heldOut: [Domain.LabelledExample]

    /// - Throws: `ClassifierError` when a file is missing, unreadable or has a malformed line.
    public static func bundled() throws(ClassifierError) -> SeverityCorpus {
        guard let root = Bundle.module.url(forResource: "Corpus", withExtension: nil) else {
            throw .corpusUnreadable("Corpus")
        }
        return try load(from: root.appendingPathComponent("severity"))
    }

    /// Loads `train.tsv` and `heldout.tsv` from `directory`.
    public static func load(from directory: URL) throws(ClassifierError) -> SeverityCorpus {
        SeverityCorpus(
            training: try file(directory.appendingPathComponent("train.tsv")),
            heldOut: try file(directory.appendingPathComponent("heldout.tsv")))
    }

    static func file(_ url: URL) throws(ClassifierError) -> [Domain.LabelledExample] {
        let content: String
        do { content = try String(contentsOf: url, encoding: .utf8) } catch { throw .corpusUnreadable(url.path) }
        let table = try TriageTSV(parsing: content)
        if let bad = table.malformed.first {
            throw .malformedCorpus(file: url.lastPathComponent, line: bad.line, reason: bad.reason)
        }
        guard table.hasSeverity, table.examples.allSatisfy({ $0.severity != nil }) else { throw .missingColumn("severity") }
        return table.examples
    }
}
