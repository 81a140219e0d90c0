import TicketStore

/// Where the ticket worker sends `tickets.db`'s replication batches (docs/nats.md, "Gateways on
/// other machines"): on NATS, the `CAMPUSDESK-CHANGES` stream.
///
/// `publish` returns only once the broker holds every batch given (it may then be pruned from the
/// outbox); publishing a batch again must be harmless (de-duplicated by its sequence number).
public protocol ReplicationPublishing: Sendable {
    func publish(_ batches: [ReplicationBatch]) throws
}
