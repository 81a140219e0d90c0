import Dispatch
import Logging
import NATSBroker
import TicketStore

/// The home of the attachment files on the ticket worker's machine, answering gateways over
/// core-NATS request/reply: puts and commits of uploads, gets of stored files
/// (``AttachmentAssembly`` does the file work).
///
/// Runs in the ticket worker's process on a NATS connection of its own, so its traffic never
/// shares a socket with the worker's commands, and does its file work on two serial queues of its
/// own, off the connection's reader thread: one for uploads (writes, hashes, fsyncs) and one for
/// gets, so a download never waits behind an upload's fsync, nor either behind a command batch.
/// A gateway sends one chunk and waits for its reply, so each queue holds at most a chunk per
/// gateway transfer: memory stays bounded by the gateways' concurrency, not by file sizes.
public final class AttachmentHomeServer: Sendable {
    public let assembly: AttachmentAssembly
    let connection: NATSConnection
    let logger: Logger
    private let uploads = DispatchQueue(label: "attachment-home.uploads")
    private let gets = DispatchQueue(label: "attachment-home.gets")

    /// Subscribes to the transfer subjects on `connection` (which this server then owns and closes).
    public init(assembly: AttachmentAssembly, connection: NATSConnection, logger: Logger = Logger(component: "attachment-home")) throws {
        self.assembly = assembly
        self.connection = connection
        self.logger = logger
        try assembly.files.prepare()  // before any request: a failure here is a failure to start
        _ = try connection.subscribe(RemoteFiles.Subject.put) { [self] m in uploads.async { self.put(m) } }
        _ = try connection.subscribe(RemoteFiles.Subject.commit) { [self] m in uploads.async { self.commit(m) } }
        _ = try connection.subscribe(RemoteFiles.Subject.get) { [self] m in gets.async { self.get(m) } }
        try connection.flush()
    }

    /// Connects to `url` (`nats://host:port[,...]`) as `name` and serves the files of `files`.
    public convenience init(url: String, name: String, files: AttachmentFiles, maxFileBytes: Int64,
                            logger: Logger = Logger(component: "attachment-home")) throws {
        let options = try NATSBrokerConfiguration(url: url, name: name).connection
        try self.init(assembly: AttachmentAssembly(files: files, maxFileBytes: maxFileBytes), connection: NATSConnection(options: options), logger: logger)
    }

    /// Stops answering (closes the connection).
    public func close() { connection.close() }

    private func put(_ m: NATSMessage) {
        let h = NATSHeaders(block: m.headerBlock ?? [])
        let outcome = assembly.receive(m.payload, upload: h[TransferHeaders.upload] ?? "", sha256: h[TransferHeaders.sha256] ?? "",
                                       size: Int64(h[TransferHeaders.size] ?? "") ?? -1, offset: Int64(h[TransferHeaders.offset] ?? "") ?? -1)
        answer(m, outcome)
    }

    private func commit(_ m: NATSMessage) {
        let h = NATSHeaders(block: m.headerBlock ?? [])
        let sha256 = h[TransferHeaders.sha256] ?? ""
        let outcome = assembly.commit(upload: h[TransferHeaders.upload] ?? "", sha256: sha256, size: Int64(h[TransferHeaders.size] ?? "") ?? -1)
        if case .refused(let why) = outcome { logger.warning("upload refused", ["attachment.sha256": sha256, "reason": why]) }
        answer(m, outcome)
    }

    private func get(_ m: NATSMessage) {
        let h = NATSHeaders(block: m.headerBlock ?? [])
        let length = min(Int(h[TransferHeaders.length] ?? "") ?? 0, RemoteFiles.chunkBytes(maxPayload: connection.maxPayload))
        let (outcome, bytes, size) = assembly.read(sha256: h[TransferHeaders.sha256] ?? "", offset: Int64(h[TransferHeaders.offset] ?? "") ?? -1,
                                                   length: length)
        answer(m, outcome, payload: bytes, size: size)
    }

    private func answer(_ m: NATSMessage, _ outcome: TransferOutcome, payload: [UInt8] = [], size: Int64? = nil) {
        guard let replyTo = m.replyTo else { return }
        do {
            try connection.publish(replyTo, headers: TransferHeaders.reply(outcome, size: size), payload: payload)
        } catch {
            // The gateway waits, times out and asks again (every request here is idempotent).
            logger.warning("transfer reply not sent", ["error": error.description])
        }
    }
}
