// MARK: - The WebGateway target
//
// The web gateway: pages, the JSON API and its OpenAPI document (a resource), CSRF, charts, the
// dashboard, and the adapters to the broker and the ticket reader. Every change leaves as a command.
