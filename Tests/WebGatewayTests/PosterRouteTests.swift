import Domain
import HTTPServer
import QRCode
import Testing
@testable import WebGateway

/// Issue 18's QR posters: `/posters` for staff, the SVG it offers, and the report form a poster's
/// code opens with the place filled in. (QRCodeTests decodes posters with a real reader, zbarimg.)
@Suite struct PosterRouteTests {
    static let place = "Building C, lift 2"
    static let origin = "https://helpdesk.example.edu"
    static let query = "location=Building%20C%2C%20lift%202&origin=https%3A%2F%2Fhelpdesk.example.edu"

    @Test("staff get the form (the address guessed from Host), then a preview naming the address the code opens")
    func pageForStaff() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent, name: "Desk")
        let empty = await b.get("/posters")
        #expect(empty.status == .ok)
        #expect(empty.text.contains("<a href=\"/posters\">Posters</a>"), "the staff's menu links the page")
        #expect(empty.text.contains("value=\"http://campusdesk.test\""), "the address comes from the request's Host")
        #expect(!empty.text.contains("<img class=\"poster\""))
        let page = await b.get("/posters?" + Self.query)
        #expect(page.status == .ok)
        #expect(page.text.contains("<code>https://helpdesk.example.edu/tickets/new?location=Building%20C%2C%20lift%202</code>"), "\(page.text)")
        #expect(page.text.contains("src=\"/posters/poster.svg?location=Building%20C%2C%20lift%202&amp;origin=https%3A%2F%2Fhelpdesk.example.edu\""))
        #expect(page.text.contains("alt=\"Poster for Building C, lift 2: a QR code that opens the report form\""))
    }

    @Test("the poster is the QRPoster SVG of the report address, sandboxed, inline or as a download")
    func svg() async throws {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let r = await b.get("/posters/poster.svg?" + Self.query)
        #expect(r.status == .ok)
        #expect(r.headers["Content-Type"] == "image/svg+xml; charset=utf-8")
        #expect(r.headers["X-Content-Type-Options"] == "nosniff")
        #expect(r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox", "its own policy, not the pages'")
        #expect(r.headers["Content-Disposition"]?.hasPrefix("inline") == true)
        let expected = try QRPoster.svg(url: QRPoster.reportURL(origin: Self.origin, place: Self.place), place: Self.place)
        #expect(r.text == expected)
        let download = await b.get("/posters/poster.svg?" + Self.query + "&download=1")
        #expect(download.headers["Content-Disposition"]?.hasPrefix("attachment") == true)
    }

    @Test("a place with markup is escaped on the page and in the SVG")
    func escaped() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        let hostile = "Lab <script>alert(1)</script> & \"B\""
        let q = "location=" + QRPoster.percentEncoded(hostile) + "&origin=https%3A%2F%2Fdesk.example"
        let page = await b.get("/posters?" + q)
        #expect(page.status == .ok)
        #expect(!page.text.contains("<script>alert"))
        let svg = await b.get("/posters/poster.svg?" + q)
        #expect(!svg.text.contains("<script>"))
        #expect(svg.text.contains("Lab &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;B&quot;"))
    }

    @Test("a bad address or a missing or overlong place: 422 naming the field; nothing is drawn")
    func refusals() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .agent)
        for origin in ["ftp://desk.example", "https://desk.example/path", "desk.example", "https://", "https://a b"] {
            let r = await b.get("/posters?location=Lab%201&origin=" + QRPoster.percentEncoded(origin))
            #expect(r.status == .unprocessableContent, "\(origin)")
            #expect(r.text.contains("Give the address as http:// or https://"), "\(origin)")
            #expect(!r.text.contains("<img class=\"poster\""))
            #expect(await b.get("/posters/poster.svg?location=Lab%201&origin=" + QRPoster.percentEncoded(origin)).status == .unprocessableContent)
        }
        let blank = await b.get("/posters?location=%20%20&origin=https%3A%2F%2Fdesk.example")
        #expect(blank.status == .unprocessableContent)
        #expect(blank.text.contains("Name the place the poster is for."))
        let long = await b.get("/posters?location=" + String(repeating: "x", count: 201) + "&origin=https%3A%2F%2Fdesk.example")
        #expect(long.status == .unprocessableContent)
        #expect(long.text.contains("longer than 200 characters"))
    }

    @Test("simple users may not print posters: 403 on the page and the SVG, and no menu entry")
    func customersRefused() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer, name: "Ada")
        #expect(await b.get("/posters").status == .forbidden)
        #expect(await b.get("/posters/poster.svg?" + Self.query).status == .forbidden)
        #expect(!(await b.get("/tickets/new").text.contains("href=\"/posters\"")))
    }

    @Test("on the network desk: engineers print posters, customers get 403")
    func networkDesk() async throws {
        let world = try AccountsWorld()
        let engineer = try await world.account("Eve", .engineer), customer = try await world.account("Cy", .customer)
        var e = await Browser.signedIn(world, engineer)
        #expect(await e.get("/posters/poster.svg?" + Self.query).status == .ok)
        var c = await Browser.signedIn(world, customer)
        #expect(await c.get("/posters?" + Self.query).status == .forbidden)
    }

    @Test("the report form a poster opens has the place filled in; a place over the limit is left out")
    func reportFormFilledIn() async {
        let world = World()
        var b = Browser(world.gateway())
        await b.enter(as: .customer)
        let form = await b.get("/tickets/new?location=Building%20C%2C%20lift%202")
        #expect(form.status == .ok)
        #expect(form.text.contains("name=\"location\"") && form.text.contains("value=\"Building C, lift 2\""), "\(form.text)")
        let tooLong = await b.get("/tickets/new?location=" + String(repeating: "y", count: 201))
        #expect(!tooLong.text.contains(String(repeating: "y", count: 201)))
        let markup = await b.get("/tickets/new?location=%22%3E%3Cscript%3E")
        #expect(!markup.text.contains("\"><script>"))
    }
}
