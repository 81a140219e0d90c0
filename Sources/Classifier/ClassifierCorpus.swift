import Foundation
import Domain

/// The labelled reports bundled with the library: a training part and a held-out part.
///
/// They live in separate folders (`Corpus/train`, `Corpus/heldout`) and were written separately,
/// so the held-out accuracy measures reports the model has never seen.
public struct ClassifierCorpus: Sendable {
    public var training: [LabelledExample]
    public var heldOut: [LabelledExample]

    /// Loads the corpus copied into the library's resource bundle.
    ///
    /// - Throws: `ClassifierError` when a file is missing, unreadable or has a malformed line.
    public static func bundled() throws(ClassifierError) -> ClassifierCorpus {
        guard let root = Bundle.module.url(forResource: "Corpus", withExtension: nil) else {
            throw .corpusUnreadable("Corpus")
        }
        return try load(from: root)
    }

    /// The examples of one bundled TSV file given by its path under `Corpus/` (for instance
    /// `unseen/unseen-2026-12-03.tsv`), with category and/or severity labels.
    public static func bundledFile(_ relativePath: String) throws(ClassifierError) -> [Domain.LabelledExample] {
        guard let root = Bundle.module.url(forResource: "Corpus", withExtension: nil) else {
            throw .corpusUnreadable("Corpus")
        }
        let url = root.appendingPathComponent(relativePath)
        let content: String
        do { content = try String(contentsOf: url, encoding: .utf8) } catch { throw .corpusUnreadable(url.path) }
        let table = try TriageTSV(parsing: content)
        if let bad = table.malformed.first { throw .malformedCorpus(file: relativePath, line: bad.line, reason: bad.reason) }
        return table.examples
    }

    /// Loads a corpus from a directory holding `train/*.tsv` and `heldout/*.tsv`.
    public static func load(from root: URL) throws(ClassifierError) -> ClassifierCorpus {
        ClassifierCorpus(
            training: try examples(in: root.appendingPathComponent("train")),
            heldOut: try examples(in: root.appendingPathComponent("heldout"))
        )
    }

    /// Every example of every `.tsv` file in `directory`, files in name order (deterministic).
    static func examples(in directory: URL) throws(ClassifierError) -> [LabelledExample] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".tsv") }
                .sorted()
        } catch {
            throw .corpusUnreadable(directory.path)
        }
        var result: [LabelledExample] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            let content: String
            do {
                content = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw .corpusUnreadable(url.path)
            }
            let table = try LabelledTSV(parsing: content)
            if let bad = table.malformed.first {
                throw .malformedCorpus(file: name, line: bad.line, reason: bad.reason)
            }
            result += table.examples
        }
        return result
    }
}
