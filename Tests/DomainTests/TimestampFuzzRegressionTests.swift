import Foundation
import Testing
@testable import Domain

/// Inputs the CSV import fuzzer (Fuzz/Targets/FuzzCSVImport.swift) found in `Timestamp`.
///
/// See docs/fuzzing.md for each finding.
@Suite("Timestamp: fuzz regressions")
struct TimestampFuzzRegressionTests {
    /// Finding 4 (artifact crash-6defc29d): more than three fraction digits trapped with
    /// "Range requires lowerBound <= upperBound" (`for _ in n..<3 where n < 3` builds the range
    /// before the `where` runs). Microsecond times are common in other systems' exports, and
    /// `Timestamp`'s Codable init goes through the same parser, so one JSON field could crash a
    /// worker. Extra digits are read and truncated to milliseconds.
    @Test(arguments: [
        ("2025-06-01 08:00:00,123456z", Int64(1_748_764_800_123)),
        ("2025-06-01T08:00:00.1234Z", Int64(1_748_764_800_123)),
        ("2025-06-01T08:00:00.999999999+00:00", Int64(1_748_764_800_999)),
        ("2025-06-01T08:00:00.12Z", Int64(1_748_764_800_120)),
        ("2025-06-01T08:00:00.5Z", Int64(1_748_764_800_500)),
    ])
    func manyFractionDigits_AreTruncatedToMilliseconds(text: String, millis: Int64) {
        #expect(Timestamp(iso8601: text) == Timestamp(millisecondsSinceEpoch: millis))
    }

    @Test func manyFractionDigits_DecodeFromJSON() throws {
        let json = Data(#"["2025-06-01T08:00:00.123456Z"]"#.utf8)
        let decoded = try JSONDecoder().decode([Timestamp].self, from: json)
        #expect(decoded == [Timestamp(millisecondsSinceEpoch: 1_748_764_800_123)])
    }

    /// Finding 3: year 0000 with a positive offset was accepted although its UTC instant is in
    /// year -1, which `iso8601` cannot print (the export of such a CSV row could not be imported
    /// again). Times outside years 0001...9999 in UTC are now refused; the edges still round-trip.
    @Test(arguments: ["0000-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "0000-06-01T00:00:00Z"])
    func instantsOutsideFourDigitYears_AreRefused(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test(arguments: ["0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:30:00+00:30"])
    func edgesOfTheFourDigitYears_RoundTrip(text: String) throws {
        let parsed = try #require(Timestamp(iso8601: text))
        #expect(Timestamp(iso8601: parsed.iso8601) == parsed)
    }
}
