/// An error that knows which HTTP status, and which extra header fields, it is answered with.
///
/// Why a protocol: handlers throw their domain errors (a problem document, a missing ticket)
/// and the router turns each into its response; any error that does not conform is a bug and
/// becomes a logged 500 whose body says nothing about the cause (Hummingbird's shape).
public protocol HTTPStatusError: Error {
    /// The status of the response.
    var status: HTTPStatus { get }
    /// Fields the response carries besides the error body (`Allow` on a 405, `Retry-After` on a 503).
    var headers: HTTPHeaders { get }
}

extension HTTPStatusError {
    /// No extra fields, for errors whose status says it all.
    public var headers: HTTPHeaders { HTTPHeaders() }
}
