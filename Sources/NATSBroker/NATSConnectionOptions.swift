/// How a `NATSConnection` connects, pings and reconnects.
public struct NATSConnectionOptions: Sendable {
    /// The servers, tried in order; after a drop the next one in the list is tried first.
    public var servers: [NATSServerAddress]
    /// The client name the server shows in its connection list.
    public var name: String
    public var connectTimeout: Duration
    /// The default timeout of `request`.
    public var requestTimeout: Duration
    /// The pause after a full round of the list failed.
    public var reconnectWait: Duration
    /// How long an idle connection waits before it pings; two pings unanswered drop it.
    public var pingInterval: Duration
    /// Shown in CONNECT; a server that refuses them fails the connection ("Authorization Violation").
    public var credentials: NATSCredentials = .none

    public init(servers: [NATSServerAddress], name: String = "campusdesk", connectTimeout: Duration = .seconds(2),
                requestTimeout: Duration = .seconds(5), reconnectWait: Duration = .milliseconds(100),
                pingInterval: Duration = .seconds(10)) {
        self.servers = servers
        self.name = name
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.reconnectWait = reconnectWait
        self.pingInterval = pingInterval
    }
}
