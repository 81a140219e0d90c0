import Credentials
import Foundation
import Testing
import TestSupport
import TicketStore
@testable import RemoteFiles

/// The home's side of a chunked upload on real files: reassembly, the hash check, and what a bad,
/// missing, retried or oversized chunk does (nothing stored under the hash unless every byte is right).
@Suite("Attachment chunks: reassembly and hash check")
struct AttachmentAssemblyTests {
    static let chunk = 64 * 1024

    /// 200 KiB of varied bytes (four chunks, the last one short) and their hash.
    static func file(seed: UInt64 = 7, size: Int = 200 * 1024) -> (bytes: [UInt8], sha256: String) {
        var random = SplitMix64(seed: seed)
        let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        return (bytes, hexString(SHA256.hash(bytes)))
    }

    static func chunks(_ bytes: [UInt8]) -> [(offset: Int64, bytes: [UInt8])] {
        stride(from: 0, to: bytes.count, by: chunk).map { (Int64($0), Array(bytes[$0..<min($0 + chunk, bytes.count)])) }
    }

    static func home(_ dir: TemporaryDirectory, max: Int64 = 1 << 20) -> AttachmentAssembly {
        try? FileManager.default.createDirectory(atPath: dir.path("home"), withIntermediateDirectories: true)
        return AttachmentAssembly(files: AttachmentFiles(dataDirectory: dir.path("home")), maxFileBytes: max)
    }

