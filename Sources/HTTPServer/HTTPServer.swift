// MARK: - The HTTPServer target
//
// HTTP/1.1 on plain sockets: a pure incremental parser with limits, the serializer, the router with
// route groups and middleware, errors that carry their status, the event loop and server. Knows
// nothing of tickets.
