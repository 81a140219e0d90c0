import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The tickets `campusdesk-bench scale` imports: a CSV in `campusdesk import`'s format, shaped as
/// docs/perf-gateway-data.py's data set (ten things, seven places, so `projector` is in one ticket
/// in ten and `projector library` in about one in seventy; two in five not closed, four in five
/// triaged, one in twenty with a pinned priority, one in two hundred of the open ones assigned).
enum ScaleData {
    static let things = ["printer", "projector", "Wi-Fi", "heating", "door lock", "lift", "canteen till", "library scanner", "window", "tap"]
    static let places = ["Library", "Physics building", "Main hall", "Canteen", "Chemistry lab", "Dorm A", "Sports centre"]
    static let severities = ["critical", "high", "medium", "medium", "low", "low"]
    static let impacts = ["one", "one", "one", "several", "many"]

    /// Writes `count` rows to `path`; `engineers` are the account numbers assignees are drawn from.
    static func writeCSV(path: String, count: Int, engineers: [Int64], now: Date = Date()) throws {
        guard let out = FileHandle(forWritingAtPath: path) ?? { FileManager.default.createFile(atPath: path, contents: nil); return FileHandle(forWritingAtPath: path) }() else {
            throw BenchAnalyticsRoundTripCommand.BenchError("cannot write \(path)")
        }
        defer { try? out.close() }
        var g = SplitMix(seed: 7)
        let nowSeconds = Int64(now.timeIntervalSince1970) - 3_600
        var buffer = "description,location,reporter,status,opened_at,closed_at,severity,impact,priority,assignee_id\r\n"
        buffer.reserveCapacity(1 << 20)
        for i in 0..<count {
            let opened = nowSeconds - g.next(in: 3_600...(540 * 86_400))
            let statusRoll = g.next(in: 0...4)
            let status = statusRoll == 0 ? "open" : statusRoll == 1 ? "active" : "closed"
            let closed = status == "closed" ? iso(min(nowSeconds, opened + g.next(in: 600...(20 * 86_400)))) : ""
            let thing = things[Int(g.next(in: 0...9))]
            let place = places[Int(g.next(in: 0...6))]
            var severity = "", impact = "", priority = "", assignee = ""
            if g.next(in: 0...9) < 8 {
                severity = severities[Int(g.next(in: 0...5))]
                impact = impacts[Int(g.next(in: 0...4))]
            }
            if g.next(in: 0...19) == 0 { priority = "P\(g.next(in: 1...4))" }
            if status != "closed", !engineers.isEmpty, g.next(in: 0...199) == 0 { assignee = String(engineers[Int(g.next(in: 0...Int64(engineers.count - 1)))]) }
            buffer += "The \(thing) in room \(g.next(in: 1...400)) is broken again (\(i)),\"\(place), room \(g.next(in: 1...400))\",Student \(i % 977),"
            buffer += "\(status),\(iso(opened)),\(closed),\(severity),\(impact),\(priority),\(assignee)\r\n"
            if buffer.utf8.count >= 1 << 20 {
                out.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(Data(buffer.utf8))
    }

    /// Seconds since 1970 as `2026-01-05T10:05:00.000Z`.
    static func iso(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)).000Z"
    }

    /// A small repeatable generator (the same data set for every run and size).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func next(in range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }
}
