import Domain
import SpoolBroker
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import WebGateway

/// Parses SVG text with a real XML parser and collects what the tests look at.
final class SVGProbe: NSObject, XMLParserDelegate {
    var root: (name: String, attributes: [String: String])?
    var rects: [[String: String]] = []
    var texts: [String] = []
    var titles: [String] = []
    private var current = ""
    private var stack: [String] = []

    static func parse(_ svg: String) -> SVGProbe? {
        let probe = SVGProbe()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = probe
        return parser.parse() ? probe : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = (name, attributes) }
        if name == "rect" { rects.append(attributes) }
        stack.append(name)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
        if name == "title" { titles.append(current) }
        stack.removeLast()
        current = ""
    }
}

@Suite struct ChartTests {
    @Test("resolution chart is well-formed, accessible, one bar per month, lengths proportional")
    func resolutionChartShape() throws {
        let answer = ResolutionTimeAnswer(months: [
            MonthResolution(month: "2026-01", closed: 3, averageSeconds: 4 * 86_400),
            MonthResolution(month: "2026-02", closed: 1, averageSeconds: 1 * 86_400),
        ])
        let probe = try #require(SVGProbe.parse(ResolutionTimeChart.svg(answer)))
        #expect(probe.root?.name == "svg")
        #expect(probe.root?.attributes["role"] == "img")
        #expect(probe.root?.attributes["aria-labelledby"]?.contains("chart-resolution-title") == true)
        #expect(probe.titles.first == "Average resolution time by opening month, in days")
        #expect(probe.rects.count == 2)
        let widths = probe.rects.compactMap { $0["width"].flatMap(Double.init) }
        #expect(widths.count == 2 && abs(widths[0] / widths[1] - 4) < 0.01)
        #expect(probe.texts.contains("2026-01"))
        #expect(probe.texts.contains("4.0 days (3 closed)"))
        #expect(probe.texts.contains("1.0 days (1 closed)"))
    }

    @Test("the unit is hours below two days and days from two days", arguments: [
        (3_600.0, ResolutionTimeChart.Unit.hours), (47 * 3_600.0, .hours), (48 * 3_600.0, .days), (30 * 86_400.0, .days),
    ])
    func unitChoice(maximum: Double, unit: ResolutionTimeChart.Unit) throws {
        #expect(ResolutionTimeChart.Unit.choose(forMaximumSeconds: maximum) == unit)
        let answer = ResolutionTimeAnswer(months: [MonthResolution(month: "2026-03", closed: 2, averageSeconds: maximum)])
        let probe = try #require(SVGProbe.parse(ResolutionTimeChart.svg(answer)))
        #expect(probe.titles.first?.hasSuffix("in \(unit.rawValue)") == true)
    }

    @Test("an empty resolution answer still renders a titled, well-formed chart saying so")
    func resolutionChartEmpty() throws {
        let probe = try #require(SVGProbe.parse(ResolutionTimeChart.svg(ResolutionTimeAnswer(months: []))))
        #expect(probe.rects.isEmpty)
        #expect(probe.texts == ["No closed tickets yet"])
        #expect(probe.root?.attributes["role"] == "img")
    }

