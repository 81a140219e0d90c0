import Logging
import HTTPServer

extension Logger {
    /// Adapts the HTTP server's and router's log events onto this logger's one-line format.
    ///
    /// HTTPServer knows no `Logger` (it has no dependencies); the gateway hands it this adapter.
    public func http(_ event: HTTPLogEvent) {
        let level: Logger.Level = switch event.level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        log(level, event.message, ["details": event.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")])
    }
}
