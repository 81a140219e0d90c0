import Foundation
import HTTPServer

/// The OpenAPI 3 description of the JSON API, served at `/api/openapi.yaml`.
///
/// One file, `Sources/WebGateway/Resources/openapi.yaml` (a resource of this target), read once
/// on first use: the document is maintained in one place and the binary serves exactly that file.
enum OpenAPIDocument {
    /// The resource is missing from the installed bundle: a packaging fault, answered as a logged 500.
    struct Missing: Error {}

    /// The file's bytes, or nil when the bundle lacks it.
    static let bytes: [UInt8]? = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return nil }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            // Reported on each request through `Missing`, which the router logs.
            return nil
        }
    }()

    /// The document as a cacheable YAML response.
    static func response() throws -> HTTPResponse {
        guard let bytes else { throw Missing() }
        var headers = HTTPHeaders([("Content-Type", "application/yaml; charset=utf-8")])
        headers.set("Cache-Control", "public, max-age=3600")
        return HTTPResponse(status: .ok, headers: headers, body: bytes)
    }
}
