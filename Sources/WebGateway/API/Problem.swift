import Domain
import SpoolBroker
import Foundation
import HTTPServer

/// An RFC 9457 problem document, the body of every API error, and the error API handlers throw.
///
/// Why an error: a handler states what went wrong once (`throw Problem(...)`) and the `/api`
/// group's renderer sends it; the web pages render a thrown problem as an HTML page instead.
public struct Problem: Sendable, Codable, Equatable, Error, HTTPStatusError {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    public var title: String
    /// The status code, the document's `status` member.
    public var statusCode: Int
    public var detail: String
    /// The request field the problem concerns, when there is one (extension member).
    public var field: String?
    /// The worker's refusal code, when the problem is a refusal (extension member).
    public var code: String?
    /// The OAuth 2.0 error code of the token endpoint (`invalid_grant`, `invalid_request`,
    /// `unsupported_grant_type`; RFC 6749 §5.2), an extension member.
    public var error: String?
    /// Seconds for `Retry-After` (a header, not a member of the document).
    public var retryAfter: Int?
    /// The `WWW-Authenticate` challenge of a 401 (a header, not a member of the document).
    public var challenge: String?

    enum CodingKeys: String, CodingKey {
        case type, title, statusCode = "status", detail, field, code, error
    }

    public init(status: HTTPStatus, detail: String, type: String = "about:blank", field: String? = nil, code: String? = nil,
                retryAfter: Int? = nil, challenge: String? = nil, error: String? = nil) {
        self.error = error
        self.type = type
        self.title = status.reason
        self.statusCode = status.code
        self.detail = detail
        self.field = field
        self.code = code
        self.retryAfter = retryAfter
        self.challenge = challenge
    }

    /// The problem for a worker's refusal, with the status its code maps to.
    public init(refusal: Refusal) {
        self.init(status: Self.status(for: refusal.code), detail: refusal.reason,
                  type: "/problems/\(refusal.code.rawValue)", field: refusal.field, code: refusal.code.rawValue)
    }

    /// A refusal the gateway decides itself, typed like the worker's (`/problems/<code>`), so a
    /// client sees one problem type per refusal whichever side refused.
    public static func refused(_ code: RefusalCode, _ detail: String, field: String? = nil) -> Problem {
        Problem(refusal: Refusal(code, detail, field: field))
    }

    /// The one mapping from refusal codes to HTTP statuses.
    public static func status(for code: RefusalCode) -> HTTPStatus {
        switch code {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .invalidTransition, .readOnly, .conflict: .conflict
        case .validation: .unprocessableContent
        case .unauthenticated: .unauthorized
        }
    }

    /// The response status.
    public var status: HTTPStatus { HTTPStatus(statusCode, title) }

    /// `Retry-After` when the problem says when to try again, `WWW-Authenticate` on a 401.
    public var headers: HTTPHeaders {
        var h = HTTPHeaders()
        if let retryAfter { h.set("Retry-After", String(retryAfter)) }
        if let challenge { h.set("WWW-Authenticate", challenge) }
        return h
    }

    /// The problem as an `application/problem+json` response.
    public var response: HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)).map { Array($0) } ?? Array("{\"status\":\(statusCode)}".utf8)
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/problem+json")
        headers.set("Cache-Control", "no-store")
        for (name, value) in self.headers { headers.set(name, value) }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
