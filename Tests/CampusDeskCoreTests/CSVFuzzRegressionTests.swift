import Testing
@testable import CampusDeskCore

/// Inputs the CSV import fuzzer (Fuzz/Targets/FuzzCSVImport.swift) found in the CSV code.
///
/// See docs/fuzzing.md for each finding.
@Suite("CSV: fuzz regressions")
struct CSVFuzzRegressionTests {
    /// Finding 5 (input `EF BB BF EF BB BF`): the reader skips one byte order mark and keeps the
    /// second as the text of the first field; the writer writes that field bare, so reading the
    /// written file skips it as a byte order mark and the record is lost. Not reachable through
    /// `TicketCSV` (its first cell is always the `id` header) but wrong for any other writer use.
    /// Recorded as a known issue; when `CSVWriter.field` quotes a leading U+FEFF this test reports
    /// "known issue was not recorded": then drop `withKnownIssue` and the fuzz target's skip.
    @Test func leadingByteOrderMarkInFirstField_SurvivesWriteAndRead() throws {
        let records = try CSVReader.parse(bytes: [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF])
        #expect(records.map(\.fields) == [["\u{FEFF}"]])
        let written = records.map { CSVWriter.record($0.fields) }.joined()
        withKnownIssue("CSVWriter does not protect a leading U+FEFF (docs/fuzzing.md, finding 5)") {
            #expect(try CSVReader.parse(written).map(\.fields) == records.map(\.fields))
        }
    }

    /// Finding 4 seen from the importer: a row whose time has microseconds used to crash the
    /// whole import; now it imports, truncated to milliseconds.
    @Test func rowWithMicrosecondTime_Imports() throws {
        let file = TicketCSV.header + "1,Heating off,Hall 2,Bo,open,facility,2025-06-01T08:00:00.123456Z,,\r\n"
        let batch = try TicketCSV.parseImport(Array(file.utf8), now: Timestamp(millisecondsSinceEpoch: 1_780_272_000_000))
        #expect(batch.rejections.isEmpty)
        #expect(batch.rows.map(\.ticket.openedAt) == [Timestamp(millisecondsSinceEpoch: 1_748_764_800_123)])
    }
}
