import TicketStore
import HTTPServer

/// While `tickets.db` cannot be read, every page but the probes and the stylesheet answers 503.
///
/// Why a gate in front of the routes: the gateway starts beside the ticket worker and must say
/// "starting" (with `Retry-After`) until the worker has created and migrated the database, instead
/// of failing page by page. A database SQLite calls damaged is said so plainly, since waiting will
/// not help: the operator restores a backup (docs/operations.md, Restore).
public enum StartingUp {
    /// Paths answered even without a database.
    static let alwaysServed: Set<String> = ["/healthz", "/readyz", "/static/app.css", "/static/dashboard.js", "/static/forms.js", "/favicon.ico"]

    /// The error the gate throws; the API renders it as a problem, the pages as a minimal page.
    struct StoreUnavailable: HTTPStatusError, Sendable {
        var reason: TicketReader.Unavailability
        var status: HTTPStatus { .serviceUnavailable }
        /// Starting ends by itself, so clients may retry; damage does not.
        var headers: HTTPHeaders { reason == .starting ? HTTPHeaders([("Retry-After", "5")]) : HTTPHeaders() }

        /// The problem document's detail.
        var detail: String {
            switch reason {
            case .starting: "CampusDesk is starting; the ticket store is not ready yet."
            case .damaged: "The ticket store is damaged and cannot be read; nothing can be saved until an operator restores it from a backup."
            }
        }

        /// A minimal valid page (fixed text only, nothing to escape): no layout, no cookies.
        var page: HTTPResponse {
            let (title, text) = switch reason {
            case .starting: ("CampusDesk is starting", "The ticket store is not ready yet. Please try again in a few seconds.")
            case .damaged: ("CampusDesk is unavailable", "The ticket store is damaged and cannot be read, so nothing can be saved right now. The helpdesk operators have to restore it from a backup; please try again later.")
            }
            var r = HTTPResponse(status: status, contentType: "text/html; charset=utf-8",
                                 body: "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>\(title)</title><h1>\(title)</h1><p>\(text)</p></html>")
            r.headers.set("Cache-Control", "no-store")
            return r
        }
    }

    /// Throws ``StoreUnavailable`` before routing while `tickets` cannot be read.
    public static func middleware(tickets: TicketReader) -> RouteMiddleware {
        { next in
            { request in
                if let reason = tickets.unavailability, !alwaysServed.contains(request.path) { throw StoreUnavailable(reason: reason) }
                return try await next(request)
            }
        }
    }
}
