import Domain
import SpoolBroker
import Foundation
import Testing
@testable import WebGateway

/// A list row written through `DigitWriter` equals the row appended piece by piece, as it was built before.
@Suite struct TicketListRowTests {
    /// The row as the renderer built it before `DigitWriter`: one append per literal, number and cell.
    static func reference(id: TicketID, description: String, location: String?, category: Category, status: Status,
                          openedAt: Timestamp, time: CampusTime) -> [UInt8] {
        var b = HTMLBuffer(capacity: 512)
        b.raw("<tr><td>#")
        b.number(id.rawValue)
        b.raw("</td><td><a href=\"/tickets/")
        b.number(id.rawValue)
        b.raw("\">")
        let d = description.count > 120 ? String(description.prefix(117)) + "…" : description
        b.text(d)
        b.raw("</a>")
        if let location {
            b.raw("<br><span class=\"muted\">")
            b.text(location)
            b.raw("</span>")
        }
        b.raw("</td><td>")
        b.raw(html: Words.category(category))
        b.raw("</td><td><span class=\"status status-")
        b.raw(html: status.rawValue)
        b.raw("\">")
        b.raw(html: Words.status(status))
        b.raw("</span></td><td>")
        b.raw(html: time.html(openedAt))
        b.raw("</td></tr>\n")
        return b.bytes
    }

    static func row(id: TicketID, description: String, location: String?, category: Category, status: Status,
                    openedAt: Timestamp, time: CampusTime) -> [UInt8] {
        var b = HTMLBuffer(capacity: 512)
        var d = description
        d.withUTF8 { d in
            if var location {
                location.withUTF8 { l in
                    TicketListPage.row(id: id, description: d, location: l, category: category, status: status, openedAt: openedAt, time: time, into: &b)
                }
            } else {
                TicketListPage.row(id: id, description: d, location: nil, category: category, status: status, openedAt: openedAt, time: time, into: &b)
            }
        }
        return b.bytes
    }

    static let ids: [Int64] = [0, 1, 9, 10, 4711, 100_000, 9_999_999_999, .max, -1, .min]
    /// Ordinary instants, years on both sides of the four-digit range, and the epoch.
    static let instants: [Int64] = [1_760_000_000_000, 1_774_746_000_000, 0, -1, -62_135_596_800_001, 253_402_300_800_000, 4_102_444_800_000]

    @Test("every id, instant, zone, category, status and location gives the reference row's bytes",
          arguments: ["UTC", "Europe/Zurich", "America/St_Johns", "Asia/Kathmandu"])
    func row_EqualsReference(_ zone: String) throws {
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: zone)))
        var n = 0
        for id in Self.ids {
            for ms in Self.instants {
                for (ci, category) in Category.allCases.enumerated() {
                    for status in Status.allCases {
                        n += 1
                        let location: String? = n % 3 == 0 ? nil : (n % 3 == 1 ? "Bâtiment <A> & Co" : "Room 4")
                        let description = n % 2 == 0 ? "Printer & \"scanner\" <jam> #\(n)" : String(repeating: "long ", count: 30 + ci)
                        let args = (TicketID(id), description, location, category, status, Timestamp(millisecondsSinceEpoch: ms))
                        let fast = Self.row(id: args.0, description: args.1, location: args.2, category: args.3, status: args.4, openedAt: args.5, time: time)
                        let slow = Self.reference(id: args.0, description: args.1, location: args.2, category: args.3, status: args.4, openedAt: args.5, time: time)
                        #expect(fast == slow, "\(String(decoding: fast, as: UTF8.self)) vs \(String(decoding: slow, as: UTF8.self))")
                    }
                }
            }
        }
    }

    @Test("a staff row's priority, SLA, severity and assignee cells: every value and none, the name escaped, the rest unchanged")
    func staffRow_TriageCells() throws {
        let time = CampusTime(timeZone: try #require(TimeZone(identifier: "Europe/Zurich")))
        let opened = Timestamp(millisecondsSinceEpoch: 1_774_746_000_000)
        for priority in Priority.allCases.map(Optional.some) + [nil] {
            for severity in Severity.allCases.map(Optional.some) + [nil] {
                for (assignee, sla) in zip(["Ada <i>Love</i> & 'Co'", "Zoë \"Þór\"", nil, nil, nil] as [String?], SLAState.allCases.map(Optional.some) + [nil])
                    + [("Ada", nil), (nil, .breached)] {
                    var b = HTMLBuffer(capacity: 512)
                    var d = "Printer & \"scanner\""
                    var a = assignee ?? ""
                    d.withUTF8 { d in
                        a.withUTF8 { a in
                            TicketListPage.row(id: TicketID(42), description: d, location: nil, category: .it, status: .active, openedAt: opened,
                                               triage: TicketListPage.TriageCells(priority: priority, sla: sla, severity: severity, assignee: assignee == nil ? nil : a),
                                               time: time, into: &b)
                        }
                    }
                    // The reference: the customer's row with the three cells put in before the time, piece by piece.
                    let plain = String(decoding: Self.reference(id: TicketID(42), description: "Printer & \"scanner\"", location: nil, category: .it,
                                                                status: .active, openedAt: opened, time: time), as: UTF8.self)
                    let p = priority.map { "<td>" + ($0 == .p1 ? "<strong>P1</strong>" : $0.rawValue) } ?? "<td class=\"muted\">None"
                    let s = severity.map { "<td>" + ($0 == .critical ? "<strong>Critical</strong>" : Words.severity($0)) } ?? "<td class=\"muted\">Not triaged"
                    let n = assignee.map { "<td>" + escapeHTML($0) } ?? "<td class=\"muted\">Unassigned"
                    // The SLA badge: the state in words (the class only colours it), nothing without timers.
                    let l = sla.map { "<td><span class=\"sla sla-\($0.rawValue.replacingOccurrences(of: "_", with: "-"))\">\($0.rawValue.replacingOccurrences(of: "_", with: " "))</span>" } ?? "<td>"
                    let cells = "</span></td>\(p)</td>\(l)</td>\(s)</td>\(n)</td><td><time"
                    #expect(b.string == plain.replacingOccurrences(of: "</span></td><td><time", with: cells))
                }
            }
        }
        #expect(escapeHTML("Ada <i>Love</i> & 'Co'") == "Ada &lt;i&gt;Love&lt;/i&gt; &amp; &#39;Co&#39;")
    }

    @Test("DigitWriter prints decimals like String(_:) and fills its buffer exactly")
    func writer_Decimals() {
        for v: Int64 in [0, 5, 10, 99, 100, 12_345, -7, -100, .max, .min] {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
                var w = DigitWriter(buffer)
                w.decimal(v)
                #expect(String(decoding: w.written, as: UTF8.self) == String(v))
            }
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { buffer in
            var w = DigitWriter(buffer)
            w.ascii("<b>")
            w.four(2026); w.byte(0x2D); w.two(7); w.month(12)
            #expect(String(decoding: w.written, as: UTF8.self) == "<b>2026-07Dec" && w.count == 13)
        }
    }
}
