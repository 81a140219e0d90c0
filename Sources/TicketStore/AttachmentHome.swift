#if canImport(Glibc)
import Glibc
#endif

/// Where the home copy of the attachment files lives, as a gateway sees it.
///
/// On one machine (the default, `CAMPUSDESK_GATEWAY_FILES=shared`) the gateway's data directory is
/// the home: ``LocalAttachmentHome`` does nothing. A gateway on another machine (`own`, NATS only)
/// keeps a cache of its own with the same layout and a remote home (RemoteFiles'
/// `RemoteAttachmentHome`) that holds every file on the ticket worker's machine, where backups and
/// the sweep run.
public protocol AttachmentHome: Sendable {
    /// Makes sure the home holds the stored file of `sha256` from `files` (the gateway's store);
    /// returns once it is durable there, before the command that records it is sent.
    func deliver(sha256: String, from files: AttachmentFiles) async throws
    /// Makes sure `files` holds the file of `sha256`, fetching it from the home (hash checked).
    ///
    /// - Throws: `AttachmentStorageError` with ENOENT when the home has no such file.
    func fetch(sha256: String, into files: AttachmentFiles) async throws
}

/// The gateway's own data directory is the home: nothing to deliver, nothing to fetch.
public struct LocalAttachmentHome: AttachmentHome {
    public init() {}

    public func deliver(sha256: String, from files: AttachmentFiles) async throws {}

    public func fetch(sha256: String, into files: AttachmentFiles) async throws {
        throw AttachmentStorageError(operation: "fetch", path: sha256, errno: ENOENT)  // nowhere else to look
    }
}
