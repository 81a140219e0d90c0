import HTTPServer
import Synchronization

/// Collects log events so tests can assert on them.
final class LogSink: Sendable {
    private let stored = Mutex<[String]>([])
    var lines: [String] { stored.withLock { $0 } }
    var handler: HTTPLogHandler { { [self] event in stored.withLock { $0.append(event.line) } } }
}
