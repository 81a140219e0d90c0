import Domain
import Foundation
import Testing
import TestSupport
import Uploads
@testable import WebGateway
#if canImport(Glibc)
import Glibc
#endif

/// A full disk under the attachment store (a small tmpfs mounted on `<data>/attachments`): an
/// upload answers 507 and removes what it wrote, files already stored still serve, and once there
/// is room again the same upload is stored.
@Suite("Attachments on a full disk (live, port 0)", .onDedicatedThreads, .enabled(if: Tmpfs.canMount, "needs root to mount a tmpfs"))
struct AttachmentFullDiskTests {
    @Test("a full disk answers 507 and loses nothing stored; with room again the upload is stored")
    func fullDisk_507_NothingLost() async throws {
        let world = try AccountsWorld(authMode: .open)
        let mountPoint = world.directory.appendingPathComponent("attachments").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        #expect(mount("tmpfs", mountPoint, "tmpfs", 0, "size=512k") == 0)
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let ticket = try AttachmentRouteTests.fileTicket(client)
            let first = Array("The first note, stored before the disk filled.\n".utf8)
            let stored = try AttachmentRouteTests.upload(client, ticket: ticket, [AttachmentRouteTests.file("first.txt", first)])
            #expect(stored.status == 201, "\(stored.text)")
            let url = try #require(AttachmentRouteTests.attachments(stored).first?["url"] as? String)

            let filler = mountPoint + "/filler"
            #expect(Tmpfs.fill(filler) > 0)
            let second = Array(repeating: Array("A longer note that does not fit any more.\n".utf8), count: 500).flatMap { $0 }
            let full = try RawHTTPClient.connected(port: port)
            let refused = try AttachmentRouteTests.upload(full, ticket: ticket, [AttachmentRouteTests.file("second.txt", second)])
            #expect(refused.status == 507, "\(refused.text)")
            #expect((AttachmentRouteTests.json(refused)["detail"] as? String)?.contains("nothing was stored") == true)
            #expect(AttachmentRouteTests.incoming(world).isEmpty)

            // What was stored before is intact and still served.
            let again = try RawHTTPClient.connected(port: port).request("GET", url)
            #expect(again.status == 200 && again.body == first)
            #expect(try await world.reader.attachments(of: TicketID(Int64(ticket))).count == 1)

            // Room again: the same upload is stored, nothing restarted.
            unlink(filler)
            let retried = try RawHTTPClient.connected(port: port)
            #expect(try AttachmentRouteTests.upload(retried, ticket: ticket, [AttachmentRouteTests.file("second.txt", second)]).status == 201)
            #expect(try await world.reader.attachments(of: TicketID(Int64(ticket))).count == 2)
        }
    }
}
