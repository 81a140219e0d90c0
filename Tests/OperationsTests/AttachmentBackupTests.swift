import Foundation
import Testing
import Fixtures
import TestSupport
import Credentials
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore
@testable import Operations
#if canImport(Glibc)
import Glibc
#endif

/// Attachments in `campusdesk backup` (`AttachmentBackup`): real files stored as an upload stores
/// them and real `add_attachment` rows; backup, a lost data directory, restore, every file read back.
@Suite(.onDedicatedThreads) struct AttachmentBackupTests {
    /// Stores `bytes` as an upload does (file first, then the row) and returns the hash.
    static func upload(_ bytes: [UInt8], to ticket: TicketID, name: String, in f: StoreFixture) async throws -> String {
        let hash = hexString(SHA256.hash(bytes))
        try AttachmentFiles(dataDirectory: f.dir.path).store(bytes, sha256: hash)
        let reply = try await f.run(.customer, .addAttachment(AddAttachment(
            attachmentID: AttachmentID(UUID().uuidString.lowercased()), ticketID: ticket, messageID: nil, sha256: hash,
            size: Int64(bytes.count), contentType: "image/jpeg", filename: name)))
        #expect(reply.refusal == nil)
        return hash
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return [0xFF, 0xD8, 0xFF] + (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    @Test("backup copies exactly the referenced files; after the data directory is lost, restore brings every attachment back byte for byte")
    func backupWipeRestore_EveryAttachmentReadable() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let out = try TemporaryDirectory()
        defer { out.remove() }
        let a = try await f.create("Broken window in hall B"), b = try await f.create("Leaking tap in room 12")
        var expected: [String: [UInt8]] = [:]
        for (i, size) in [5_000_000, 70_000, 1].enumerated() {
            let bytes = Self.bytes(size, seed: UInt64(i))
            expected[try await Self.upload(bytes, to: i == 1 ? b.id : a.id, name: "photo\(i).jpg", in: f)] = bytes
        }
        // The same photo on the second ticket: one file, two rows.
        let shared = try #require(expected.first { $0.value.count == 70_003 })
        _ = try await Self.upload(shared.value, to: a.id, name: "again.jpg", in: f)
        // An orphan (a file no row names) is not part of the backup.
        let orphan = Self.bytes(100, seed: 99)
        let orphanHash = hexString(SHA256.hash(orphan))
        try AttachmentFiles(dataDirectory: f.dir.path).store(orphan, sha256: orphanHash)

        let manifest = try Backup(dataDirectory: f.dir.path).run(into: out.path("b"))
        #expect(manifest.attachments.files == 3)
        #expect(manifest.attachments.bytes == Int64(expected.values.map(\.count).reduce(0, +)))
        let backupFiles = try FileManager.default.subpathsOfDirectory(atPath: AttachmentBackup.directory(in: out.path("b")))
            .filter { !$0.contains("/.") && $0.count > 3 }
        #expect(Set(backupFiles.map { String($0.suffix(64)) }) == Set(expected.keys))
        #expect(try AttachmentBackup.verify(backup: out.path("b")).isIntact)

        // The machine is lost: a new data directory gets the backup's tickets.db and attachments.
        let data = out.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: out.path("b/tickets.db"), toPath: data + "/tickets.db")
        let restored = try AttachmentBackup.restore(from: out.path("b"), into: data)
        #expect(restored.isIntact && restored.restored == 3)
        let reader = try TicketReader(path: data + "/tickets.db")
        let files = AttachmentFiles(dataDirectory: data)
        var rows = 0
        for ticket in [a.id, b.id] {
            for row in try await reader.attachments(of: ticket) {
                #expect(try files.read(sha256: row.sha256) == expected[row.sha256], "\(row.filename)")
                rows += 1
            }
        }
        #expect(rows == 4)
        #expect(files.path(sha256: orphanHash).map { access($0, F_OK) } == -1)
        // A second restore finds everything in place.
        #expect(try AttachmentBackup.restore(from: out.path("b"), into: data).restored == 0)
    }

    @Test("a damaged or missing file in a backup is reported by verify and by restore, and a damaged one is not restored")
    func damagedBackupFile_IsReportedNotRestored() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let out = try TemporaryDirectory()
        defer { out.remove() }
        let t = try await f.create()
        let good = try await Self.upload(Self.bytes(1000, seed: 1), to: t.id, name: "good.jpg", in: f)
        let bad = try await Self.upload(Self.bytes(1000, seed: 2), to: t.id, name: "bad.jpg", in: f)
        let gone = try await Self.upload(Self.bytes(1000, seed: 3), to: t.id, name: "gone.jpg", in: f)
        _ = try Backup(dataDirectory: f.dir.path).run(into: out.path("b"))

        // One flipped byte in one file, another file deleted.
        let badPath = AttachmentBackup.directory(in: out.path("b")) + "/\(bad.prefix(2))/\(bad)"
        var bytes = try AttachmentFiles.readFile(badPath)
        bytes[500] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: badPath))
        #expect(unlink(AttachmentBackup.directory(in: out.path("b")) + "/\(gone.prefix(2))/\(gone)") == 0)

        let verified = try AttachmentBackup.verify(backup: out.path("b"))
        #expect(verified.damaged == ["attachments/\(bad.prefix(2))/\(bad)"])
        #expect(verified.missing == ["attachments/\(gone.prefix(2))/\(gone)"])
        #expect(!verified.isIntact)

        let data = out.path("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let restored = try AttachmentBackup.restore(from: out.path("b"), into: data)
        #expect(restored.damaged == verified.damaged && restored.missing == verified.missing && restored.restored == 1)
        let files = AttachmentFiles(dataDirectory: data)
        #expect(try files.read(sha256: good) == Self.bytes(1000, seed: 1))
        #expect(files.path(sha256: bad).map { access($0, F_OK) } == -1, "a damaged file must not be restored")
    }

    @Test("a file damaged in the data directory fails the backup, naming it; no tickets.db is left in the target")
    func damagedSourceFile_FailsBackup() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let out = try TemporaryDirectory()
        defer { out.remove() }
        let t = try await f.create()
        let hash = try await Self.upload(Self.bytes(1000, seed: 7), to: t.id, name: "x.jpg", in: f)
        let path = try #require(AttachmentFiles(dataDirectory: f.dir.path).path(sha256: hash))
        try Data(Self.bytes(999, seed: 8)).write(to: URL(fileURLWithPath: path))
        #expect(throws: BackupError.self) { try Backup(dataDirectory: f.dir.path).run(into: out.path("b")) }
        #expect(!FileManager.default.fileExists(atPath: out.path("b/tickets.db")))
    }
}
