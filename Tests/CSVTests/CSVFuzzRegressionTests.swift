import Testing
@testable import Domain
@testable import CSV

/// Inputs the CSV import fuzzer (Fuzz/Targets/FuzzCSVImport.swift) found in the CSV code.
///
/// See docs/fuzzing.md for each finding.
@Suite("CSV: fuzz regressions")
struct CSVFuzzRegressionTests {
    /// Finding 5 (input `EF BB BF EF BB BF`): the reader skips one byte order mark and keeps the
    /// second as the text of the first field; the writer wrote that field bare, so reading the
    /// written file skipped it as a byte order mark and the record was lost. Not reachable through
    /// `TicketCSV` (its first cell is always the `id` header) but wrong for any other writer use.
    /// Now a field starting with U+FEFF is quoted.
    @Test(arguments: ["\u{FEFF}", "\u{FEFF}\u{0301}x", "\u{FEFF}\u{FEFF}"])
    func leadingByteOrderMarkInFirstField_SurvivesWriteAndRead(first: String) throws {
        let records = try CSVReader.parse(bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF])
        #expect(records.map(\.fields) == [["\u{FEFF}"]])
        let written = records.map { CSVWriter.record($0.fields) }.joined()
        #expect(try CSVReader.parse(written).map(\.fields) == records.map(\.fields))
        // Any such first field, alone or before others, and a file that starts with its own mark.
        let fields = [first, "b"]
        #expect(try CSVReader.parse(CSVWriter.record(fields)).map(\.fields) == [fields])
        #expect(try CSVReader.parse("\u{FEFF}" + CSVWriter.record(fields)).map(\.fields) == [fields])
    }

    /// Finding 6 (artifact crash-62976d44): a `"` followed by a combining mark (U+033B) is one
    /// Character, so `replacingOccurrences(of: "\"", ...)` did not double it; the written field
    /// held a bare quote, the file did not read back, and another CSV reader would end the field
    /// there and start a new, un-neutralised cell. Now quotes are doubled byte by byte.
    @Test(arguments: ["a\"\u{033B}b", "\"\u{0301}", "x\"\u{033B},=1+1", "plain \"quoted\""])
    func quoteFollowedByCombiningMark_SurvivesWriteAndRead(value: String) throws {
        let written = CSVWriter.record(["1", value, "z"])
        #expect(try CSVReader.parse(written).map(\.fields) == [["1", value, "z"]])
    }

    /// The same through the ticket export and import.
    @Test func ticketDescriptionWithQuoteAndCombiningMark_ExportsAndImportsBack() throws {
        let opened = Timestamp(millisecondsSinceEpoch: 1_748_764_800_000)
        let ticket = Ticket(
            id: TicketID(1), description: "Sign says \"\u{033B}Exit\"", location: nil, reporter: nil, category: .facility,
            categorySource: .staff, categoryConfidence: nil, status: .open, openedAt: opened, modifiedAt: opened, closedAt: nil)
        let file = TicketCSV.header + TicketCSV.record(ticket)
        let batch = try TicketCSV.parseImport(Array(file.utf8), now: opened)
        #expect(batch.rows.map(\.ticket.description) == [ticket.description])
    }

    /// Finding 4 seen from the importer: a row whose time has microseconds used to crash the
    /// whole import; now it imports, truncated to milliseconds.
    @Test func rowWithMicrosecondTime_Imports() throws {
        let file = "id,description,location,reporter,status,category,opened_at,modified_at,closed_at\r\n"
            + "1,Heating off,Hall 2,Bo,open,facility,2025-06-01T08:00:00.123456Z,,\r\n"
        let batch = try TicketCSV.parseImport(Array(file.utf8), now: Timestamp(millisecondsSinceEpoch: 1_780_272_000_000))
        #expect(batch.rejections.isEmpty)
        #expect(batch.rows.map(\.ticket.openedAt) == [Timestamp(millisecondsSinceEpoch: 1_748_764_800_123)])
    }
}
