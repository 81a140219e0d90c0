/// What the router itself answers: a path it refuses (400), no route (404), another method (405).
///
/// Thrown inside the router so that each group's ``ErrorRenderer`` renders it like any handler
/// error: the API answers a problem document, the web pages an HTML page.
public struct RouteError: HTTPStatusError, Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    /// An error of `status` without extra fields (400, 404, 500).
    public init(_ status: HTTPStatus) {
        self.status = status
        self.headers = HTTPHeaders()
    }

    /// A 405 naming the methods the path does allow (RFC 9110 §15.5.6: `Allow` is required).
    public static func methodNotAllowed(_ allowed: Set<HTTPMethod>) -> RouteError {
        var error = RouteError(.methodNotAllowed)
        error.headers.set("Allow", allowedList(allowed))
        return error
    }

    /// The allowed methods in `Allow`'s form, sorted so the answer is stable: `GET, HEAD, POST`.
    public static func allowedList(_ allowed: Set<HTTPMethod>) -> String {
        allowed.map(\.rawValue).sorted().joined(separator: ", ")
    }

    /// The value of `Allow` on a 405, else nil.
    public var allowed: String? { headers["Allow"] }
}
