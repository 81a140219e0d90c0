import Credentials
import TicketStore
import Uploads
#if canImport(Glibc)
import Glibc
#endif

/// The check of one received file, in bounded memory whatever its size: read 64 KiB at a time,
/// sniffed from its head (text to its last byte), stripped of metadata chunk by chunk into a new
/// file under `incoming/`, and hashed as it is written.
///
/// Memory per file being checked: the read chunk, the stripper's state (at most a JPEG segment,
/// under 64 KiB, or a HEIC's front of up to 1 MiB for its `meta` box) and the output of one
/// chunk; never the file. The pure parts (sniffer, strippers, SHA-256) are state machines fed
/// chunks; the reads and writes are here.
extension AttachmentIntake {
    /// Bytes read at a time.
    static let chunkBytes = 64 * 1024

    /// A file checked and rewritten, not yet stored: the rewritten file under `incoming/` (the
    /// caller stores or removes it), its size, type and hash.
    struct Checked: Sendable {
        var path: String
        var size: Int64
        var type: AttachmentType
        var sha256: String
    }

    /// Reads, sniffs and strips `file` into a new incoming file. Nothing is left behind on a refusal.
    static func check(_ file: ReceivedUpload.File, maxFileBytes: Int, files: AttachmentFiles) throws -> Checked {
        let name = file.filename
        let input = open(file.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw storageRefused(.posix("open", path: file.path)) }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0 else { throw storageRefused(.posix("fstat", path: file.path)) }
        let fileSize = Int(st.st_size)
        guard fileSize <= maxFileBytes else {
            throw Refused(status: .contentTooLarge, message: "\(name) is larger than \(megabytes(Int64(maxFileBytes))).")
        }
        var reader = ChunkReader(fd: input, path: file.path)
        let first = try reader.next()
        var sniffer = ContentSniffer.Stream()
        sniffer.feed(first)
        let binary: AttachmentType?
        do { binary = try sniffer.binaryType(atEnd: reader.atEnd) } catch { throw refusedType(name, error) }

        let output: (fd: Int32, path: String)
        do { output = try files.makeIncomingFile() } catch { throw storageRefused(error) }
        var writer = ChunkWriter(fd: output.fd, path: output.path)
        do {
            let type = try rewrite(first, type: binary, fileSize: fileSize, reader: &reader, sniffer: &sniffer, writer: &writer, name: name)
            let closed = close(output.fd)
            writer.closed = true
            guard closed == 0 else { throw storageRefused(.posix("close", path: output.path)) }
            let sha256 = writer.rewritten ? try rehash(output.path) : hexString(writer.hasher.finalize())
            return Checked(path: output.path, size: Int64(writer.written), type: type, sha256: sha256)
        } catch {
            if !writer.closed { close(output.fd) }
            unlink(output.path)
            throw error
        }
    }

    /// Writes the stored form of the file to `writer`: stripped for the image types, as sent for
    /// PDF and text (text is decided here, at the end, when its last byte has been validated).
    static func rewrite(_ first: [UInt8], type: AttachmentType?, fileSize: Int, reader: inout ChunkReader,
                        sniffer: inout ContentSniffer.Stream, writer: inout ChunkWriter, name: String) throws -> AttachmentType {
        func unprocessable(_ message: String) -> Refused {
            Refused(status: .unprocessableContent, message: "\(name) was not accepted: \(message).")
        }
        switch type {
        case .jpeg:
            var stripper = JPEGMetadataStripper.Stream()
            try pump(first, &reader, &writer) { chunk, out in
                do throws(JPEGError) { try stripper.feed(chunk, into: &out) } catch { throw unprocessable(error.message) }
            }
            do { _ = try stripper.finish() } catch { throw unprocessable(error.message) }
        case .png:
            var stripper = PNGMetadataStripper.Stream()
            try pump(first, &reader, &writer) { chunk, out in
                do throws(PNGMetadataStripper.Failure) { try stripper.feed(chunk, into: &out) } catch { throw unprocessable(error.message) }
            }
            do { _ = try stripper.finish() } catch { throw unprocessable(error.message) }
        case .webp:
            var stripper = WebPMetadataStripper.Stream()
            try pump(first, &reader, &writer) { chunk, out in
                do throws(WebPMetadataStripper.Failure) { try stripper.feed(chunk, into: &out) } catch { throw unprocessable(error.message) }
            }
            let header: [UInt8]
            do { header = try stripper.finish().header } catch { throw unprocessable(error.message) }
            try writer.overwrite(header, at: 0)
        case .gif:
            var stripper = GIFMetadataStripper.Stream()
            try pump(first, &reader, &writer) { chunk, out in
                do throws(GIFMetadataStripper.Failure) { try stripper.feed(chunk, into: &out) } catch { throw unprocessable(error.message) }
            }
            do { _ = try stripper.finish() } catch { throw unprocessable(error.message) }
        case .heic:
            var zeroing = HEICMetadataStripper.Zeroing(try heicPlan(first, fileSize: fileSize, reader: reader, name: name).zeroed)
            try pump(first, &reader, &writer) { chunk, out in
                let from = out.count
                out += chunk
                zeroing.apply(&out[from...])
            }
        case .pdf:
            try pump(first, &reader, &writer) { chunk, out in out += chunk }
        case .text, nil:
            // Text, or refused: copied while every byte after the first chunk is validated; the
            // first byte that cannot be text ends it (the refusal is then decided by the head).
            var fed = false
            try pump(first, &reader, &writer) { chunk, out in
                if fed { sniffer.feed(chunk) }
                fed = true
                guard sniffer.mayBeText else {
                    do throws(RefusedContent) { _ = try sniffer.finish() } catch { throw refusedType(name, error) }
                    return
                }
                out += chunk
            }
            do { return try sniffer.finish() } catch { throw refusedType(name, error) }
        }
        return type ?? .text
    }

