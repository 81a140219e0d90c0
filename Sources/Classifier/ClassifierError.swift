/// Why a labelled file or the bundled corpus could not be used.
///
/// One error type for the classifier layer; each case names the file or column so an operator
/// can fix the input without reading code.
public enum ClassifierError: Error, Equatable, CustomStringConvertible {
    /// The header line lacks a required column (`category` or `text`).
    case missingColumn(String)
    /// The bundled corpus directory or one of its files could not be found or read.
    case corpusUnreadable(String)
    /// A line of the bundled corpus is malformed; the corpus must be clean, so this is fatal.
    case malformedCorpus(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingColumn(let name): "header has no '\(name)' column"
        case .corpusUnreadable(let path): "cannot read classifier corpus at \(path)"
        case .malformedCorpus(let file, let line, let reason): "\(file) line \(line): \(reason)"
        }
    }
}
