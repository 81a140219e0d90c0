import Domain
import HTTPServer
import QRCode

/// Issue 18's QR posters: `/posters` (the form and a preview) and `/posters/poster.svg` (the A4
/// poster itself), for staff (`print_posters`). The poster's code opens `/tickets/new?location=…`,
/// which fills the place in (``WebRoutes/newTicket(_:)``).
struct PosterPages: Sendable {
    let context: GatewayContext
    private var web: WebRoutes { WebRoutes(context: context) }

    func register(in router: inout Router) {
        router.get("/posters") { try await page($0) }
        router.get("/posters/poster.svg") { try await poster($0) }
    }

    /// The place and the address asked for, checked; the state to show again otherwise.
    private struct Asked {
        var place: String
        var origin: String
    }

    private func read(_ request: HTTPRequest) -> (state: FormState, asked: Asked?) {
        let query = (try? FormDecoding.decodeQuery(request.query)) ?? FormFields()
        var state = FormState(values: ["origin": query["origin"] ?? PosterOrigin.guess(host: request.headers["Host"]) ?? ""])
        guard let place = query["location"] else { return (state, nil) }
        state.values["location"] = place
        let checkedPlace: String
        do {
            guard let p = try TicketRules.shortField(place, field: "location") else {
                state.errors["location"] = "Name the place the poster is for."
                return (state, nil)
            }
            checkedPlace = p
        } catch let refusal {
            state.errors["location"] = refusal.reason
            return (state, nil)
        }
        switch PosterOrigin.check(state.values["origin"] ?? "") {
        case .failure(let refusal):
            state.errors["origin"] = refusal.reason
            return (state, nil)
        case .success(let origin):
            return (state, Asked(place: checkedPlace, origin: origin))
        }
    }

    private func staff(_ request: HTTPRequest) async throws -> Result<Visitor, FormRejection> {
        try await web.visitor(request, holding: .printPosters)
    }

    func page(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v: Visitor
        switch try await staff(request) {
        case .failure(let r): return r.response
        case .success(let visitor): v = visitor
        }
        let (state, asked) = read(request)
        var model = PostersPage.Model(visitor: v, csrfToken: web.token(v), state: state)
        if let asked {
            model.posterPath = "/posters/poster.svg?location=" + QRPoster.percentEncoded(asked.place) + "&origin=" + QRPoster.percentEncoded(asked.origin)
            model.reportURL = QRPoster.reportURL(origin: asked.origin, place: asked.place)
        }
        return WebRoutes.html(state.errors.isEmpty ? .ok : .unprocessableContent, PostersPage.render(model), visitor: v)
    }

    func poster(_ request: HTTPRequest) async throws -> HTTPResponse {
        let v: Visitor
        switch try await staff(request) {
        case .failure(let r): return r.response
        case .success(let visitor): v = visitor
        }
        let (state, asked) = read(request)
        guard let asked else {
            let reason = state.errors["location"] ?? state.errors["origin"] ?? "Name the place the poster is for."
            return web.errorPage(.unprocessableContent, reason, v, link: ErrorPage.Link(href: "/posters", text: "Back to the posters"))
        }
        let svg: String
        do {
            svg = try QRPoster.svg(url: QRPoster.reportURL(origin: asked.origin, place: asked.place), place: asked.place)
        } catch {
            return web.errorPage(.unprocessableContent, "The place and address are too long for a QR code.", v, link: ErrorPage.Link(href: "/posters", text: "Back to the posters"))
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "image/svg+xml; charset=utf-8")
        headers.add("Cache-Control", "no-store")
        // The SVG holds no script, and its text is escaped; the policy makes sure a browser runs none
        // and loads nothing, even when the file is opened on its own.
        headers.add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
        headers.add("X-Content-Type-Options", "nosniff")
        let download = (try? FormDecoding.decodeQuery(request.query))?["download"] == "1"
        headers.add("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"poster.svg\"")
        return HTTPResponse(status: .ok, headers: headers, body: Array(svg.utf8))
    }
}
