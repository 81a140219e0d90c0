import Domain
/// One labelled report: the category a person chose and the text they classified.
public struct LabelledExample: Sendable, Equatable {
    public var category: Category
    public var text: String
    /// The 1-based line it came from, so reports can point back at the file.
    public var line: Int

    public init(category: Category, text: String, line: Int = 0) {
        self.category = category
        self.text = text
        self.line = line
    }
}

/// A line of a labelled file that was skipped, and why.
public struct MalformedLine: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// A tab-separated file of labelled reports: a header naming the columns, then one report a line.
///
/// Only `category` (facility | it | services, any case) and `text` are read; other columns such as
/// `id` or `source` are ignored, and the order comes from the header. A bad line is collected with
/// its number and skipped, never fatal, because one typo should not cost a whole evaluation. A
/// header without the two columns is fatal: nothing after it can be read.
public struct LabelledTSV: Sendable, Equatable {
    public var examples: [LabelledExample]
    public var malformed: [MalformedLine]

    /// Parses the whole file's text.
    ///
    /// - Throws: `ClassifierError.missingColumn` when the header lacks `category` or `text`.
    public init(parsing content: String) throws(ClassifierError) {
        let table = TabSeparatedRows(content)
        guard let categoryColumn = table.header.firstIndex(of: "category") else { throw .missingColumn("category") }
        guard let textColumn = table.header.firstIndex(of: "text") else { throw .missingColumn("text") }
        var examples: [LabelledExample] = []
        var malformed = table.malformed
        for (number, fields) in table.rows {
            let label = fields[categoryColumn]
            guard let category = Category(rawValue: label.lowercased()) else {
                malformed.append(MalformedLine(line: number, reason: "unknown category '\(label.prefix(40))'"))
                continue
            }
            let text = fields[textColumn]
            guard !text.isEmpty else {
                malformed.append(MalformedLine(line: number, reason: "empty text"))
                continue
            }
            examples.append(LabelledExample(category: category, text: text, line: number))
        }
        self.examples = examples
        self.malformed = malformed.sorted { $0.line < $1.line }
    }
}
