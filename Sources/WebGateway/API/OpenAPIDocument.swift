import HTTPServer

/// The OpenAPI 3 description of the JSON API, served at `/api/openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = "openapi: 3.0.3\n"
    static var response: HTTPResponse {
        var r = HTTPResponse(status: .ok, contentType: "application/yaml; charset=utf-8", body: yaml)
        r.headers.set("Cache-Control", "public, max-age=3600")
        return r
    }
}
