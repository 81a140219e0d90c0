import SpoolBroker
import HTTPServer

/// The HTML page for errors (403, 404, 405, 413, 500 ...) and for "queued" (202).
enum ErrorPage {
    static func render(status: HTTPStatus, message: String, visitor: Visitor, csrfToken: String) -> String {
        let heading = status.code == 202 ? "Request received" : status.reason
        let b = "<h1>\(escapeHTML(heading))</h1>\n<p>\(escapeHTML(message))</p>\n<p><a href=\"/tickets\">Go to the tickets</a></p>\n"
        return Layout.page(title: heading, visitor: visitor, csrfToken: csrfToken, body: b)
    }

    static func response(_ status: HTTPStatus, message: String, context: GatewayContext, request: HTTPRequest) -> HTTPResponse {
        let visitor = Visitor.from(request, newBrowserID: context.newBrowserID)
        return WebRoutes.html(status, render(status: status, message: message, visitor: visitor, csrfToken: context.csrf.token(forBrowser: visitor.browserID)), visitor: visitor)
    }
}
