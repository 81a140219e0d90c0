import Foundation

/// When the desk works: working days, one opening span per working day, the campus time zone
/// (`CAMPUSDESK_TZ`) and holidays. SLA targets counted in business hours run only inside it.
///
/// Why one span a day, the same on every working day: that is how the desk states its hours
/// ("Monday to Friday 09:00-17:00"), and it makes "a business day" one fixed length (see
/// ``SLATarget``). Spans over midnight and per-day hours are not supported; a lunch break is not
/// modelled.
///
/// Business time is the set of real instants at which the campus wall clock shows a working,
/// non-holiday date and a time in `[opens, closes)`; its length is real elapsed time. So a span of
/// 09:00-17:00 is 8 hours on every day, daylight-saving change days included (the changes in our
/// zones happen at night). A change *inside* a span counts as the clock shows it: a span of
/// 01:00-05:00 is 3 hours on the spring-forward night and 5 on the fall-back night (the repeated
/// hour is worked twice). A local time the clock skips starts or ends a span at the first instant
/// after the gap. docs/sla.md, "How due times are computed".
public struct BusinessCalendar: Sendable, Equatable {
    /// The campus time zone, an IANA identifier such as `Europe/Berlin`.
    public let timeZone: TimeZone
    /// The days with opening hours (unless a holiday).
    public let workingDays: Set<Weekday>
    /// Local opening time on each working day, before `closes`.
    public let opens: TimeOfDay
    /// Local closing time (exclusive; 24:00 is the end of the day).
    public let closes: TimeOfDay
    /// Local dates without opening hours, sorted ascending without repeats (searched, not scanned).
    public let holidays: [LocalDate]

    /// The most holidays a calendar holds (as given, repeats included): decades of a campus's closing
    /// days, and a document that stays under the API's 64 KiB body limit.
    public static let maxHolidays = 2_000

    /// A checked calendar.
    ///
    /// - Throws: a `validation` `Refusal` naming the field: `working_days` (none), `opens`/`closes`
    ///   (not opening before closing), `holidays` (more than ``maxHolidays``).
    public init(timeZone: TimeZone, workingDays: Set<Weekday>, opens: TimeOfDay, closes: TimeOfDay, holidays: [LocalDate] = []) throws(Refusal) {
        guard !workingDays.isEmpty else {
            throw Refusal(.validation, "Choose at least one working day.", field: "working_days")
        }
        guard opens.minutes < 24 * 60 else { throw Refusal(.validation, "The desk cannot open at 24:00.", field: "opens") }
        guard opens < closes else {
            throw Refusal(.validation, "The closing time must be after the opening time on the same day (00:00-24:00 at most).", field: "closes")
        }
        guard holidays.count <= Self.maxHolidays else {
            throw Refusal(.validation, "At most \(Self.maxHolidays) holidays.", field: "holidays")
        }
        self.init(checked: timeZone, workingDays, opens, closes, Array(Set(holidays)).sorted())
    }

    /// A calendar from its text fields, as the API sends them.
    ///
    /// - Throws: a `validation` `Refusal` naming the field: `time_zone` (not an IANA zone the system
    ///   knows), `working_days` (unknown name, none), `opens`/`closes` (not `HH:MM`, not in order),
    ///   `holidays` (not `YYYY-MM-DD`, too many).
    public init(timeZoneIdentifier: String, workingDays: [String], opens: String, closes: String, holidays: [String]) throws(Refusal) {
        guard !timeZoneIdentifier.isEmpty, let zone = TimeZone(identifier: timeZoneIdentifier) else {
            throw Refusal(.validation, "The time zone is not a known IANA zone such as Europe/Berlin.", field: "time_zone")
        }
        guard workingDays.count <= Weekday.allCases.count else {
            throw Refusal(.validation, "At most the seven days of the week, each once.", field: "working_days")
        }
        var days = Set<Weekday>()
        for name in workingDays {
            guard let day = Weekday(rawValue: name) else {
                throw Refusal(.validation, "Working days are mon, tue, wed, thu, fri, sat and sun.", field: "working_days")
            }
            days.insert(day)
        }
        guard let open = TimeOfDay(parsing: opens) else {
            throw Refusal(.validation, "The opening time is HH:MM, such as 09:00.", field: "opens")
        }
        guard let close = TimeOfDay(parsing: closes) else {
            throw Refusal(.validation, "The closing time is HH:MM, such as 17:00 (24:00 for midnight).", field: "closes")
        }
        var dates: [LocalDate] = []
        dates.reserveCapacity(holidays.count)
        for text in holidays {
            guard let date = LocalDate(parsing: text) else {
                throw Refusal(.validation, "Holidays are dates YYYY-MM-DD, such as 2026-12-25.", field: "holidays")
            }
            dates.append(date)
        }
        try self.init(timeZone: zone, workingDays: days, opens: open, closes: close, holidays: dates)
    }

