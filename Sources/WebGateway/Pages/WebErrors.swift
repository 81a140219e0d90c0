import HTTPServer

/// How the pages answer errors: the error page in the site's layout, in the visitor's words.
///
/// A thrown ``Problem`` shows its detail; the router's own errors and the gateway's middleware
/// errors have fixed messages. Unknown errors arrive as a 500 the router has logged.
struct WebErrors: Sendable {
    let context: GatewayContext

    func render(_ request: HTTPRequest, _ error: any HTTPStatusError) -> HTTPResponse {
        switch error {
        case let gate as StartingUp.StoreUnavailable:
            return gate.page
        case is SlowRead.TooSlow:
            return ErrorPage.response(error.status, message: SlowRead.TooSlow.detail, context: context, request: request)
        case is LoginRequired:
            // The router adds `Location` from the error's headers.
            return HTTPResponse(status: .seeOther)
        case let problem as Problem:
            return ErrorPage.response(problem.status, message: problem.detail, context: context, request: request)
        default:
            return ErrorPage.response(error.status, message: Self.message(for: error.status), context: context, request: request)
        }
    }

    static func message(for status: HTTPStatus) -> String {
        switch status.code {
        case 400: "The address is malformed."
        case 404: "There is nothing at this address."
        case 405: "That action is not available here."
        case 413: "The form is too large."
        case 500: "Something went wrong on our side. Please try again in a moment."
        default: status.reason
        }
    }
}
