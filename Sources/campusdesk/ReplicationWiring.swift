import NATSBroker
import TicketStore
import TicketService
import WebGateway

/// The ticket worker's replication batches onto the `CAMPUSDESK-CHANGES` stream (docs/nats.md).
struct NATSReplicationPublisher: ReplicationPublishing {
    let stream: NATSChangeStream

    func publish(_ batches: [ReplicationBatch]) throws {
        for batch in batches { try stream.publish(seq: batch.seq, bytes: batch.images) }
    }
}

/// A gateway replica's batches from the `CAMPUSDESK-CHANGES` stream.
struct NATSReplicationSource: ReplicationSource {
    let stream: NATSChangeStream

    func batch(_ seq: Int64) throws -> ReplicationBatch? {
        try stream.batch(seq).map { ReplicationBatch(seq: seq, images: $0) }
    }

    func waitForNews(timeout: Duration) throws -> Int64? {
        try stream.waitForNews(timeout: timeout)
    }
}