    /// Monday to Friday, 09:00-17:00, no holidays, in `timeZone`: the calendar until a manager sets one.
    public static func standard(timeZone: TimeZone) -> BusinessCalendar {
        BusinessCalendar(checked: timeZone, [.mon, .tue, .wed, .thu, .fri], TimeOfDay(unchecked: 9 * 60), TimeOfDay(unchecked: 17 * 60), [])
    }

    /// The length of one opening span on the wall clock (`closes - opens`), what one business day counts.
    public var businessDayMilliseconds: Int64 { Int64(closes.minutes - opens.minutes) * 60_000 }

    /// True when `date` has opening hours: a working day and not a holiday.
    public func isOpen(on date: LocalDate) -> Bool {
        workingMask[date.weekday.index] && !isHoliday(date)
    }

    /// Binary search in the sorted holiday list.
    public func isHoliday(_ date: LocalDate) -> Bool {
        var low = 0, high = holidays.count
        while low < high {
            let mid = (low + high) / 2
            if holidays[mid] < date { low = mid + 1 } else { high = mid }
        }
        return low < holidays.count && holidays[low] == date
    }

    /// The first date after `date` with opening hours; a checked calendar always has one within
    /// seven days past its last holiday.
    public func nextOpenDate(after date: LocalDate) -> LocalDate {
        var next = LocalDate(daysSinceEpoch: date.daysSinceEpoch + 1)
        while !isOpen(on: next) { next.daysSinceEpoch += 1 }
        return next
    }

    public static func == (a: BusinessCalendar, b: BusinessCalendar) -> Bool {
        a.timeZone.identifier == b.timeZone.identifier && a.workingDays == b.workingDays && a.opens == b.opens
            && a.closes == b.closes && a.holidays == b.holidays
    }

    /// `workingDays` by ``Weekday/index``, so the per-day test is an array read.
    private let workingMask: [Bool]

    /// The one place that stores fields; callers have checked them (holidays sorted, unique).
    private init(checked timeZone: TimeZone, _ workingDays: Set<Weekday>, _ opens: TimeOfDay, _ closes: TimeOfDay, _ holidays: [LocalDate]) {
        self.timeZone = timeZone
        self.workingDays = workingDays
        self.opens = opens
        self.closes = closes
        self.holidays = holidays
        workingMask = Weekday.allCases.map { workingDays.contains($0) }
    }
}

// MARK: - JSON

/// `{"time_zone": "Europe/Berlin", "working_days": ["mon", …], "opens": "09:00", "closes": "17:00",
/// "holidays": ["2026-12-25", …]}`, the shape of `GET/PUT /api/sla/calendar`.
///
/// Decoding runs every check of `init` and throws its `Refusal` (field named) for a value of the
/// right JSON type that breaks a rule; a wrong JSON type is a `DecodingError`.
extension BusinessCalendar: Codable {
    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone", workingDays = "working_days", opens, closes, holidays
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            timeZoneIdentifier: try c.decode(String.self, forKey: .timeZone),
            workingDays: try c.decode([String].self, forKey: .workingDays),
            opens: try c.decode(String.self, forKey: .opens), closes: try c.decode(String.self, forKey: .closes),
            holidays: try c.decodeIfPresent([String].self, forKey: .holidays) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeZone.identifier, forKey: .timeZone)
        try c.encode(workingDays.sorted().map(\.rawValue), forKey: .workingDays)
        try c.encode(opens, forKey: .opens)
        try c.encode(closes, forKey: .closes)
        try c.encode(holidays, forKey: .holidays)
    }
}
