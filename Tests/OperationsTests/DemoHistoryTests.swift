import Foundation
import Testing
@testable import Domain
@testable import Operations

@Suite struct DemoHistoryTests {
    let now = Timestamp(iso8601: "2026-03-15T10:30:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)

    @Test func theSameSeedGivesTheSameHistory() {
        let a = DemoHistory.generate(count: 300, seed: 42, now: now)
        #expect(a == DemoHistory.generate(count: 300, seed: 42, now: now))
        #expect(a != DemoHistory.generate(count: 300, seed: 43, now: now))
    }

    @Test func ticketsAreValidImports() {
        let tickets = DemoHistory.generate(seed: 7, now: now)
        #expect(tickets.count == DemoHistory.defaultCount)
        for t in tickets {
            #expect((t.status == .closed) == (t.closedAt != nil))
            #expect(t.openedAt <= now)
            if let c = t.closedAt { #expect(c >= t.openedAt && c <= now) }
            if let m = t.modifiedAt { #expect(m >= t.openedAt && m <= now) }
            #expect(t.messages.allSatisfy { $0.sentAt >= t.openedAt && $0.sentAt <= now })
            #expect(t.messages.map(\.sentAt) == t.messages.map(\.sentAt).sorted())
            #expect(!t.description.isEmpty && t.description.count <= TextLimits.maxDescription && !t.description.contains("{"))
            #expect((t.location?.count ?? 0) <= TextLimits.maxShortField)
        }
        #expect(tickets.map(\.openedAt) == tickets.map(\.openedAt).sorted())
    }

    @Test func isSpreadOverEighteenMonthsAndAllCategories() {
        let tickets = DemoHistory.generate(seed: 7, now: now)
        let oldest = tickets.map(\.openedAt).min() ?? now
        let months = Set(tickets.map { t -> Int64 in
            let (y, m, _) = CivilDate.fromDays(t.openedAt.millisecondsSinceEpoch / 86_400_000)
            return y * 12 + m
        })
        #expect(now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch > 500 * 86_400_000)
        #expect(now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch <= 18 * 31 * 86_400_000)
        #expect(months.count >= 18)
        #expect(Set(tickets.compactMap(\.category)) == Set(Category.allCases))
        #expect(Set(tickets.map(\.status)) == Set(Status.allCases))
        #expect(Set(tickets.map(\.description)).count > tickets.count / 4)
        #expect(Set(tickets.compactMap(\.location)).count > 100)
    }

    @Test func itIsResolvedInHoursAndFacilitiesInDays() {
        let tickets = DemoHistory.generate(seed: 11, now: now)
        func medianHours(_ c: Category) -> Double {
            let hours = tickets.filter { $0.category == c }.compactMap { t in
                t.closedAt.map { Double($0.millisecondsSinceEpoch - t.openedAt.millisecondsSinceEpoch) / 3_600_000 }
            }.sorted()
            return hours.isEmpty ? 0 : hours[hours.count / 2]
        }
        #expect((1...24).contains(medianHours(.it)))
        #expect((24...24 * 7).contains(medianHours(.facility)))
        #expect(medianHours(.services) > medianHours(.it))
        // Old tickets are mostly closed, recent ones mostly not.
        let old = tickets.filter { $0.openedAt < now.adding(milliseconds: -30 * 86_400_000) }
        #expect(Double(old.filter { $0.status == .closed }.count) > 0.95 * Double(old.count))
    }
}
