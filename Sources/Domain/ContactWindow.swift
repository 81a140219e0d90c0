/// When a reporter prefers to be contacted: days of the week and a time of day, e.g.
/// `weekdays 09:00-12:00`, `mon,wed 14:00-16:00`, `daily 08:00-20:00`, shown to staff.
///
/// Parsed leniently (an en dash or "to" between the times, `9:00`, upper case, `mon-fri`) and
/// stored in one canonical form, so the text staff read is always the same shape.
public struct ContactWindow: Sendable, Equatable, Hashable {
    /// 0 = Monday … 6 = Sunday.
    public var days: Set<Int>
    /// Minutes after midnight; `to` at most 24:00. `from > to` runs overnight; 00:00-24:00 is all day.
    public var from: Int
    public var to: Int

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    public static let example = "weekdays 09:00-12:00"
    public static let rule = "Give days and hours, such as \u{201C}weekdays 09:00-12:00\u{201D}, \u{201C}mon,wed 14:00-16:00\u{201D} or \u{201C}daily 08:00-20:00\u{201D}."

    public init?(parsing text: String) {
        let lowered = text.lowercased()
            .replacingOccurrences(of: "\u{2013}", with: "-").replacingOccurrences(of: "\u{2014}", with: "-")
            .replacingOccurrences(of: " to ", with: "-")
        let parts = lowered.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count >= 2 else { return nil }
        // The last part (or the last three, "09:00 - 12:00") is the time range; the rest the days.
        var timeText = parts.last!
        var dayParts = Array(parts.dropLast())
        if timeText.first == "-" || (dayParts.last?.last == "-") || dayParts.last == "-" {
            // "09:00 - 12:00" or "09:00 -12:00": join back.
            var joined = timeText
            while let last = dayParts.last, last.contains(":") || last == "-" || last.hasSuffix("-") {
                joined = last + joined
                dayParts.removeLast()
            }
            timeText = joined
        }
        // 24:00 ends a day; it does not start one.
        guard let days = Self.days(dayParts.joined(separator: ",")), let (from, to) = Self.times(timeText), from < 24 * 60 else { return nil }
        self.days = days
        // A window that ends when it starts goes round the clock; one that ends earlier runs overnight.
        (self.from, self.to) = from == to ? (0, 24 * 60) : (from, to)
    }

    /// The API's form, which the OpenAPI document's pattern states: `weekdays`, `weekends`, `daily`
    /// or day names (`mon`…`sun`) joined by commas, a space, then `HH:MM-HH:MM` (the end may be 24:00).
    public static let apiPattern = #"^(weekdays|weekends|daily|(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*) ([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"#

    /// True when `text` has the API's form exactly (``apiPattern``), checked without a regex engine.
    public static func hasAPIForm(_ text: String) -> Bool {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let days = parts[0]
        if !["weekdays", "weekends", "daily"].contains(days) {
            let names = days.split(separator: ",", omittingEmptySubsequences: false)
            guard names.allSatisfy({ dayNames.contains(String($0)) }) else { return false }
        }
        let times = parts[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard times.count == 2 else { return false }
        func clock(_ t: String, endMay24: Bool) -> Bool {
            let u = Array(t.utf8)
            guard u.count == 5, u[2] == UInt8(ascii: ":"), u.allSatisfy({ $0 == UInt8(ascii: ":") || (48...57).contains($0) }) else { return false }
            let h = Int(u[0] - 48) * 10 + Int(u[1] - 48), m = Int(u[3] - 48) * 10 + Int(u[4] - 48)
            return (h <= 23 && m <= 59) || (endMay24 && h == 24 && m == 0)
        }
        return clock(times[0], endMay24: false) && clock(times[1], endMay24: true)
    }

    /// The canonical text: `weekdays`, `weekends`, `daily` or day names, then `HH:MM-HH:MM`.
    public var text: String {
        let dayText: String
        switch days {
        case Set(0...4): dayText = "weekdays"
        case Set(5...6): dayText = "weekends"
        case Set(0...6): dayText = "daily"
        default: dayText = days.sorted().map { Self.dayNames[$0] }.joined(separator: ",")
        }
        return "\(dayText) \(Self.clock(from))-\(Self.clock(to))"
    }

    private static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }

    private static func days(_ text: String) -> Set<Int>? {
        var out = Set<Int>()
        for item in text.split(separator: ",") where !item.isEmpty {
            switch item {
            case "weekdays", "workdays": out.formUnion(0...4)
            case "weekends", "weekend": out.formUnion(5...6)
            case "daily", "everyday", "any": out.formUnion(0...6)
            default:
                let ends = item.split(separator: "-", omittingEmptySubsequences: false).map { day(String($0)) }
                if ends.count == 1, let d = ends[0] {
                    out.insert(d)
                } else if ends.count == 2, let a = ends[0], let b = ends[1] {
                    // fri-mon wraps over the weekend.
                    if a <= b { out.formUnion(a...b) } else { out.formUnion(a...6); out.formUnion(0...b) }
                } else {
                    return nil
                }
            }
        }
        return out.isEmpty ? nil : out
    }

    /// `mon`, `tues`, `monday`: three letters or more of a day's English name.
    private static func day(_ name: String) -> Int? {
        guard name.count >= 3 else { return nil }
        return fullNames.firstIndex { $0.hasPrefix(name) }
    }

    private static let fullNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private static func times(_ text: String) -> (Int, Int)? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2, let a = minutes(String(ends[0])), let b = minutes(String(ends[1])) else { return nil }
        return (a, b)
    }

    private static func minutes(_ text: String) -> Int? {
        let hm = text.split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, (1...2).contains(hm[0].count), hm[1].count == 2,
              hm[0].allSatisfy(\.isASCII), hm[1].allSatisfy(\.isASCII),
              let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0 else { return nil }
        return h * 60 + m
    }
}
