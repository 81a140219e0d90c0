import Domain
import SpoolBroker
import Foundation
import HTTPServer

/// An RFC 9457 problem document, the body of every API error.
public struct Problem: Sendable, Codable, Equatable, Error {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The request field the problem concerns, when there is one (extension member).
    public var field: String?
    /// The worker's refusal code, when the problem is a refusal (extension member).
    public var code: String?

    public init(status: HTTPStatus, detail: String, type: String = "about:blank", field: String? = nil, code: String? = nil) {
        self.type = type
        self.title = status.reason
        self.status = status.code
        self.detail = detail
        self.field = field
        self.code = code
    }

    /// The problem for a worker's refusal, with the status its code maps to.
    public init(refusal: Refusal) {
        self.init(status: Self.status(for: refusal.code), detail: refusal.reason,
                  type: "/problems/\(refusal.code.rawValue)", field: refusal.field, code: refusal.code.rawValue)
    }

    /// The one mapping from refusal codes to HTTP statuses.
    public static func status(for code: RefusalCode) -> HTTPStatus {
        switch code {
        case .notFound: .notFound
        case .forbidden: .forbidden
        case .invalidTransition, .readOnly: .conflict
        case .validation: .unprocessableContent
        }
    }

    /// The problem as an `application/problem+json` response.
    public var response: HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)).map { Array($0) } ?? Array("{\"status\":\(status)}".utf8)
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/problem+json")
        headers.set("Cache-Control", "no-store")
        return HTTPResponse(status: HTTPStatus(status, title), headers: headers, body: body)
    }
}
