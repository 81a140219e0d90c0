/// How the NATS broker maps onto JetStream: servers, replicas, the lease and the limits.
public struct NATSBrokerConfiguration: Sendable {
    public var connection: NATSConnectionOptions
    /// Replicas of every stream (3 on a three-node cluster); 1 on a single server.
    public var replicas: Int
    /// How long a live holder keeps a claim before it comes back to the queue (the spool's lease).
    public var lease: Duration
    /// The consumers' ack wait (at most the lease). A delivery lost on its way (the node carrying
    /// the connection killed, a reconnect) or held by a process that died comes back after it;
    /// a live holder keeps its claims with progress acks until the lease (`HeldClaims`).
    public var ackWait: Duration = .seconds(30)
    /// The ack wait the consumers are made with.
    public var effectiveAckWait: Duration { min(lease, ackWait) }
    /// Deliveries without a settle (a consumer dying on the message each time) before it is
    /// dead-lettered; retries count too (the broker's `attempts` is the delivery count less one).
    public var maxDeliveries: Int
    /// How long the streams remember `Nats-Msg-Id`s to drop a re-sent duplicate.
    public var duplicateWindow: Duration
    /// The largest batch a send takes in one call (NATS has no atomic batch: see docs/nats.md).
    public var maxBatchBytes: Int
    /// How long making a queue, the bindings stream or a binding waits out a cluster's elections
    /// (a fresh cluster electing its meta leader, a new stream its leader) before it fails.
    public var setupPatience: Duration = .seconds(30)

    public init(servers: [NATSServerAddress], name: String = "campusdesk", replicas: Int = 1, lease: Duration = .seconds(300),
                maxDeliveries: Int = 50, duplicateWindow: Duration = .seconds(120), maxBatchBytes: Int = 4 << 20) {
        connection = NATSConnectionOptions(servers: servers, name: name)
        self.replicas = replicas
        self.lease = lease
        self.maxDeliveries = maxDeliveries
        self.duplicateWindow = duplicateWindow
        self.maxBatchBytes = maxBatchBytes
    }

    /// From `nats://[user:password@|token@]host:port[,host:port...][?replicas=N]`: on a cluster, `?replicas=3` makes
    /// every stream this process creates keep three copies (a stream made earlier keeps its count).
    public init(url: String, name: String = "campusdesk") throws(NATSError) {
        // The options start at the first `?` after the last `@`, so a `?` in a password is the password's.
        let optionsStart = url[(url.lastIndex(of: "@") ?? url.startIndex)...].firstIndex(of: "?")
        let list = String(url[..<(optionsStart ?? url.endIndex)])
        let credentials: NATSCredentials
        let addresses: [NATSServerAddress]
        do {
            let split = try NATSCredentials.split(list)
            credentials = split.credentials
            addresses = try NATSServerAddress.list(split.servers)
        } catch where url.contains("@") {
            // Never echo a list that holds credentials: a `,` left unencoded in a password splits it
            // into entries that fail here with a piece of the password in their message.
            throw NATSError(.connectionFailed, "parse server list", "bad server list \(NATSCredentials.redacted(url: list)) "
                            + "(percent-encode `,` `?` `@` `:` in a user, password or token: %2C %3F %40 %3A)")
        }
        self.init(servers: addresses, name: name)
        connection.credentials = credentials
        guard let optionsStart else { return }
        for item in url[url.index(after: optionsStart)...].split(separator: "&") {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "replicas" else {
                throw NATSError(.connectionFailed, "parse server list", "unknown option \(item) (only replicas=N)")
            }
            guard let n = Int(kv[1]), (1...5).contains(n) else {
                throw NATSError(.connectionFailed, "parse server list", "replicas must be 1 to 5, not \(kv[1])")
            }
            replicas = n
        }
    }
}
