import Dispatch
import Foundation
import Credentials
import NATSBroker
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// A gateway's attachment home on another machine (`CAMPUSDESK_GATEWAY_FILES=own`): uploads go to
/// the ticket worker's ``AttachmentHomeServer`` in chunks before their command is sent, and files
/// this gateway does not hold are fetched from it, hash-checked and kept in the gateway's data
/// directory (a cache, in the same layout).
///
/// One chunk in flight per transfer and one chunk in memory: a 10 MB file costs a chunk's buffer
/// (under 1 MiB), not 10 MB. A request without a reply in time is sent again (up to `attempts`
/// times): every request is idempotent at the home. The blocking NATS calls run on Dispatch, off
/// the cooperative pool.
public struct RemoteAttachmentHome: AttachmentHome {
    /// The connection of this gateway's transfers (its own, not the broker's).
    public let connection: NATSConnection
    /// Raw bytes per chunk (``RemoteFiles/chunkBytes(maxPayload:)`` unless a test picks less).
    public let chunkBytes: Int
    /// The largest file fetched (a home that announces more is refused).
    public let maxFileBytes: Int64
    public let timeout: Duration
    public let attempts: Int

    public init(connection: NATSConnection, maxFileBytes: Int64, chunkBytes: Int? = nil, timeout: Duration = .seconds(10), attempts: Int = 3) {
        self.connection = connection
        self.maxFileBytes = maxFileBytes
        self.chunkBytes = max(1, min(chunkBytes ?? .max, RemoteFiles.chunkBytes(maxPayload: connection.maxPayload)))
        self.timeout = timeout
        self.attempts = max(1, attempts)
    }

    /// Connects to `url` (`nats://host:port[,...]`) as `name`.
    public init(url: String, name: String, maxFileBytes: Int64) throws {
        let options = try NATSBrokerConfiguration(url: url, name: name).connection
        self.init(connection: try NATSConnection(options: options), maxFileBytes: maxFileBytes)
    }

    public func deliver(sha256: String, from files: AttachmentFiles) async throws {
        try await Self.offPool { try deliverBlocking(sha256: sha256, from: files) }
    }

    public func fetch(sha256: String, into files: AttachmentFiles) async throws {
        try await Self.offPool { try fetchBlocking(sha256: sha256, into: files) }
    }

    /// Sends the stored file of `sha256` chunk by chunk under a fresh upload id, then commits it;
    /// returns once the home stored it durably (or held it already).
    /// - Parameter sent: called with the bytes acknowledged so far after each chunk (progress).
    public func deliverBlocking(sha256: String, from files: AttachmentFiles, sent: (Int64) -> Void = { _ in }) throws {
        guard let path = files.path(sha256: sha256) else { throw RemoteFilesError(.refused, "deliver", "not a SHA-256") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AttachmentStorageError.posix("open", path: path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AttachmentStorageError.posix("fstat", path: path) }
        let size = Int64(st.st_size)
        let upload = UUID().uuidString.lowercased()
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        var offset: Int64 = 0
        repeat {
            let n = try AttachmentFiles.read(fd, into: &buffer, path: path)
            let headers = TransferHeaders.put(upload: upload, sha256: sha256, size: size, offset: offset)
            switch try ask(RemoteFiles.Subject.put, headers, Array(buffer[..<n])).outcome {
            case .ok:
                offset += Int64(n)
                sent(offset)
            case .have: return
            case .missing: throw RemoteFilesError(.refused, "put", "missing")
            case .refused(let why): throw RemoteFilesError(.refused, "put", why)
            }
            if n < buffer.count { break }
        } while offset < size
        switch try ask(RemoteFiles.Subject.commit, TransferHeaders.commit(upload: upload, sha256: sha256, size: size), []).outcome {
        case .ok, .have: return
        case .missing: throw RemoteFilesError(.refused, "commit", "the home is missing chunks")
        case .refused(let why): throw RemoteFilesError(.refused, "commit", why)
        }
    }

    /// Fetches the file of `sha256` chunk by chunk into an incoming file of `files`, checks its
    /// size and hash, and stores it (fsync, rename); nothing is left under the hash's name otherwise.
    public func fetchBlocking(sha256: String, into files: AttachmentFiles) throws {
        guard AttachmentFiles.isHash(sha256) else { throw RemoteFilesError(.refused, "fetch", "not a SHA-256") }
        let (fd, path) = try files.makeIncomingFile()
        var stored = false
        defer {
            if fd >= 0 { close(fd) }
            if !stored { unlink(path) }
        }
        var hasher = SHA256.Hasher()
        var offset: Int64 = 0
        var size: Int64 = -1
        repeat {
            let reply = try ask(RemoteFiles.Subject.get, TransferHeaders.get(sha256: sha256, offset: offset, length: chunkBytes), [])
            switch reply.outcome {
            case .ok: break
            case .missing: throw AttachmentStorageError(operation: "fetch", path: sha256, errno: ENOENT)
            case .have, .refused: throw RemoteFilesError(.refused, "get", "\(reply.outcome)")
            }
            guard let total = reply.size, total >= 0, total <= maxFileBytes, size < 0 || total == size else {
                throw RemoteFilesError(.refused, "get", "a file of \(reply.size.map(String.init) ?? "no") bytes")
            }
            size = total
            guard !reply.payload.isEmpty || offset == size, offset + Int64(reply.payload.count) <= size else {
                throw RemoteFilesError(.refused, "get", "a chunk of \(reply.payload.count) bytes at \(offset) of \(size)")
            }
            try AttachmentFiles.writeAll(fd, reply.payload, path: path)
            hasher.update(reply.payload)
            offset += Int64(reply.payload.count)
        } while offset < size
        let digest = hexString(hasher.finalize())
        guard digest == sha256 else { throw RemoteFilesError(.hashMismatch, "fetch", "got \(digest.prefix(12))… for \(sha256.prefix(12))…") }
        try files.store(incoming: path, sha256: sha256)
        stored = true
    }

    /// One request, sent again when no reply comes in time.
    func ask(_ subject: String, _ headers: NATSHeaders, _ payload: [UInt8]) throws -> (outcome: TransferOutcome, size: Int64?, payload: [UInt8]) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let reply = try connection.request(subject, headers: headers, payload: payload, timeout: timeout)
                let h = NATSHeaders(block: reply.headerBlock ?? [])
                return (TransferHeaders.outcome(of: h), h[TransferHeaders.size].flatMap { Int64($0) }, reply.payload)
            } catch where error.kind == .timedOut && attempt < attempts {
                continue
            } catch {
                throw RemoteFilesError(.unavailable, subject, error.description)
            }
        }
    }

    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
