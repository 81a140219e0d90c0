import Credentials
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// The home's side of a chunked transfer, on the files alone (``AttachmentHomeServer`` puts it on
/// NATS): chunks of an upload written at their offsets, a commit that checks size and hash before
/// the file is stored, and chunks of stored files read back.
///
/// Idempotent by construction: a chunk is written at its offset (a retried chunk writes the same
/// bytes over themselves), a commit of a file already stored is `ok`, and nothing under a hash's
/// name exists until the whole upload hashed right (``AttachmentFiles/store(incoming:sha256:)``:
/// fsync, rename, directory fsync). A half-sent upload is only an incoming file, which names no
/// hash and is removed by the sweep after its grace period.
public struct AttachmentAssembly: Sendable {
    public let files: AttachmentFiles
    /// The largest file accepted (CAMPUSDESK_ATTACHMENT_MAX_FILE_BYTES).
    public let maxFileBytes: Int64

    public init(files: AttachmentFiles, maxFileBytes: Int64) {
        self.files = files
        self.maxFileBytes = maxFileBytes
    }

    /// True for an upload id this side builds a path from: 1 to 64 of `a-z`, `0-9`, `-`.
    public static func isUploadID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
    }

    /// Where the chunks of `upload` gather.
    func incomingPath(upload: String) -> String { "\(files.incomingDirectory)/\(upload).upload" }

    /// Writes one chunk of `upload` (a file of `size` bytes hashing to `sha256`) at `offset`.
    ///
    /// `.have` when the file is stored already (send no more); `.refused` for a bad id, hash,
    /// size or range, or a file over the limit.
    public func receive(_ chunk: [UInt8], upload: String, sha256: String, size: Int64, offset: Int64) -> TransferOutcome {
        if let refusal = check(upload: upload, sha256: sha256, size: size) { return refusal }
        // Compared without adding: an offset near Int64.max from a hostile header must not trap the worker.
        guard offset >= 0, offset <= size, Int64(chunk.count) <= size - offset, !chunk.isEmpty || size == 0 else {
            return .refused("chunk of \(chunk.count) bytes at \(offset) is outside a file of \(size)")
        }
        if let final = files.path(sha256: sha256), access(final, F_OK) == 0 { return .have }
        do throws(AttachmentStorageError) {
            try files.prepare()
            let path = incomingPath(upload: upload)
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw .posix("open", path: path) }
            defer { close(fd) }
            var written = 0
            while written < chunk.count {
                let n = chunk.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, $0.count - written, off_t(offset) + off_t(written)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .posix("pwrite", path: path)
                }
                written += n
            }
            return .ok
        } catch {
            return .refused(error.isDiskFull ? "no space left" : "not written: \(error.operation)")
        }
    }

    /// Checks the gathered chunks of `upload` (every byte there, hashing to `sha256`) and stores
    /// them as the file of `sha256`, durably. `.ok` also when the file is stored already.
    ///
    /// A short file is `.missing` and stays (its chunks may still come); a file of the right size
    /// that hashes wrong (a bad or lost chunk) is removed and `.refused`: the upload starts again.
    public func commit(upload: String, sha256: String, size: Int64) -> TransferOutcome {
        if let refusal = check(upload: upload, sha256: sha256, size: size) { return refusal }
        let path = incomingPath(upload: upload)
        if let final = files.path(sha256: sha256), access(final, F_OK) == 0 {
            unlink(path)
            // The gateway sends the command next: a sweep running now must not take it for an old orphan.
            _ = utimensat(AT_FDCWD, final, nil, 0)
            return .ok
        }
        if size == 0 && access(path, F_OK) != 0 {
            // An empty file has no chunk to create it.
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
            if fd >= 0 { close(fd) }
        }
        switch Self.hash(path, expectedSize: size) {
        case .failure(let error): return error.isMissing ? .missing : .refused("not read: \(error.operation)")
        case .success(nil): return .missing
        case .success(let digest?):
            guard digest == sha256 else {
                unlink(path)
                return .refused("the chunks hash to \(digest.prefix(12))…, not \(sha256.prefix(12))…: send the file again")
            }
        }
        do throws(AttachmentStorageError) {
            try files.store(incoming: path, sha256: sha256)
            return .ok
        } catch {
            return .refused(error.isDiskFull ? "no space left" : "not stored: \(error.operation)")
        }
    }

    /// Up to `length` bytes of the stored file of `sha256` from `offset`, and its size.
    public func read(sha256: String, offset: Int64, length: Int) -> (TransferOutcome, bytes: [UInt8], size: Int64) {
        guard let path = files.path(sha256: sha256) else { return (.refused("not a SHA-256"), [], 0) }
        guard offset >= 0, length > 0 else { return (.refused("bad range"), [], 0) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (errno == ENOENT ? .missing : .refused("not opened"), [], 0) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return (.refused("not read"), [], 0) }
        let size = Int64(st.st_size)
        let count = Int(max(0, min(Int64(length), size - offset)))
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return (.refused("not read"), [], 0) }
            filled += n
        }
        return (.ok, bytes, size)
    }

    private func check(upload: String, sha256: String, size: Int64) -> TransferOutcome? {
        guard Self.isUploadID(upload) else { return .refused("not an upload id") }
        guard AttachmentFiles.isHash(sha256) else { return .refused("not a SHA-256") }
        guard size >= 0, size <= maxFileBytes else { return .refused("a file of \(size) bytes is over the limit of \(maxFileBytes)") }
        return nil
    }

    /// The SHA-256 (hex) of the file at `path`, read in 256 KiB chunks; nil when it does not hold
    /// exactly `expectedSize` bytes.
    static func hash(_ path: String, expectedSize: Int64) -> Result<String?, AttachmentStorageError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.posix("open", path: path)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.posix("fstat", path: path)) }
        guard Int64(st.st_size) == expectedSize else { return .success(nil) }
        var hasher = SHA256.Hasher()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n: Int
            do { n = try AttachmentFiles.read(fd, into: &buffer, path: path) } catch { return .failure(error) }
            if n == 0 { break }
            hasher.update(buffer[..<n])
            if n < buffer.count { break }
        }
        return .success(hexString(hasher.finalize()))
    }
}
