import Credentials
import HTTPServer

/// A file the gateway serves from memory with a validator: the stylesheet, the dashboard's
/// script, the favicon.
///
/// Embedded so the gateway is one binary with no asset directory to deploy; one place answers
/// `If-None-Match` with 304 so every asset is cached the same way.
struct StaticAsset: Sendable {
    let body: [UInt8]
    let contentType: String
    /// A strong validator: the first 8 bytes of the body's SHA-256, so it changes with the body.
    let etag: String

    init(body: [UInt8], contentType: String) {
        self.body = body
        self.contentType = contentType
        etag = "\"" + hexString(Array(SHA256.hash(body).prefix(8))) + "\""
    }

    /// The asset, or 304 when the browser already has this version.
    func response(for request: HTTPRequest) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Cache-Control", "public, max-age=3600")
        headers.set("ETag", etag)
        if let tags = request.headers["If-None-Match"],
           tags.split(separator: ",").contains(where: { String($0).trimmingWhitespace() == etag || String($0).trimmingWhitespace() == "*" }) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.set("Content-Type", contentType)
        return HTTPResponse(status: .ok, headers: headers, body: body)
    }
}
