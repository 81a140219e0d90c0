/// One thing the server wants logged: a level, a constant message and key/value details.
///
/// HTTPServer does not depend on the core `Logger`; the executable adapts this hook to it.
/// Messages are constants (`StaticString`) and details never carry bodies or header values.
public struct HTTPLogEvent: Sendable {
    /// Severity, mapped by the receiver onto its own levels.
    public enum Level: String, Sendable { case debug, info, warning, error }
    public var level: Level
    public var message: StaticString
    public var metadata: [(key: String, value: String)]

    public init(_ level: Level, _ message: StaticString, _ metadata: [(key: String, value: String)] = []) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }

    /// The event as `level message key=value ...`, for quick adapters and tests.
    public var line: String {
        metadata.reduce("\(level.rawValue) \(message)") { $0 + " \($1.key)=\($1.value)" }
    }
}

/// Receives the server's log events; called from the event-loop thread and from handler tasks.
public typealias HTTPLogHandler = @Sendable (HTTPLogEvent) -> Void
