/// Everything a ``Server`` needs to know besides its handler.
///
/// The defaults are the production values; tests shorten the timeouts to keep runs quick.
public struct ServerConfiguration: Sendable {
    /// IPv4 address to bind (`127.0.0.1`, `0.0.0.0`).
    public var host: String
    /// TCP port; 0 lets the kernel choose (read it back from ``Server/port``).
    public var port: UInt16
    /// Parser size limits.
    public var limits: HTTPParserLimits
    /// From the first byte of a request to its complete head; then 408 and close (anti-slowloris).
    public var headerTimeout: Duration
    /// From the complete head to the complete body; then 408 and close.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    public var idleTimeout: Duration
    /// How long a client may take to accept a response before the connection is dropped.
    public var writeTimeout: Duration
    /// Most open connections; one more is answered 503 and closed at once.
    public var maxConnections: Int
    /// After ``Server/shutdown()``, how long requests in flight may take to finish.
    public var shutdownGrace: Duration
    /// Receives the server's log events; nil drops them.
    public var log: HTTPLogHandler?
    /// The routes whose bodies stream into a sink instead of memory, with their larger limit;
    /// asked once per request head. Nil (the default): every body is held under ``limits``.
    public var streamingBody: (@Sendable (HTTPRequest) -> StreamingBody?)?

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, limits: HTTPParserLimits = .standard, headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(5), writeTimeout: Duration = .seconds(30), maxConnections: Int = 512, shutdownGrace: Duration = .seconds(10), log: HTTPLogHandler? = nil,
                streamingBody: (@Sendable (HTTPRequest) -> StreamingBody?)? = nil) {
        self.streamingBody = streamingBody
        self.host = host
        self.port = port
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.shutdownGrace = shutdownGrace
        self.log = log
    }
}

extension Duration {
    /// Whole nanoseconds, for the event loop's monotonic clock.
    var nanoseconds: UInt64 {
        let (s, attos) = components
        return UInt64(max(0, s)) * 1_000_000_000 + UInt64(max(0, attos)) / 1_000_000_000
    }
}