    @Test("hostile labels are escaped: the SVG parses and the text comes back verbatim")
    func labelsAreEscaped() throws {
        let hostile = "</text><script>alert('x')</script>&amp;\"\u{1}"
        let svg = ResolutionTimeChart.svg(ResolutionTimeAnswer(months: [MonthResolution(month: hostile, closed: 1, averageSeconds: 60)]))
        #expect(!svg.contains("<script>"))
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.texts.first == "</text><script>alert('x')</script>&amp;\"\u{FFFD}")
    }

    @Test("category chart shows active, open and closed for every category, scaled to the largest")
    func categoryChartShape() throws {
        let answer = CategoryLoadAnswer(categories: [
            CategoryLoad(category: .facility, open: 2, active: 8, closed: 0),
            CategoryLoad(category: .it, open: 0, active: 4, closed: 16),
            CategoryLoad(category: .services, open: 1, active: 0, closed: 3),
        ])
        let probe = try #require(SVGProbe.parse(CategoryLoadChart.svg(answer)))
        #expect(probe.root?.attributes["role"] == "img")
        #expect(probe.titles.first == "Active tickets per category, with open and closed")
        #expect(probe.rects.count == 9)
        let widths = probe.rects.compactMap { $0["width"].flatMap(Double.init) }
        let expected = [8, 2, 0, 4, 0, 16, 0, 1, 3].map { Double($0) * CategoryLoadChart.barArea / 16 }
        #expect(widths.count == expected.count && zip(widths, expected).allSatisfy { abs($0 - $1) < 0.06 })
        for word in ["Facility", "IT", "Services", "8 active", "2 open", "16 closed"] {
            #expect(probe.texts.contains(word), "missing \(word)")
        }
    }

    @Test("a small count beside a large one still draws a visible bar; zero draws none")
    func categoryChartSmallBarsVisible() throws {
        let answer = CategoryLoadAnswer(categories: [
            CategoryLoad(category: .facility, open: 5, active: 1, closed: 2_900),
            CategoryLoad(category: .it, open: 0, active: 0, closed: 0),
            CategoryLoad(category: .services, open: 0, active: 0, closed: 0),
        ])
        let probe = try #require(SVGProbe.parse(CategoryLoadChart.svg(answer)))
        let widths = probe.rects.compactMap { $0["width"].flatMap(Double.init) }
        #expect(widths.count == 9)
        // Active 1 and open 5 would be 0.1 and 0.5 px at scale; each is drawn at least 3 px.
        #expect(widths[0] >= 3 && widths[1] >= 3)
        #expect(abs(widths[2] - CategoryLoadChart.barArea) < 0.06)
        #expect(widths[3...].allSatisfy { $0 == 0 })
    }

    @Test("a category chart with nothing in it has zero-length bars, not NaN")
    func categoryChartAllZero() throws {
        let answer = CategoryLoadAnswer(categories: Domain.Category.allCases.map { CategoryLoad(category: $0, open: 0, active: 0, closed: 0) })
        let svg = CategoryLoadChart.svg(answer)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        let probe = try #require(SVGProbe.parse(svg))
        #expect(probe.rects.allSatisfy { $0["width"] == "0" })
    }
}

@Suite struct ChartCSVTests {
    @Test("fields are quoted per RFC 4180 and formula starts are neutralised", arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\r\nlines", "\"two\r\nlines\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
        ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ])
    func fieldQuoting(input: String, expected: String) {
        #expect(AnalyticsCSV.field(input) == expected)
    }

    @Test("each table has a header row and CRLF line ends; numbers stay numbers")
    func tables() throws {
        let since = try #require(Timestamp(iso8601: "2026-03-01T10:00:00Z"))
        #expect(AnalyticsCSV.openTickets(OpenTicketsAnswer(hours: 24, since: since, count: 0)) == "opened_from,facility,it,services,total\r\n")
        #expect(AnalyticsCSV.resolutionTime(ResolutionTimeAnswer(months: [MonthResolution(month: "2026-02", closed: 3, averageSeconds: 5400)]))
                == "month,closed,average_seconds,average_hours\r\n2026-02,3,5400,1.5\r\n")
        #expect(AnalyticsCSV.resolutionTime(ResolutionTimeAnswer(months: [MonthResolution(month: "2026-02", closed: 1, averageSeconds: -36)]))
                == "month,closed,average_seconds,average_hours\r\n2026-02,1,-36,-0.01\r\n")
        #expect(AnalyticsCSV.categoryLoad(CategoryLoadAnswer(categories: [CategoryLoad(category: .it, open: 1, active: 2, closed: 3)]))
                == "category,active,open,closed\r\nit,2,1,3\r\n")
    }
}
