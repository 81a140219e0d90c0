import Foundation
import Domain
import SpoolBroker

/// A realistic helpdesk history for demos: tickets over the last months with places, reporters,
/// conversations, status changes and resolution times that look like a real campus.
///
/// Pure and seeded (`SeededGenerator`): the same seed and `now` give the same tickets, so demos,
/// screenshots and tests are repeatable. The result goes through the command queue as
/// `import_ticket` commands like any other import.
public enum DemoHistory {
    /// The default number of tickets (a few thousand, about what a mid-size campus files in 18 months).
    public static let defaultCount = 3_000
    /// The default length of the history in months.
    public static let defaultMonths = 18

    static let hour: Int64 = 3_600_000
    static let day: Int64 = 24 * hour

    /// Generates `count` tickets opened over the `months` before `now`, oldest first.
    public static func generate(count: Int = defaultCount, months: Int = defaultMonths, seed: UInt64, now: Timestamp) -> [ImportTicket] {
        var rng = SeededGenerator(seed: seed)
        let span = Int64(Double(months) * 30.44 * Double(day))
        var tickets: [ImportTicket] = []
        tickets.reserveCapacity(count)
        for _ in 0..<count {
            tickets.append(ticket(using: &rng, span: span, now: now))
        }
        return tickets.sorted { $0.openedAt < $1.openedAt }
    }

    // MARK: - One ticket

    static func ticket(using rng: inout SeededGenerator, span: Int64, now: Timestamp) -> ImportTicket {
        let category = pickCategory(using: &rng)
        let opened = openingTime(using: &rng, span: span, now: now)
        let (activationMedian, resolutionMedian, sigma): (Double, Double, Double) = switch category {
        case .facility: (4, 40, 0.9)   // a caretaker comes the same day; parts and contractors take days
        case .it: (1.5, 5, 1.0)        // most IT problems are fixed within hours
        case .services: (6, 30, 0.8)   // offices answer within a day or two
        }
        // Triage time, then work time. One ticket in ten waits in the queue much longer (busy weeks).
        let backlog = Double.random(in: 0..<1, using: &rng) < 0.1 ? 20.0 : 1.0
        let activation = max(Int64(rng.logNormalHours(median: activationMedian * backlog, sigma: 0.8) * Double(hour)), 60_000)
        let work = max(Int64(rng.logNormalHours(median: resolutionMedian, sigma: sigma) * Double(hour)), 10 * 60_000)
        let activatedAt = opened.adding(milliseconds: activation)
        let resolvedAt = activatedAt.adding(milliseconds: work)
        // A few tickets are forgotten and stay active long after they should have been closed.
        let forgotten = Double.random(in: 0..<1, using: &rng) < 0.02

        let status: Status
        if resolvedAt <= now && !forgotten {
            status = .closed
        } else if activatedAt <= now {
            status = .active
        } else {
            status = .open
        }
        let closedAt = status == .closed ? resolvedAt : nil

        let reporter: String? = Double.random(in: 0..<1, using: &rng) < 0.9
            ? "\(pick(DemoVocabulary.firstNames, &rng)) \(pick(DemoVocabulary.surnames, &rng))" : nil
        let building = pick(DemoVocabulary.buildings, &rng)
        let room = pick(DemoVocabulary.rooms, &rng)
        let location: String? = Double.random(in: 0..<1, using: &rng) < 0.85 ? "\(building), \(room)" : nil
        let description = describe(category, building: building, room: room, using: &rng)

        var messages: [ImportedMessage] = []
        if status != .open {
            let staff = pick(DemoVocabulary.staff, &rng)
            messages.append(ImportedMessage(authorRole: .agent, authorName: staff,
                                            body: pick(DemoVocabulary.acknowledgements[category] ?? ["Thanks, we are looking into it."], &rng), sentAt: activatedAt))
            let end = closedAt ?? now
            if Double.random(in: 0..<1, using: &rng) < 0.3, end > activatedAt {
                let at = Int64.random(in: activatedAt.millisecondsSinceEpoch...end.millisecondsSinceEpoch, using: &rng)
                messages.append(ImportedMessage(authorRole: .customer, authorName: reporter,
                                                body: pick(DemoVocabulary.followUps, &rng), sentAt: Timestamp(millisecondsSinceEpoch: at)))
            }
            if let closedAt {
                messages.append(ImportedMessage(authorRole: .agent, authorName: staff, body: pick(DemoVocabulary.closings, &rng), sentAt: closedAt))
            }
        }
        let modifiedAt = ([opened, status == .open ? opened : activatedAt] + messages.map(\.sentAt) + [closedAt].compactMap { $0 }).max() ?? opened
        return ImportTicket(description: description, location: location, reporter: reporter, category: category, status: status,
                            openedAt: opened, modifiedAt: modifiedAt, closedAt: closedAt, messages: messages)
    }

    static func pickCategory(using rng: inout SeededGenerator) -> Category {
        let u = Double.random(in: 0..<1, using: &rng)
        return u < 0.38 ? .facility : u < 0.78 ? .it : .services
    }

    /// An opening time: more tickets in term time and on weekdays, mostly in working hours.
    static func openingTime(using rng: inout SeededGenerator, span: Int64, now: Timestamp) -> Timestamp {
        // Relative load per month (Jan...Dec): quiet in summer and over the winter break.
        let monthWeight: [Double] = [0.9, 1.0, 1.0, 0.9, 1.0, 0.8, 0.5, 0.4, 1.1, 1.1, 1.0, 0.6]
        let start = now.millisecondsSinceEpoch - span
        while true {
            let dayStart = (start + Int64.random(in: 0..<span, using: &rng)) / day * day
            let (_, month, _) = CivilDate.fromDays(dayStart / day)
            let weekday = ((dayStart / day) % 7 + 3) % 7   // 1970-01-01 was a Thursday (3 when Monday is 0)
            let weight = monthWeight[Int(month) - 1] * (weekday >= 5 ? 0.35 : 1.0)
            guard Double.random(in: 0..<1.1, using: &rng) < weight else { continue }
            let hour = min(max(Int64((13 + 3 * rng.normal()).rounded(.down)), 7), 22)
            let t = dayStart + hour * Self.hour + Int64.random(in: 0..<Self.hour, using: &rng)
            guard t >= start, t <= now.millisecondsSinceEpoch else { continue }
            return Timestamp(millisecondsSinceEpoch: t)
        }
    }

    static func describe(_ category: Category, building: String, room: String, using rng: inout SeededGenerator) -> String {
        var text = pick(DemoVocabulary.templates[category] ?? ["Something is wrong."], &rng)
        text = text.replacingOccurrences(of: "{building}", with: building).replacingOccurrences(of: "{room}", with: room)
        for (key, values) in DemoVocabulary.fillers.sorted(by: { $0.key < $1.key }) where text.contains("{\(key)}") {
            text = text.replacingOccurrences(of: "{\(key)}", with: pick(values, &rng))
        }
        let extras = ["", "", "", " Please help.", " This is urgent, I have an exam tomorrow.", " Second time this month.",
                      " Reported by phone already.", " Several students are affected."]
        return text + pick(extras, &rng)
    }

    static func pick<T>(_ values: [T], _ rng: inout SeededGenerator) -> T {
        values[Int.random(in: 0..<values.count, using: &rng)]
    }
}
