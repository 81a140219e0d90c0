import Domain
import SpoolBroker
import Foundation
import Testing
import TestSupport
@testable import WebGateway

/// The list page's one-append `<time>` and number formatting equal the piece-by-piece general path.
@Suite struct CampusTimeFastPathTests {
    /// On its own threads: about 45,000 comparisons per zone keep a thread busy for seconds (a
    /// minute under load) without one await, and on the two-thread cooperative pool the six cases
    /// held both threads, so every awaiting test of the run stalled behind them.
    @Test("appendHTML (stack buffer) equals appendHTMLGeneral for every zone, DST change and year edge",
          .onDedicatedThreads,
          arguments: ["UTC", "Europe/Zurich", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"])
    func html_EqualsGeneral(_ zone: String) throws {
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: zone)))
        // Every 23 minutes and 7 seconds over two years, plus the edges of the four-digit years
        // (in UTC and after the zone's offset), the epoch and instants before it.
        var instants = stride(from: Int64(1_740_000_000_000), to: 1_803_000_000_000, by: 23 * 60_000 + 7_001).map { $0 }
        let year1000 = CivilDate.toDays(year: 1000, month: 1, day: 1) * 86_400_000
        let year10000 = CivilDate.toDays(year: 10000, month: 1, day: 1) * 86_400_000
        for edge in [year1000, year10000] {
            for delta in stride(from: Int64(-2 * 86_400_000), through: 2 * 86_400_000, by: 3_600_000 - 1) { instants.append(edge + delta) }
        }
        instants += [0, -1, -86_400_001, -2_208_988_800_000, -62_135_596_800_000 - 1, 4_102_444_800_000, 999, 59_999]
        for ms in instants {
            let t = Timestamp(millisecondsSinceEpoch: ms)
            var fast: [UInt8] = [0x3E]
            var general: [UInt8] = [0x3E]
            time.appendHTML(t, to: &fast)
            time.appendHTMLGeneral(t, to: &general)
            #expect(fast == general, "\(ms) \(zone): \(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: general, as: UTF8.self))")
        }
    }

    @Test("appendPadded prints like String(format:) for any sign, width and magnitude")
    func padded_EqualsFormat() {
        let values: [Int64] = [0, 1, 9, 10, 99, 100, 999, 1000, 12_345, -1, -9, -10, -123, .max, .min, .min + 1, 1_000_000_007]
        for v in values {
            for width in [1, 2, 3, 4, 6, 21, 25] {
                var out: [UInt8] = [0x2A]
                CampusTime.appendPadded(v, width: width, to: &out)
                let digits = String(v.magnitude)
                let expected = "*" + (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
                #expect(String(decoding: out, as: UTF8.self) == expected, "\(v) width \(width)")
            }
        }
    }
}
