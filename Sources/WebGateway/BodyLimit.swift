import HTTPServer

/// Refuses a request body larger than the gateway reads (forms and JSON) with 413.
///
/// Why in the gateway as well as the server: the server's parser limit (1 MiB) protects the
/// process; this lower limit is the application's, answered in the group's own format (a problem
/// document under `/api`, a page elsewhere) before any route or handler looks at the body.
enum BodyLimit {
    /// The error the middleware throws; the renderers say it in their words.
    struct TooLarge: HTTPStatusError, Sendable {
        var maxBytes: Int
        var status: HTTPStatus { .contentTooLarge }
    }

    static func middleware(maxBytes: Int) -> RouteMiddleware {
        { next in
            { request in
                guard request.body.count <= maxBytes else { throw TooLarge(maxBytes: maxBytes) }
                return try await next(request)
            }
        }
    }
}