    /// The ranges of a HEIC to zero: planned from the first chunk, or from the first MiB when its
    /// `meta` box does not end within the first chunk.
    static func heicPlan(_ first: [UInt8], fileSize: Int, reader: ChunkReader, name: String) throws -> HEICMetadataStripper.Plan {
        func unprocessable(_ error: HEICMetadataStripper.Failure) -> Refused {
            Refused(status: .unprocessableContent, message: "\(name) was not accepted: \(error.message).")
        }
        do {
            return try HEICMetadataStripper.plan(front: first, fileSize: fileSize)
        } catch .unsupported(_) where first.count < min(fileSize, HEICMetadataStripper.maxFrontBytes) {
            let front = try reader.front(min(fileSize, HEICMetadataStripper.maxFrontBytes))
            do { return try HEICMetadataStripper.plan(front: front, fileSize: fileSize) } catch { throw unprocessable(error) }
        } catch {
            throw unprocessable(error)
        }
    }

    /// Passes `first` and every later chunk of `reader` through `step`, writing (and hashing)
    /// what it appends to its output after each chunk.
    static func pump(_ first: [UInt8], _ reader: inout ChunkReader, _ writer: inout ChunkWriter,
                     _ step: (ArraySlice<UInt8>, inout [UInt8]) throws -> Void) throws {
        var out: [UInt8] = []
        out.reserveCapacity(2 * chunkBytes)
        var chunk = first
        while true {
            try step(chunk[...], &out)
            try writer.write(out)
            out.removeAll(keepingCapacity: true)
            if reader.atEnd { return }
            chunk = try reader.next()
        }
    }

    /// The hash of a file written in place (a WebP whose header was written last), read back in chunks.
    static func rehash(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw storageRefused(.posix("open", path: path)) }
        defer { close(fd) }
        var reader = ChunkReader(fd: fd, path: path)
        var hasher = SHA256.Hasher()
        while !reader.atEnd { hasher.update(try reader.next()) }
        return hexString(hasher.finalize())
    }

    static func refusedType(_ name: String, _ error: RefusedContent) -> Refused {
        Refused(status: .unsupportedMediaType, message: "\(name) was not accepted: \(error.message).")
    }

    /// Reads a file in chunks of ``chunkBytes``, into one buffer it reuses.
    struct ChunkReader {
        let fd: Int32
        let path: String
        var buffer = [UInt8](repeating: 0, count: AttachmentIntake.chunkBytes)
        /// True once a read came back short: the file has ended.
        var atEnd = false

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        /// The next chunk: full, unless the file ends within it.
        mutating func next() throws -> [UInt8] {
            let n: Int
            do { n = try AttachmentFiles.read(fd, into: &buffer, path: path) } catch { throw AttachmentIntake.storageRefused(error) }
            if n < buffer.count { atEnd = true }
            return Array(buffer[0..<n])
        }

        /// The first `count` bytes of the file, read without moving the position of ``next()``.
        func front(_ count: Int) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(filled)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    if n < 0 { throw AttachmentIntake.storageRefused(.posix("pread", path: path)) }
                    break
                }
                filled += n
            }
            return Array(bytes[0..<filled])
        }
    }

    /// Writes the rewritten file and hashes what it writes.
    struct ChunkWriter {
        let fd: Int32
        let path: String
        var hasher = SHA256.Hasher()
        var written = 0
        /// True once bytes were written over earlier ones: the running hash no longer holds.
        var rewritten = false
        var closed = false

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        mutating func write(_ bytes: [UInt8]) throws {
            guard !bytes.isEmpty else { return }
            do { try AttachmentFiles.writeAll(fd, bytes, path: path) } catch { throw AttachmentIntake.storageRefused(error) }
            hasher.update(bytes)
            written += bytes.count
        }

        mutating func overwrite(_ bytes: [UInt8], at offset: Int) throws {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(offset)) }
            guard n == bytes.count else { throw AttachmentIntake.storageRefused(.posix("pwrite", path: path)) }
            rewritten = true
        }
    }
}
