/// The rejects file of an import: each refused row as it was in the file, with its line and why.
///
/// A CSV whose header is `rejected_line, rejected_reason` and then the import file's own header,
/// and whose rows are a refused row's line number, its reasons (`; ` between them) and then its
/// fields as read. Fix the fields and import the file as it is: the two leading columns are
/// ignored by import (without a note).
extension TicketCSV {
    /// The two columns a rejects file puts before the import file's own.
    public static let rejectColumns = ["rejected_line", "rejected_reason"]

    /// The rejects file's header for an import file with this header.
    public static func rejectsHeader(_ header: [String]) -> String {
        CSVWriter.record(rejectColumns + header)
    }

    /// One refused row: its line, its reasons, and its fields as read.
    public static func rejectRecord(line: Int, reasons: [String], fields: [String]) -> String {
        CSVWriter.record([String(line), reasons.joined(separator: "; ")] + fields)
    }
}
