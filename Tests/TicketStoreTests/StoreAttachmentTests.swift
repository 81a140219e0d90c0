import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// `add_attachment` (migration 14) and the content-addressed files with their orphan sweep.
@Suite struct StoreAttachmentTests {
    static let hash = String(repeating: "ab", count: 32)

    static func add(_ ticket: TicketID, id: String = UUID().uuidString.lowercased(), sha256: String = hash, size: Int64 = 10,
                    type: String = "image/png", name: String = "photo.png", message: MessageID? = nil) -> CommandAction {
        .addAttachment(AddAttachment(attachmentID: AttachmentID(id), ticketID: ticket, messageID: message, sha256: sha256, size: size,
                                     contentType: type, filename: name))
    }

    @Test("who may attach is who may post a message: own customer, agent, assigned engineer; a closed ticket only staff")
    func attach_FollowsMessageRule() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer), bob = try await f.account("Bob", .customer)
        let agent = try await f.account("Agnes", .agent), eli = try await f.account("Eli", .engineer)
        let t = try await f.ticket(by: ana.actor)
        #expect(try await f.run(ana.actor, Self.add(t.id)).refusal == nil)
        #expect(try await f.run(bob.actor, Self.add(t.id)).refusal?.code == .forbidden)
        #expect(try await f.run(eli.actor, Self.add(t.id)).refusal?.code == .forbidden)
        #expect(try await f.run(agent.actor, Self.add(t.id)).refusal == nil)
        _ = try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .active)))
        _ = try await f.run(agent.actor, .changeStatus(ChangeStatus(ticketID: t.id, status: .closed)))
        #expect(try await f.run(ana.actor, Self.add(t.id)).refusal?.code == .readOnly)
        #expect(try await f.run(agent.actor, Self.add(t.id)).refusal == nil)
        let rows = try await TicketReader(path: f.path).attachments(of: t.id)
        #expect(rows.map(\.uploadedByRole) == [.customer, .agent, .agent])
        #expect(rows.first?.uploadedByID == ana.id && rows.first?.uploadedByName == "Ana")
        #expect(try await TicketReader(path: f.path).attachmentBytes(of: t.id) == (ticket: 30, total: 30))
    }

    @Test("on the campus desk a customer attaches to a ticket; the row names the visitor's name")
    func attach_CampusDesk() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        let command = Command(role: .customer, action: Self.add(t.id, id: "0123456789abcdef", message: nil), channel: .web, actorName: "Kim")
        #expect(try await f.store.apply([command])[0].refusal == nil)
        // The same command again (redelivered): one row.
        #expect(try await f.store.apply([command])[0].refusal == nil)
        let row = try #require(try await TicketReader(path: f.path).attachment(AttachmentID("0123456789abcdef")))
        #expect(row.ticketID == t.id && row.uploadedByName == "Kim" && row.contentType == "image/png" && row.filename == "photo.png")
        #expect(try f.scalar("SELECT count(*) FROM attachments") == 1)
    }

    @Test("bad facts are refused and leave no row", arguments: [
        ("bad hash", Self.add(TicketID(1), sha256: "../../etc/passwd")),
        ("empty", Self.add(TicketID(1), size: 0)),
        ("svg", Self.add(TicketID(1), type: "image/svg+xml")),
        ("path in name", Self.add(TicketID(1), name: "../x.png")),
        ("bad id", Self.add(TicketID(1), id: "X/Y")),
        ("no ticket", Self.add(TicketID(99))),
        ("message of another ticket", Self.add(TicketID(1), message: MessageID(42))),
    ])
    func attach_RefusesBadFacts(_ label: String, _ action: CommandAction) async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await f.create()
        let before = try f.snapshot()
        let reply = try await f.run(.agent, action)
        #expect(reply.refusal != nil, "\(label)")
        #expect(try f.snapshot() == before)
        #expect(try f.scalar("SELECT count(*) FROM attachments") == 0)
    }

    @Test("an attachment id used twice (another command) is a conflict")
    func attach_DuplicateID() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let t = try await f.create()
        #expect(try await f.run(.agent, Self.add(t.id, id: "aaaaaaaa-1")).refusal == nil)
        #expect(try await f.run(.agent, Self.add(t.id, id: "aaaaaaaa-1")).refusal?.code == .conflict)
    }
}

/// The files: stored durably under their hash, read back, deduplicated, and swept when orphaned.
@Suite struct AttachmentFilesTests {
    static let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)

    @Test("store writes <root>/ab/<hash>, leaves nothing in incoming, and reads back the bytes")
    func store_WritesAndReads() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let files = AttachmentFiles(dataDirectory: dir.path)
        try files.store([1, 2, 3], sha256: Self.a)
        #expect(FileManager.default.fileExists(atPath: dir.path("attachments/aa/\(Self.a)")))
        #expect(try files.read(sha256: Self.a) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.incomingDirectory).isEmpty)
        // The same content again is the same file.
        try files.store([1, 2, 3], sha256: Self.a)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("attachments/aa")) == [Self.a])
        #expect(files.path(sha256: "../../tickets.db") == nil)
        #expect(throws: AttachmentStorageError.self) { try files.read(sha256: Self.b) }
    }

    @Test("the sweep removes unreferenced files and stale incoming bodies older than the grace, and keeps the rest")
    func sweep_RemovesOldOrphansOnly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let files = AttachmentFiles(dataDirectory: dir.path)
        try files.store([1], sha256: Self.a)
        try files.store([2], sha256: Self.b)
        let (fd, incoming) = try files.makeIncomingFile()
        close(fd)
        let now = Timestamp(Date())
        // Within the grace period nothing goes, referenced or not.
        var result = try files.sweep(referenced: [Self.a], now: now, grace: .seconds(3600))
        #expect(result.orphans.isEmpty && result.incoming.isEmpty && result.kept == 1)
        // An hour and a minute later: the orphan and the stale body go, the referenced file stays.
        result = try files.sweep(referenced: [Self.a], now: now.adding(milliseconds: 3_660_000), grace: .seconds(3600))
        #expect(result.orphans == [Self.b])
        #expect(result.incoming == [URL(fileURLWithPath: incoming).lastPathComponent])
        #expect(try files.read(sha256: Self.a) == [1])
        #expect(!FileManager.default.fileExists(atPath: dir.path("attachments/bb/\(Self.b)")))
        #expect(!FileManager.default.fileExists(atPath: incoming))
    }
}