    static func incoming(_ a: AttachmentAssembly) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: a.files.incomingDirectory)) ?? []
    }

    @Test("chunks in any order, one of them sent twice, reassemble into the stored file; a commit again is ok")
    func reassembly_RetriedChunkChangesNothing() throws {
        let dir = try TemporaryDirectory("assembly")
        defer { dir.remove() }
        let home = Self.home(dir)
        let (bytes, sha) = Self.file()
        let parts = Self.chunks(bytes)
        for part in parts.reversed() + [parts[1]] {
            #expect(home.receive(part.bytes, upload: "u1", sha256: sha, size: Int64(bytes.count), offset: part.offset) == .ok)
        }
        #expect(home.commit(upload: "u1", sha256: sha, size: Int64(bytes.count)) == .ok)
        #expect(try home.files.read(sha256: sha) == bytes)
        #expect(Self.incoming(home).isEmpty, "the chunks were renamed into place")
        // A retried commit (its reply lost), and a retried chunk after it: nothing changes.
        #expect(home.commit(upload: "u1", sha256: sha, size: Int64(bytes.count)) == .ok)
        #expect(home.receive(parts[0].bytes, upload: "u1", sha256: sha, size: Int64(bytes.count), offset: 0) == .have)
        #expect(Self.incoming(home).isEmpty)
        #expect(try home.files.read(sha256: sha) == bytes)
    }

    @Test("a chunk with a flipped byte: the commit is refused, the chunks removed, nothing under the hash")
    func badChunk_Refused() throws {
        let dir = try TemporaryDirectory("assembly")
        defer { dir.remove() }
        let home = Self.home(dir)
        let (bytes, sha) = Self.file()
        for (i, part) in Self.chunks(bytes).enumerated() {
            var b = part.bytes
            if i == 2 { b[100] ^= 0x40 }
            #expect(home.receive(b, upload: "u2", sha256: sha, size: Int64(bytes.count), offset: part.offset) == .ok)
        }
        guard case .refused = home.commit(upload: "u2", sha256: sha, size: Int64(bytes.count)) else { Issue.record("bad chunk committed"); return }
        #expect(home.files.path(sha256: sha).map { FileManager.default.fileExists(atPath: $0) } == false)
        #expect(Self.incoming(home).isEmpty)
        #expect(home.read(sha256: sha, offset: 0, length: 10).0 == .missing)
    }

    @Test("a missing chunk: the last one missing is .missing (it may still come), a middle one a refused hash; nothing stored")
    func missingChunk_NothingStored() throws {
        let dir = try TemporaryDirectory("assembly")
        defer { dir.remove() }
        let home = Self.home(dir)
        let (bytes, sha) = Self.file()
        let parts = Self.chunks(bytes)
        let size = Int64(bytes.count)
        for part in parts.dropLast() { _ = home.receive(part.bytes, upload: "u3", sha256: sha, size: size, offset: part.offset) }
        #expect(home.commit(upload: "u3", sha256: sha, size: size) == .missing)
        #expect(home.read(sha256: sha, offset: 0, length: 10).0 == .missing)
        // The last chunk comes after all: the upload completes.
        _ = home.receive(parts.last!.bytes, upload: "u3", sha256: sha, size: size, offset: parts.last!.offset)
        #expect(home.commit(upload: "u3", sha256: sha, size: size) == .ok)

        let (other, otherSha) = Self.file(seed: 9)
        for (i, part) in Self.chunks(other).enumerated() where i != 1 {
            _ = home.receive(part.bytes, upload: "u4", sha256: otherSha, size: Int64(other.count), offset: part.offset)
        }
        guard case .refused = home.commit(upload: "u4", sha256: otherSha, size: Int64(other.count)) else { Issue.record("a hole was committed"); return }
        #expect(home.read(sha256: otherSha, offset: 0, length: 10).0 == .missing)
        #expect(home.commit(upload: "never-sent", sha256: otherSha, size: Int64(other.count)) == .missing)
    }

    @Test("oversized files, chunks outside the file and unsafe ids are refused before anything is written")
    func oversized_Refused() throws {
        let dir = try TemporaryDirectory("assembly")
        defer { dir.remove() }
        let home = Self.home(dir, max: 100 * 1024)
        let (bytes, sha) = Self.file()
        func refused(_ o: TransferOutcome) -> Bool { if case .refused = o { true } else { false } }
        #expect(refused(home.receive(Array(bytes[0..<1024]), upload: "u5", sha256: sha, size: Int64(bytes.count), offset: 0)))
        #expect(refused(home.commit(upload: "u5", sha256: sha, size: Int64(bytes.count))))
        #expect(refused(home.receive(Array(bytes[0..<1024]), upload: "u6", sha256: sha, size: 2048, offset: 1025)), "past the end")
        #expect(refused(home.receive([1], upload: "u6", sha256: sha, size: 2048, offset: -1)))
        // A hostile header's offset near Int64.max: refused, not an arithmetic overflow in the worker.
        #expect(refused(home.receive([1, 2], upload: "u6", sha256: sha, size: 2048, offset: .max - 1)), "overflow")
        #expect(refused(home.receive([1], upload: "../etc", sha256: sha, size: 2048, offset: 0)))
        #expect(refused(home.receive([1], upload: "u7", sha256: "../" + sha.dropFirst(3), size: 2048, offset: 0)))
        #expect(Self.incoming(home).isEmpty)
    }

    @Test("a stored file read back in chunks is the same bytes; past its end is empty")
    func read_Chunks() throws {
        let dir = try TemporaryDirectory("assembly")
        defer { dir.remove() }
        let home = Self.home(dir)
        let (bytes, sha) = Self.file()
        try home.files.store(bytes, sha256: sha)
        var out: [UInt8] = []
        while out.count < bytes.count {
            let (outcome, chunk, size) = home.read(sha256: sha, offset: Int64(out.count), length: Self.chunk)
            #expect(outcome == .ok && size == Int64(bytes.count))
            out += chunk
        }
        #expect(out == bytes)
        #expect(home.read(sha256: sha, offset: Int64(bytes.count), length: 10).bytes.isEmpty)
    }

    @Test("the chunk size fits NATS's max_payload with room for headers")
    func chunkBytes() {
        #expect(RemoteFiles.chunkBytes(maxPayload: 1_048_576) == 983_040)
        #expect(RemoteFiles.chunkBytes(maxPayload: 8 * 1_048_576) == 960 * 1024)
        #expect(RemoteFiles.chunkBytes(maxPayload: 64 * 1024) == 64 * 1024)
    }
}
