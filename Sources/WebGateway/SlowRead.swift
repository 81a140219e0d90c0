import SQLiteKit
import HTTPServer

/// A read of `tickets.db` stopped at the reader's time limit answers 503 "took too long", not 500.
///
/// Why: the reader (`TicketReader.queryTimeLimit`) interrupts a query that runs too long so an
/// abandoned slow search cannot hold its pooled connection (docs/performance.md, scaling finding 8);
/// the visitor then learns what to do (narrow the search), and may retry.
public enum SlowRead {
    /// What a route's interrupted read becomes; the API renders it as a problem, the pages as the error page.
    struct TooSlow: HTTPStatusError, Sendable {
        var status: HTTPStatus { .serviceUnavailable }
        var headers: HTTPHeaders { HTTPHeaders([("Retry-After", "10")]) }
        /// Fixed text (nothing to escape).
        static let detail = "This search took too long; narrow it with a status, category or more words, then try again."
    }

    /// Turns an interrupted `SQLiteError` from the routes behind it into ``TooSlow``.
    public static let middleware: RouteMiddleware = { next in
        { request in
            do {
                return try await next(request)
            } catch let error as SQLiteError where error.isInterrupted {
                throw TooSlow()
            }
        }
    }
}
