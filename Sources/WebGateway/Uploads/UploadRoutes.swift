import Domain
import HTTPServer
import TicketStore
import Uploads

/// Which requests stream their body into an ``UploadSink`` instead of memory, and how a refused
/// upload is answered before any handler runs.
///
/// Only `multipart/form-data` POSTs to the upload routes stream: the API's
/// `/api/tickets/{id}/attachments`, and the report, message and edit forms (`/tickets`,
/// `/tickets/{id}/messages`, `/tickets/{id}/edit`) when they carry a file. Every other request keeps the server's
/// ordinary body limit (1 MiB) and the gateway's (64 KiB).
enum UploadRoutes {
    /// True for a path whose POST may carry files.
    static func isUploadPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        func isID(_ s: Substring) -> Bool { !s.isEmpty && s.utf8.count <= 19 && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        switch parts.count {
        case 2: return path == "/tickets"
        case 4: return parts[1] == "tickets" && isID(parts[2]) && (parts[3] == "messages" || parts[3] == "edit")
        case 5: return parts[1] == "api" && parts[2] == "tickets" && isID(parts[3]) && parts[4] == "attachments"
        default: return false
        }
    }

    static func isMultipart(_ request: HTTPRequest) -> Bool {
        (request.headers["Content-Type"] ?? "").lowercased().trimmingWhitespace().hasPrefix("multipart/form-data")
    }

    /// The server's streaming choice for the gateway (``ServerConfiguration/streamingBody``).
    static func streamingBody(files: AttachmentFiles, settings: AttachmentSettings, context: GatewayContext) -> @Sendable (HTTPRequest) -> StreamingBody? {
        { head in
            guard head.method == .post, isUploadPath(head.path) else { return nil }
            // The API route streams whatever its type, so a wrong type is a 415 from the sink, not a 413.
            guard isMultipart(head) || head.path.hasPrefix("/api/") else { return nil }
            return StreamingBody(maxBodyBytes: settings.maxBodyBytes) { request throws(BodyRefusal) in
                let refuse = refusal(for: request, context: context)
                let limits = MultipartLimits(maxParts: 32, maxHeaderBytes: 8 * 1024, maxFieldBytes: 64 * 1024,
                                             maxFileBytes: settings.maxFileBytes, maxTotalBytes: settings.maxBodyBytes)
                return try UploadSink(contentType: request.headers["Content-Type"] ?? "", limits: limits, maxFiles: settings.maxFilesPerRequest,
                                      files: files, refuse: refuse)
            }
        }
    }

    /// Removes a streamed upload's incoming files once its request is answered, whatever the
    /// handler did (stored them, refused them, failed, or was never routed).
    static let cleanup: Middleware = { next in
        { request in
            let response = await next(request)
            (request.streamedBody?.value as? ReceivedUpload)?.discard()
            return response
        }
    }

    /// How a refusal before the handler is answered: a problem document under `/api`, else the
    /// error page; with the security headers the middleware would have added.
    static func refusal(for request: HTTPRequest, context: GatewayContext) -> @Sendable (HTTPStatus, String) -> HTTPResponse {
        let api = request.path.hasPrefix("/api/")
        return { status, message in
            var response = api ? Problem(status: status, detail: message).response
                               : ErrorPage.response(status, message: message, context: context, request: request)
            response.headers.set("Content-Security-Policy", SecurityHeaders.contentSecurityPolicy)
            response.headers.set("X-Content-Type-Options", "nosniff")
            response.headers.set("Referrer-Policy", "same-origin")
            response.headers.set("X-Frame-Options", "DENY")
            return response
        }
    }
}
