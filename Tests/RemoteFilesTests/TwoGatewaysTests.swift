import Foundation
import Testing
import TestSupport
import TicketStore
import Uploads
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
}
