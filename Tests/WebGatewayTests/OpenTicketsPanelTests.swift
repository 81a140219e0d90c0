import Domain
import Foundation
import Testing
import HTTPServer
@testable import Analytics
@testable import WebGateway

/// The dashboard's first panel: its chart and table show exactly the analytics service's answer.
@Suite struct OpenTicketsPanelTests {
    static let now = Timestamp(iso8601: "2026-01-05T10:01:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)

    /// The answer as the worker sends it: an aggregate over scattered tickets (a fixed pattern per
    /// seed, some closed, some opened before the period), through the query protocol.
    static func serviceAnswer(_ period: OpenTicketsPeriod, seed: UInt64, tickets: Int = 300) throws -> OpenTicketsAnswer {
        var aggregate = OpenTicketsAggregate(timeZone: try #require(TimeZone(identifier: "Europe/Berlin")))
        let range = UInt64(period.hours * 3_600_000 + 7_200_000)
        for i in 1...tickets {
            let k = UInt64(i) &* 2_654_435_761 &+ seed &* 40_503
            let opened = now.adding(milliseconds: -Int64(k % range))
            let category = Domain.Category.allCases[Int((k / 7) % 3)]
            let status: Status = (k / 11) % 4 == 0 ? .closed : .open
            let facts = TicketFacts(category: category, status: status, openedAt: opened, closedAt: status == .closed ? now : nil)
            aggregate.apply(ChangeEvent(seq: SequenceNumber(Int64(i)), type: .ticketImported, ticketID: TicketID(Int64(i)), occurredAt: now, before: nil, after: facts))
        }
        let body = try JSONEncoder().encode(OpenTicketsQuery(period))
        let reply = AnalyticsQueryAnswering.reply(to: body, aggregate: aggregate, now: now)
        #expect(reply.type == AnalyticsMessageType.answer)
        return try JSONDecoder().decode(OpenTicketsAnswer.self, from: reply.body)
    }

    /// "label: n Category" from each bar's `<title>`, summed per category.
    static func barTotals(_ probe: SVGProbe) -> [String: Int] {
        var totals: [String: Int] = [:]
        for title in probe.titles {
            guard let colon = title.range(of: ": ", options: .backwards) else { continue }
            let parts = title[colon.upperBound...].split(separator: " ")
            guard parts.count == 2, let n = Int(parts[0]) else { continue }
            totals[String(parts[1]), default: 0] += n
        }
        return totals
    }

    @Test("the chart's bars add up to the service's answer per category, heights in proportion",
          arguments: [(OpenTicketsPeriod(hours: 24), UInt64(1)), (OpenTicketsPeriod.days(7), UInt64(2)), (OpenTicketsPeriod.days(30), UInt64(3)), (OpenTicketsPeriod(hours: 6), UInt64(4))])
    func chartMatchesAnswer(period: OpenTicketsPeriod, seed: UInt64) throws {
        let answer = try Self.serviceAnswer(period, seed: seed)
        #expect(answer.count > 0)
        let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
        let svg = try #require(OpenTicketsChart.svg(answer, time: CampusTime(timeZone: zone)))
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.root?.attributes["role"] == "img")
        #expect(probe.root?.attributes["aria-labelledby"] == "chart-open-title chart-open-desc")
        let totals = Self.barTotals(probe)
        for category in Domain.Category.allCases {
            let expected = answer.buckets.reduce(0) { $0 + $1.counts[category] }
            #expect(totals[CategoryLoadChart.label(category)] ?? 0 == expected, "\(category)")
        }
        // Every bar segment's height is its count times one scale.
        let bars = probe.rects.filter { $0["width"] != "12" }
        let scales = zip(bars, probe.titles.dropFirst()).compactMap { rect, title -> Double? in
            guard let h = rect["height"].flatMap(Double.init), let n = title.split(separator: " ").dropLast().last.flatMap({ Int($0) }) else { return nil }
            return h / Double(n)
        }
        #expect(!scales.isEmpty)
        #expect(scales.allSatisfy { abs($0 - scales[0]) < 0.1 })
        #expect(probe.texts.contains(String(answer.buckets.map(\.counts.total).max() ?? 0)))
    }

    @Test("the dashboard shows the answer's total, one table row per slot and the CSV of the same numbers")
    func panelShowsTheAnswer() async throws {
        let answer = try Self.serviceAnswer(.days(7), seed: 9)
        let world = World(timeZone: "Europe/Berlin")
        world.analytics.open = .answered(answer)
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let page = await b.get("/dashboard?period=7&unit=days").text
        #expect(page.contains("\(answer.count) tickets opened since"))
        #expect(page.contains("<svg"))
        let rows = page.components(separatedBy: "<tbody>\n").dropFirst().first?.components(separatedBy: "</tbody>").first ?? ""
        #expect(rows.components(separatedBy: "<tr>").count - 1 == answer.buckets.count)
        for bucket in answer.buckets {
            let cells = Domain.Category.allCases.map { "<td>\(bucket.counts[$0])</td>" }.joined() + "<td>\(bucket.counts.total)</td>"
            #expect(rows.contains(cells))
        }
        #expect(page.contains("<th scope=\"row\">Total</th>"))
        #expect(page.contains("<td>\(answer.count)</td></tr></tfoot>"))
        #expect(page.contains("href=\"/dashboard/open-tickets.csv?days=7\""))
        let csv = await b.get("/dashboard/open-tickets.csv?days=7").text
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "opened_from,facility,it,services,total")
        #expect(lines.count == answer.buckets.count + 1)
        #expect(lines.dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Int($0) } }.reduce(0, +) == answer.count)
    }

    @Test("an empty period says so in words, without a chart or an empty table")
    func emptyPeriodSaysSo() async {
        let world = World()
        world.analytics.open = .answered(OpenTicketsAnswer(hours: 24, since: Self.now.adding(milliseconds: -86_400_000), count: 0, until: Self.now))
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let page = await b.get("/dashboard").text
        #expect(page.contains("No ticket opened in this period is still open."))
        #expect(!page.contains("chart-open-title"))
        #expect(page.contains("0 tickets opened since"))
    }

    @Test("the dashboard never reloads itself: a refresh link, a pause button for the script, a polite live region")
    func refreshIsUnderTheUsersControl() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let r = await b.get("/dashboard?period=6&unit=hours")
        #expect(!r.text.contains("http-equiv=\"refresh\""))
        #expect(r.text.contains("<a class=\"button\" id=\"refresh-now\" href=\"/dashboard?period=6&amp;unit=hours\">Refresh now</a>"))
        #expect(r.text.contains("<button type=\"button\" id=\"refresh-toggle\" hidden>"))
        #expect(r.text.contains("role=\"status\" aria-live=\"polite\""))
        #expect(r.text.contains("data-refresh-seconds=\"60\""))
        #expect(r.text.contains("<script src=\"/static/dashboard.js\" defer></script>"))
        #expect(r.headers["Content-Security-Policy"]?.contains("script-src 'self'") == true)
        #expect(r.headers["Content-Security-Policy"]?.contains("unsafe-inline") == false)
        let script = await b.get("/static/dashboard.js")
        #expect(script.status == .ok)
        #expect(script.headers["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(script.text.contains("dashboard-panels") && script.text.contains("Pause automatic refresh"))
    }
}
