/// Gateways on other machines (`CAMPUSDESK_GATEWAY_FILES=own`, NATS only): what such a gateway
/// would otherwise read from the ticket worker's disk, over core-NATS request/reply.
///
/// - Attachments' bytes: ``AttachmentHomeServer`` (in the ticket worker's process, on a connection
///   and threads of its own) holds the home copy under the worker's data directory and answers
///   chunked puts, commits and gets; ``RemoteAttachmentHome`` is the gateway's side.
/// - The web inbox: ``InboxQueryServer`` (in the notifier's process) answers pages, unread counts
///   and preferences from `notifications.db`; ``RemoteInboxReader`` is the gateway's side.
///
/// Why core NATS and not the queues: a chunk is raw bytes up to the server's max_payload (no
/// base64, no stream write per chunk), and a fetch never waits behind a batch of commands.
public enum RemoteFiles {
    /// The subjects, one per kind of request (docs/nats.md, "Gateways on other machines").
    public enum Subject {
        public static let put = "campusdesk.files.put"
        public static let commit = "campusdesk.files.commit"
        public static let get = "campusdesk.files.get"
        public static let inbox = "campusdesk.inbox.query"
    }

    /// Raw bytes per chunk for a server's `max_payload`: room for headers, in 64 KiB steps, at
    /// most 960 KiB (so 983,040 bytes with NATS's default 1 MiB).
    public static func chunkBytes(maxPayload: Int) -> Int {
        let room = max(64 * 1024, maxPayload - 16 * 1024)
        return min(960 * 1024, room / (64 * 1024) * (64 * 1024))
    }
}
