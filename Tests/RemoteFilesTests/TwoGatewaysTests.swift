import Foundation
import Testing
import TestSupport
import TicketStore
import Uploads
import Credentials
import Domain
import Notifier
@testable import RemoteFiles

/// Two gateways with data directories of their own on one NATS deployment: a photo uploaded
/// through one is downloaded through the other, the same bytes; an upload that cannot reach the
/// home records nothing.
@Suite("Two gateways, own data directories (real nats-server)", .serialized, .onDedicatedThreads,
       .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
struct TwoGatewaysTests {
    static let boundary = "----CampusDeskRemote7MA4YWxkTrZu0gW"

    static func json(_ r: RawHTTPClient.Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
    }

    static func upload(_ client: RawHTTPClient, ticket: Int, name: String, _ bytes: [UInt8], type: String) throws -> RawHTTPClient.Response {
        let part = MultipartPart(head: MultipartPartHead(name: "file", filename: name, declaredType: type), body: bytes)
        let body = MultipartWriter.body([part], boundary: try MultipartBoundary(Array(boundary.utf8)))
        return try client.request("POST", "/api/tickets/\(ticket)/attachments",
                                  headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
    }

    @Test("a photo uploaded through gateway 1 is served by gateway 2 from the home, and cached there; with no home an upload records nothing")
    func uploadOnOne_DownloadOnOther() async throws {
        let world = try TwoGatewaysWorld()
        do {
            let one = try world.gateway("gateway-1"), two = try world.gateway("gateway-2")
            let client1 = try RawHTTPClient.connected(port: one.port), client2 = try RawHTTPClient.connected(port: two.port)
            let filed = try client1.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")],
                                            body: Array(#"{"description":"The window in room 12 is cracked"}"#.utf8))
            #expect(filed.status == 201, "\(filed.text)")
            let ticket = try #require(Self.json(filed)["id"] as? Int)

            let r = try Self.upload(client1, ticket: ticket, name: "IMG_0042.jpg", TinyJPEG.photo, type: "image/jpeg")
            #expect(r.status == 201, "\(r.text)")
            let added = try #require((Self.json(r)["attachments"] as? [[String: Any]])?.first)
            let sha = try #require(added["sha256"] as? String), url = try #require(added["url"] as? String)
            let stored = try one.files.read(sha256: sha)
            #expect(try world.workerFiles.read(sha256: sha) == stored, "the home holds it before the command was sent")
            #expect((try? two.files.read(sha256: sha)) == nil)

            let photo = try client2.request("GET", url, headers: [("X-CampusDesk-Role", "agent")])
            #expect(photo.status == 200, "\(photo.text)")
            #expect(photo.body == stored)
            #expect(photo.header("Content-Type") == "image/jpeg")
            #expect(try two.files.read(sha256: sha) == stored, "kept in gateway 2's own directory")
            let again = try client2.request("GET", url, headers: [("X-CampusDesk-Role", "agent")])
            #expect(again.status == 200 && again.body == stored)

            // The home stops answering: the upload is refused before any command, and nothing is recorded.
            world.home.close()
            let refused = try Self.upload(client1, ticket: ticket, name: "log.txt", Array("disk error 0x42\n".utf8), type: "text/plain")
            #expect(refused.status == 503, "\(refused.text)")
            let list = try client2.request("GET", "/api/tickets/\(ticket)/attachments", headers: [("X-CampusDesk-Role", "agent")])
            #expect((Self.json(list)["attachments"] as? [[String: Any]])?.count == 1, "\(list.text)")
        } catch {
            try await world.close()
            throw error
        }
        try await world.close()
    }

    @Test("GET /api/notifications (first page, next page) through a gateway asking the notifier is the same document as through one reading notifications.db")
    func inboxAPI_RemoteMatchesLocal() async throws {
        let world = try TwoGatewaysWorld()
        do {
            let path = world.dir.path("worker/notifications.db")
            let queue = try DeliveryQueue(path: path)
            let reporterKey = "reporter-key-0123456789abcdefghijklmnop"
            let key = Inbox.key(reporterKeyDigest: hexString(SHA256.hash(Array(reporterKey.utf8))))
            var entries: [Inbox.NewEntry] = []
            for i in 1...30 {
                entries.append(Inbox.NewEntry(recipientKey: key, eventSeq: Int64(i), ticketID: TicketID(Int64(i)), kind: .messagePosted,
                                              subject: "Ticket \(i): <i>reply</i> & more", excerpt: "line \(i)"))
            }
            _ = try queue.enqueue([], inbox: entries, now: Timestamp(millisecondsSinceEpoch: 1_767_600_000_000))
            let firstIDs = try InboxReader(path: path).entries(of: key, limit: 3).map(\.id)
            _ = try queue.markRead(firstIDs, of: key, now: Timestamp(millisecondsSinceEpoch: 1_767_600_100_000))

            let answering = try InboxQueryServer(url: world.server.url, name: "notifier.inbox", notificationsPath: path)
            defer { answering.close() }
            let remoteReader = try RemoteInboxReader(url: world.server.url, name: "gateway.inbox")
            defer { remoteReader.connection.close() }
            let local = try world.gateway("gateway-local", inbox: InboxReader(path: path))
            let remote = try world.gateway("gateway-remote", inbox: remoteReader)
            let l = try RawHTTPClient.connected(port: local.port), r = try RawHTTPClient.connected(port: remote.port)
            let headers = [("X-CampusDesk-Reporter-Key", reporterKey)]
            let firstLocal = try l.request("GET", "/api/notifications?limit=20", headers: headers)
            let firstRemote = try r.request("GET", "/api/notifications?limit=20", headers: headers)
            #expect(firstLocal.status == 200 && firstRemote.status == 200, "\(firstRemote.text)")
            #expect(firstRemote.body == firstLocal.body)
            #expect(Self.json(firstRemote)["unread"] as? Int == 27)
            let next = try #require(Self.json(firstRemote)["next_before"] as? Int)
            let nextLocal = try l.request("GET", "/api/notifications?limit=20&before=\(next)", headers: headers)
            let nextRemote = try r.request("GET", "/api/notifications?limit=20&before=\(next)", headers: headers)
            #expect(nextRemote.status == 200 && nextRemote.body == nextLocal.body, "\(nextRemote.text)")
            #expect((Self.json(nextRemote)["notifications"] as? [[String: Any]])?.count == 10)
        } catch {
            try await world.close()
            throw error
        }
        try await world.close()
    }
}
