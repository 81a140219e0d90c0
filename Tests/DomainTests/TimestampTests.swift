import Testing
@testable import Domain

@Suite struct TimestampTests {
    @Test func formatsEpochAndLeapDay() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(iso8601: "2024-02-29T23:59:59.999Z")?.iso8601 == "2024-02-29T23:59:59.999Z")
        #expect(Timestamp(millisecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesOffsetsIntoUTC() {
        #expect(Timestamp(iso8601: "2026-01-05T12:30:00+02:30")?.iso8601 == "2026-01-05T10:00:00.000Z")
        #expect(Timestamp(iso8601: "2026-01-05T10:00Z")?.iso8601 == "2026-01-05T10:00:00.000Z")
        #expect(Timestamp(iso8601: "2026-01-05T10:00:00.5Z")?.millisecondsSinceEpoch == Timestamp(iso8601: "2026-01-05T10:00:00.500Z")?.millisecondsSinceEpoch)
    }

    @Test(arguments: ["", "2026-01-05", "2026-01-05T10:00:00", "2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-01-05T24:00:00Z", "2026-01-05T10:00:00Zjunk", "２０２６-01-05T10:00:00Z"])
    func rejectsMalformed(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func roundTripsRandomInstants() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let t = Timestamp(millisecondsSinceEpoch: Int64.random(in: -5_000_000_000_000...5_000_000_000_000, using: &g))
            #expect(Timestamp(iso8601: t.iso8601) == t)
        }
    }
}
