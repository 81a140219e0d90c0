import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import WebGateway

/// The hand-written list body (``TicketListJSON``) writes the same bytes as `JSONEncoder` with
/// sorted keys wrote for ``APIRoutes/ListBody``, the encoder it replaced.
@Suite struct ListJSONTests {
    static let tricky = [
        "plain", "", "quote \" and backslash \\ and slash /", "</script><!-- & 'single'",
        "tab\tnew line\ncarriage\rback\u{08}form\u{0C}", "nul \u{0} bell \u{07} escape \u{1B} unit \u{1F} del \u{7F}",
        "émoji 😀 👩🏽‍💻 flags 🇫🇷", "line sep \u{2028} para \u{2029} bom \u{FEFF} nonchar \u{FFFF}", "\\u0041 is not A",
        String(repeating: "long ", count: 400),
    ]

    static func ticket(_ i: Int, text: String, full: Bool) -> Ticket {
        let at = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000 + Int64(i) * 1_234)
        let timer = SLATimer(deadlines: SLADeadlines(atRisk: at.adding(milliseconds: 60_000), due: at.adding(milliseconds: 80_000)),
                             metAt: i % 2 == 0 ? nil : at.adding(milliseconds: 70_000), recorded: SLAState.allCases[i % SLAState.allCases.count])
        return Ticket(
            id: TicketID(Int64(i + 1)), description: text, location: full ? text : nil, reporter: full ? "Ana \(text)" : nil,
            category: Category.allCases[i % 3], categorySource: full ? .auto : .staff,
            categoryConfidence: full ? [0.1, 0.85, 1.0, 0.333333333333, 1e-7, 0.6][i % 6] : nil,
            status: full ? .closed : .open, openedAt: at, modifiedAt: at.adding(milliseconds: 5), closedAt: full ? at.adding(milliseconds: 9) : nil,
            customerID: full ? UserID(7) : nil, assigneeID: full ? UserID(Int64(i)) : nil,
            severity: full ? Severity.allCases[i % 4] : nil, severitySource: full ? .staff : nil, impact: Impact.allCases[i % 3],
            priority: full ? Priority.allCases[i % 4] : nil, prioritySource: full ? .auto : nil,
            contactEmail: full ? "a\(i)@b.example" : nil, contactPhone: full ? "+33 \(text)" : nil, preferredContactTime: full ? text : nil,
            issueTypeID: full ? IssueTypeID(3) : nil, issueTypeName: full ? "Type \(text)" : nil,
            sla: full || i % 3 == 0 ? TicketSLA(policyVersion: Int64(i), firstResponse: timer, resolution: timer) : nil,
            affected: i + 1, mergedInto: full && i % 2 == 0 ? TicketID(99) : nil)
    }

    @Test("a time's ISO 8601 bytes written in place are its iso8601 string's, at the edges of days, years and the range")
    func appendISO8601_IsTheString() {
        let days: Int64 = 86_400_000
        var times: [Int64] = [0, 1, -1, 999, 1_000, days - 1, days, -days, -days - 1, 951_782_400_000, 4_102_444_799_999, 1_700_000_000_123,
                              253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, .max / 2, .min / 2]
        var rng = SplitMix64(seed: 8_601)
        for _ in 0..<2_000 { times.append(Int64.random(in: -70_000_000_000_000...260_000_000_000_000, using: &rng)) }
        for ms in times {
            let t = Timestamp(millisecondsSinceEpoch: ms)
            var bytes: [UInt8] = []
            t.appendISO8601(to: &bytes)
            #expect(bytes == Array(t.iso8601.utf8), "\(ms)")
        }
    }

    @Test("the hand-written list body is byte for byte what JSONEncoder wrote, for tricky text, nulls, SLA timers with and without states")
    func listBody_IsWhatJSONEncoderWrote() throws {
        var tickets: [Ticket] = []
        for (i, text) in Self.tricky.enumerated() {
            tickets.append(Self.ticket(i, text: text, full: true))
            tickets.append(Self.ticket(i + 100, text: text, full: false))
        }
        let now = Timestamp(millisecondsSinceEpoch: 1_700_000_075_000)
        for cursor in [nil, "cHJpb3JpdHk/Mi8xNzAw+w==", "odd \"/\\ \u{1}"] {
            for at in [nil, now] {
                for list in [tickets, [], Array(tickets.prefix(1))] {
                    let old = APIRoutes.json(.ok, APIRoutes.ListBody(tickets: list, nextCursor: cursor), now: at).body
                    let new = TicketListJSON.body(list, nextCursor: cursor, now: at)
                    #expect(String(decoding: new, as: UTF8.self) == String(decoding: old, as: UTF8.self))
                    #expect(new == old)
                    // And it parses to the same value.
                    let a = try JSONSerialization.jsonObject(with: Data(new)) as? NSDictionary
                    let b = try JSONSerialization.jsonObject(with: Data(old)) as? NSDictionary
                    #expect(a != nil && a == b)
                }
            }
        }
    }
}
