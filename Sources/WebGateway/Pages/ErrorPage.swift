import SpoolBroker
import HTTPServer

/// The HTML page for errors (403, 404, 405, 413, 500 ...) and for "queued" (202).
enum ErrorPage {
    /// A link the page offers besides the list (the ticket a queued change concerns).
    struct Link: Sendable, Equatable {
        var href: String
        var text: String
    }

    static func render(status: HTTPStatus, message: String, visitor: Visitor, csrfToken: String, link: Link? = nil) -> [UInt8] {
        let heading = status.code == 202 ? "Request received" : status.reason
        var h = HTMLBuffer(capacity: 4096)
        Layout.page(title: heading, visitor: visitor, csrfToken: csrfToken, body: { b in
            b.raw("<h1>")
            b.text(heading)
            b.raw("</h1>\n<p>")
            b.text(message)
            b.raw("</p>\n")
            if let link {
                b.raw("<p><a href=\"")
                b.text(link.href)
                b.raw("\">")
                b.text(link.text)
                b.raw("</a></p>\n")
            }
            b.raw("<p><a href=\"/tickets\">Go to the tickets</a></p>\n")
        }, into: &h)
        return h.bytes
    }

    static func response(_ status: HTTPStatus, message: String, context: GatewayContext, request: HTTPRequest) -> HTTPResponse {
        // Errors the router raises come before any session was looked up: on the network desk
        // the page shows the signed-out frame.
        let visitor = context.authMode == .accounts ? Visitor.anonymous(request, newBrowserID: context.newBrowserID)
                                                    : Visitor.from(request, newBrowserID: context.newBrowserID)
        return WebRoutes.html(status, render(status: status, message: message, visitor: visitor, csrfToken: context.csrf.token(forBrowser: visitor.browserID, identity: FormIdentity(visitor))), visitor: visitor)
    }
}
