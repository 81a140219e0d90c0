// MARK: - The SpoolBroker target
//
// The message broker: the `MessageBroker` protocol every service sees, the spool (queues and exchanges
// as Maildir-like directories under spool/, dead letters with their reasons) as its implementation, an
// in-memory one for tests, envelopes, the one request/reply client, and the queue CLI's logic.
