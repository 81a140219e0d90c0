import Foundation
@testable import QRCode
import TestSupport
import Testing

@Suite(.onDedicatedThreads) struct QRPosterTests {
    @Test("The place name is XML-escaped in the poster, in the text and in the title")
    func placeName_isEscaped() throws {
        let place = "Lab <3> & \"Annex\" 'B'\u{0}\u{1B}</text><script>alert(1)</script>"
        let svg = try QRPoster.svg(url: QRPoster.reportURL(origin: "https://desk.example", place: place), place: place)
        let escaped = "Lab &lt;3&gt; &amp; &quot;Annex&quot; &apos;B&apos;&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        #expect(svg.components(separatedBy: escaped).count == 3)
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("<3"))
        #expect(!svg.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test("The report URL percent-encodes the place: everything but A-Z a-z 0-9 - . _ ~")
    func reportURL_percentEncodes() {
        #expect(QRPoster.reportURL(origin: "https://desk.example/", place: "Building C, lift 2")
            == "https://desk.example/tickets/new?location=Building%20C%2C%20lift%202")
        #expect(QRPoster.reportURL(origin: "http://h", place: "Hörsaal 1 & 2+3/4?#~")
            == "http://h/tickets/new?location=H%C3%B6rsaal%201%20%26%202%2B3%2F4%3F%23~")
    }

    @Test("The poster SVG, rasterised by zbarimg's ImageMagick, holds the report URL and nothing else")
    func poster_decodesToTheReportURL() throws {
        let place = "Gebäude C, Aufzug 2 (Nordeingang) & Treppenhaus"
        let url = QRPoster.reportURL(origin: "https://helpdesk.campus.example", place: place)
        let svg = try QRPoster.svg(url: url, place: place)
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"210mm\" height=\"297mm\""))

        let directory = try TemporaryDirectory("qr-poster")
        defer { directory.remove() }
        let file = directory.path("poster.svg")
        #expect(FileManager.default.createFile(atPath: file, contents: Data(svg.utf8)))
        #expect(try ZBar.decode([file]) == [Array(url.utf8)])
    }
}
