import SQLiteKit

// MARK: - Replication outbox (docs/nats.md, "Gateways on other machines")

/// One numbered batch of row images: what one committed write transaction changed.
public struct ReplicationBatch: Sendable, Equatable {
    /// Consecutive from 1 across the life of the file (`replication_state.seq`).
    public var seq: Int64
    /// ``RowImages`` encoded.
    public var images: [UInt8]

    public init(seq: Int64, images: [UInt8]) {
        self.seq = seq
        self.images = images
    }
}

extension TicketStore {
    /// Inside a write transaction: the row images of what it changed, under the next number.
    func recordReplication() throws {
        guard let replication, let seq = try replication.record(db) else { return }
        replicationSeq = seq
    }

    /// The oldest batches still in the outbox (not yet published), in order, at most `limit`.
    public func unpublishedReplication(limit: Int) throws -> [ReplicationBatch] {
        try db.cachedStatement("SELECT seq, images FROM replication_outbox ORDER BY seq LIMIT ?")
            .query([.integer(Int64(max(0, limit)))]) { ReplicationBatch(seq: $0.int64(at: 0), images: $0.blob(at: 1)) }
    }

    /// Forgets the batches up to `seq`, once the broker holds them.
    public func pruneReplication(through seq: Int64) throws {
        try db.cachedStatement("DELETE FROM replication_outbox WHERE seq <= ?").execute([.integer(seq)])
    }

    /// The number of the newest batch ever written (0: none), from the file.
    public var lastReplicationSeq: Int64 {
        get throws { try db.cachedStatement("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0 }
    }
}
