import Domain

/// A tab-separated file of reports labelled with a category, a severity or both.
///
/// Like `LabelledTSV` (same rules: header names the columns in any order, other columns are
/// ignored, a bad line is collected and skipped) but it reads `severity` too, and needs only one of
/// the two label columns: the severity corpus has no category, an overrides file may have either.
/// An empty label cell means "not labelled" (an override that changed only the severity).
public struct TriageTSV: Sendable, Equatable {
    public var examples: [Domain.LabelledExample]
    public var malformed: [MalformedLine]
    public var hasCategory: Bool
    public var hasSeverity: Bool

    /// - Throws: `ClassifierError.missingColumn` when the header lacks `text`, or both `category` and `severity`.
    public init(parsing content: String) throws(ClassifierError) {
        let table = TabSeparatedRows(content)
        let header = table.header
        guard let textColumn = header.firstIndex(of: "text") else { throw .missingColumn("text") }
        let categoryColumn = header.firstIndex(of: "category")
        let severityColumn = header.firstIndex(of: "severity")
        guard categoryColumn != nil || severityColumn != nil else { throw .missingColumn("category") }
        hasCategory = categoryColumn != nil
        hasSeverity = severityColumn != nil
        examples = []
        malformed = table.malformed
        for (number, fields) in table.rows {
            var example = Domain.LabelledExample(text: fields[textColumn])
            guard !example.text.isEmpty else {
                malformed.append(MalformedLine(line: number, reason: "empty text"))
                continue
            }
            if let c = categoryColumn, !fields[c].isEmpty {
                guard let category = Category(rawValue: fields[c].lowercased()) else {
                    malformed.append(MalformedLine(line: number, reason: "unknown category '\(fields[c].prefix(40))'"))
                    continue
                }
                example.category = category
            }
            if let s = severityColumn, !fields[s].isEmpty {
                guard let severity = Severity(rawValue: fields[s].lowercased()) else {
                    malformed.append(MalformedLine(line: number, reason: "unknown severity '\(fields[s].prefix(40))'"))
                    continue
                }
                example.severity = severity
            }
            guard example.category != nil || example.severity != nil else {
                malformed.append(MalformedLine(line: number, reason: "no label"))
                continue
            }
            examples.append(example)
        }
        malformed.sort { $0.line < $1.line }
    }
}
