import HTTPServer

/// How the `/api` group answers errors: always an RFC 9457 problem document.
///
/// A thrown ``Problem`` is sent as it is; the router's own errors, the gateway's middleware
/// errors and any other status error get a problem with a fixed detail. Unknown errors arrive
/// here already turned into a 500 (the router logged them), so no internals reach the client.
enum APIErrors {
    static let render: ErrorRenderer = { _, error in
        problem(for: error).response
    }

    static func problem(for error: any HTTPStatusError) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let gate as StartingUp.StoreUnavailable:
            return Problem(status: gate.status, detail: gate.detail)
        case let slow as SlowRead.TooSlow:
            return Problem(status: slow.status, detail: SlowRead.TooSlow.detail)
        case let limit as BodyLimit.TooLarge:
            return Problem(status: limit.status, detail: "The request body is larger than \(limit.maxBytes) bytes.")
        case let route as RouteError where route.status == .methodNotAllowed:
            return Problem(status: route.status, detail: "Use \(route.allowed ?? "another method").")
        default:
            return Problem(status: error.status, detail: detail(for: error.status))
        }
    }

    private static func detail(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "The address is malformed."
        case 404: "There is nothing at this address."
        case 500: "Something went wrong on our side."
        default: status.reason
        }
    }
}
