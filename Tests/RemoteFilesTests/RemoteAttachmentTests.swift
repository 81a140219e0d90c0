import Credentials
import Foundation
import Testing
import TestSupport
import TicketStore
import Domain
import NATSBroker
@testable import RemoteFiles
#if canImport(Glibc)
import Glibc
#endif

/// Attachments' bytes between machines over a real `nats-server -js`: a gateway's data directory
/// delivers to the home (the ticket worker's), another gateway's fetches from it, hash-checked;
/// an uploader killed half way leaves nothing under the hash.
@Suite("Attachments over NATS (real nats-server)", .serialized, .onDedicatedThreads,
       .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct RemoteAttachmentTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    static func files(_ dir: TemporaryDirectory, _ name: String) throws -> AttachmentFiles {
        try FileManager.default.createDirectory(atPath: dir.path(name), withIntermediateDirectories: true)
        return AttachmentFiles(dataDirectory: dir.path(name))
    }

    static func connection(_ server: NATSServerProcess) throws -> NATSConnection {
        try NATSConnection(options: NATSConnectionOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: server.port)],
                                                          requestTimeout: TestTime.scaled(.seconds(10))))
    }

    static func exists(_ files: AttachmentFiles, _ sha: String) -> Bool {
        files.path(sha256: sha).map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    static func incoming(_ files: AttachmentFiles) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: files.incomingDirectory)) ?? []
    }

    @Test("a 2.5 MB file delivered from one gateway's directory is fetched by another, the same bytes, in chunks under max_payload")
    func deliverThenFetch() async throws {
        let dir = try TemporaryDirectory("remote-files")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let homeFiles = try Self.files(dir, "worker")
        let home = try AttachmentHomeServer(assembly: AttachmentAssembly(files: homeFiles, maxFileBytes: 10 << 20), connection: Self.connection(server))
        defer { home.close() }
        let first = try Self.files(dir, "gateway-1"), second = try Self.files(dir, "gateway-2")
        let one = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20)
        let two = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20)
        defer { one.connection.close(); two.connection.close() }
        #expect(one.chunkBytes == 983_040, "max_payload 1 MiB less room for headers")

        let photo = Self.bytes(2_500_000, seed: 1)
        let sha = hexString(SHA256.hash(photo))
        try first.store(photo, sha256: sha)
        try await one.deliver(sha256: sha, from: first)
        #expect(try homeFiles.read(sha256: sha) == photo)
        #expect(Self.incoming(homeFiles).isEmpty)
        // Delivered again (a retried form): the home has it, one put answers "have".
        try await one.deliver(sha256: sha, from: first)

        #expect(!Self.exists(second, sha))
        try await two.fetch(sha256: sha, into: second)
        #expect(try second.read(sha256: sha) == photo)
        #expect(Self.incoming(second).isEmpty)

        // A hash the home does not hold: missing, nothing left behind.
        let unknown = String(repeating: "ab", count: 32)
        await #expect { try await two.fetch(sha256: unknown, into: second) } throws: { ($0 as? AttachmentStorageError)?.isMissing == true }
        #expect(!Self.exists(second, unknown) && Self.incoming(second).isEmpty)
    }

    @Test("bytes that do not hash to their name (a damaged home copy) are refused: nothing kept under the hash")
    func fetch_HashChecked() async throws {
        let dir = try TemporaryDirectory("remote-files")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let homeFiles = try Self.files(dir, "worker")
        let home = try AttachmentHomeServer(assembly: AttachmentAssembly(files: homeFiles, maxFileBytes: 10 << 20), connection: Self.connection(server))
        defer { home.close() }
        let gateway = try Self.files(dir, "gateway")
        let remote = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20, chunkBytes: 64 * 1024)
        defer { remote.connection.close() }
        let original = Self.bytes(300_000, seed: 2)
        let sha = hexString(SHA256.hash(original))
        var damaged = original
        damaged[200_000] ^= 1
        try homeFiles.store(damaged, sha256: sha)  // the name of the original over other bytes
        await #expect { try await remote.fetch(sha256: sha, into: gateway) } throws: { ($0 as? RemoteFilesError)?.kind == .hashMismatch }
        #expect(!Self.exists(gateway, sha))
        #expect(Self.incoming(gateway).isEmpty)
    }

    @Test("no home answering: delivery fails (the gateway then sends no command), and says so")
    func deliver_NoHome() async throws {
        let dir = try TemporaryDirectory("remote-files")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let gateway = try Self.files(dir, "gateway")
        let remote = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20)
        defer { remote.connection.close() }
        let bytes = Self.bytes(1000, seed: 3)
        let sha = hexString(SHA256.hash(bytes))
        try gateway.store(bytes, sha256: sha)
        await #expect { try await remote.deliver(sha256: sha, from: gateway) } throws: { ($0 as? RemoteFilesError)?.kind == .unavailable }
    }

    @Test("kill -9 of the uploader after its first chunk: nothing under the hash at the home, no fetch serves a partial file; the sweep takes the chunks")
    func killedUploader_LeavesNothing() async throws {
        let dir = try TemporaryDirectory("remote-files")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("nats"))
        let homeFiles = try Self.files(dir, "worker")
        let home = try AttachmentHomeServer(assembly: AttachmentAssembly(files: homeFiles, maxFileBytes: 10 << 20), connection: Self.connection(server))
        defer { home.close() }
        let uploader = try Self.files(dir, "gateway-1"), reader = try Self.files(dir, "gateway-2")
        let bytes = Self.bytes(3_000_000, seed: 4)
        let sha = hexString(SHA256.hash(bytes))
        try uploader.store(bytes, sha256: sha)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: BuiltProduct.path("campusdesk-test-process"))
        p.arguments = ["remote-upload", "--nats", server.url, "--data", dir.path("gateway-1"), "--sha256", sha, "--chunk", "262144"]
        let pipe = Pipe()
        p.standardOutput = pipe
        let output = ProcessOutput(pipe)
        try p.run()
        try await output.line(containing: "sent 262144")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        #expect(!Self.exists(homeFiles, sha), "nothing under the hash")
        #expect(Self.incoming(homeFiles).count == 1, "the half-sent chunks wait for the sweep")
        let remote = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20)
        defer { remote.connection.close() }
        await #expect { try await remote.fetch(sha256: sha, into: reader) } throws: { ($0 as? AttachmentStorageError)?.isMissing == true }
        #expect(!Self.exists(reader, sha) && Self.incoming(reader).isEmpty)
        // The sweep (after its grace period, here none) removes the chunks of the upload that never finished.
        let swept = try homeFiles.sweep(referenced: [], now: Timestamp(Date().addingTimeInterval(1)), grace: .zero)
        #expect(swept.incoming.count == 1 && Self.incoming(homeFiles).isEmpty)
        // Sent again by a live gateway, the file arrives whole.
        let again = RemoteAttachmentHome(connection: try Self.connection(server), maxFileBytes: 10 << 20)
        defer { again.connection.close() }
        try await again.deliver(sha256: sha, from: uploader)
        #expect(try homeFiles.read(sha256: sha) == bytes)
    }
}
