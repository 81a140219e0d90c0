import SpoolBroker
import TicketStore
import HTTPServer

/// While `tickets.db` cannot be read, every page but the probes and the stylesheet answers 503.
///
/// Why a wrapper: the gateway starts beside the ticket worker and must say "starting" (with
/// `Retry-After`) until the worker has created and migrated the database, instead of failing
/// page by page. A database SQLite calls damaged is said so plainly, since waiting will not help:
/// the operator restores a backup (docs/operations.md, Restore).
public enum StartingUp {
    /// Paths answered even without a database.
    static let alwaysServed: Set<String> = ["/healthz", "/readyz", "/static/app.css"]

    /// `inner` once the database is readable; a 503 (problem JSON under `/api`, HTML elsewhere) before.
    public static func wrap(_ inner: @escaping Handler, tickets: TicketReader) -> Handler {
        { request in
            guard !alwaysServed.contains(request.path), let problem = tickets.unavailability else { return await inner(request) }
            let api = request.path == "/api" || request.path.hasPrefix("/api/")
            var r: HTTPResponse
            switch (problem, api) {
            case (.starting, true):
                r = HTTPResponse(status: .serviceUnavailable, contentType: "application/problem+json",
                                 body: #"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"CampusDesk is starting; the ticket store is not ready yet."}"#)
                r.headers.set("Retry-After", "5")
            case (.starting, false):
                r = HTTPResponse(status: .serviceUnavailable, contentType: "text/html; charset=utf-8",
                                 body: page("CampusDesk is starting", "The ticket store is not ready yet. Please try again in a few seconds."))
                r.headers.set("Retry-After", "5")
            case (.damaged, true):
                r = HTTPResponse(status: .serviceUnavailable, contentType: "application/problem+json",
                                 body: #"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"The ticket store is damaged and cannot be read; nothing can be saved until an operator restores it from a backup."}"#)
            case (.damaged, false):
                r = HTTPResponse(status: .serviceUnavailable, contentType: "text/html; charset=utf-8",
                                 body: page("CampusDesk is unavailable", "The ticket store is damaged and cannot be read, so nothing can be saved right now. The helpdesk operators have to restore it from a backup; please try again later."))
            }
            r.headers.set("Cache-Control", "no-store")
            r.headers.set("Content-Security-Policy", Gateway.contentSecurityPolicy)
            r.headers.set("X-Content-Type-Options", "nosniff")
            return r
        }
    }

    /// A minimal valid page (fixed text only, nothing to escape).
    private static func page(_ title: String, _ text: String) -> String {
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>\(title)</title><h1>\(title)</h1><p>\(text)</p></html>"
    }
}
