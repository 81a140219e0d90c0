import Domain
import Foundation
import HTTPServer
import TicketStore
import Testing
import TestSupport
import Uploads
@testable import WebGateway

/// Attachments end to end in one process: the gateway behind the real HTTP server (streamed
/// uploads), the real ticket store and reader on a file, and the files under the data directory.
@Suite("Attachments (live, port 0)", .onDedicatedThreads)
struct AttachmentRouteTests {
    static let boundary = "----CampusDeskTest7MA4YWxkTrZu0gW"

    static func multipart(_ parts: [MultipartPart]) throws -> (headers: [(String, String)], body: [UInt8]) {
        let body = MultipartWriter.body(parts, boundary: try MultipartBoundary(Array(boundary.utf8)))
        return ([("Content-Type", "multipart/form-data; boundary=\(boundary)")], body)
    }

    static func file(_ name: String, _ bytes: [UInt8], type: String = "application/octet-stream") -> MultipartPart {
        MultipartPart(head: MultipartPartHead(name: "file", filename: name, declaredType: type), body: bytes)
    }

    static func json(_ r: RawHTTPClient.Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
    }

    static func attachments(_ r: RawHTTPClient.Response) -> [[String: Any]] {
        json(r)["attachments"] as? [[String: Any]] ?? []
    }

    /// A ticket filed through the API (campus desk: as a customer without a role header).
    static func fileTicket(_ client: RawHTTPClient, headers: [(String, String)] = []) throws -> Int {
        let r = try client.request("POST", "/api/tickets", headers: headers + [("Content-Type", "application/json")],
                                   body: Array(#"{"description":"The lift in building C is stuck between floors"}"#.utf8))
        #expect(r.status == 201, "\(r.text)")
        return try #require(json(r)["id"] as? Int)
    }

    static func upload(_ client: RawHTTPClient, ticket: Int, _ parts: [MultipartPart], headers: [(String, String)] = []) throws -> RawHTTPClient.Response {
        let (h, body) = try multipart(parts)
        return try client.request("POST", "/api/tickets/\(ticket)/attachments", headers: headers + h, body: body)
    }

    static func storedFiles(_ world: AccountsWorld) -> [String] {
        let root = world.directory.appendingPathComponent("attachments").path
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return shards.filter { $0 != "incoming" }.flatMap { (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + $0)) ?? [] }
    }

    static func incoming(_ world: AccountsWorld) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: world.directory.appendingPathComponent("attachments/incoming").path)) ?? []
    }

    @Test("a retried upload with the same Idempotency-Key adds no second row and answers the same ids; another key is another row")
    func upload_IdempotencyKey() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let ticket = try Self.fileTicket(client)
            let parts = [Self.file("log.txt", Array("Printer error 0x7 on floor 2\n".utf8))]
            let first = try Self.upload(client, ticket: ticket, parts, headers: [("Idempotency-Key", "log-upload-1")])
            let again = try Self.upload(client, ticket: ticket, parts, headers: [("Idempotency-Key", "log-upload-1")])
            #expect(first.status == 201 && again.status == 201, "\(again.text)")
            let ids = Self.attachments(first).compactMap { $0["id"] as? String }
            #expect(ids.count == 1 && Self.attachments(again).compactMap { $0["id"] as? String } == ids)
            let other = try Self.upload(client, ticket: ticket, parts, headers: [("Idempotency-Key", "log-upload-2")])
            #expect(other.status == 201)
            let list = try client.request("GET", "/api/tickets/\(ticket)/attachments", headers: [("X-CampusDesk-Role", "agent")])
            #expect(Self.attachments(list).count == 2, "\(list.text)")
            let bad = try Self.upload(client, ticket: ticket, parts, headers: [("Idempotency-Key", "has space")])
            #expect(bad.status == 400)
        }
    }

    @Test("upload, list and download: the photo is stored without EXIF/GPS (re-read from disk) and served inert; text is a download")
    func roundTrip_ExifRemoved() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let ticket = try Self.fileTicket(client)
            let text = Array("Error shown: <script>alert(1)</script>\n".utf8)
            let r = try Self.upload(client, ticket: ticket, [Self.file("IMG_0001.jpg", TinyJPEG.photo, type: "image/jpeg"), Self.file("log.txt", text)])
            #expect(r.status == 201, "\(r.text)")
            let added = Self.attachments(r)
            #expect(added.map { $0["filename"] as? String } == ["IMG_0001.jpg", "log.txt"])
            #expect(added.map { $0["content_type"] as? String } == ["image/jpeg", "text/plain; charset=utf-8"])
            let photoURL = try #require(added.first?["url"] as? String)
            #expect(r.header("Location") == photoURL)

            let listed = try client.request("GET", "/api/tickets/\(ticket)/attachments")
            #expect(listed.status == 200 && Self.attachments(listed).count == 2)

            let photo = try client.request("GET", photoURL)
            #expect(photo.status == 200)
            #expect(photo.body == (try JPEGMetadataStripper.strip(TinyJPEG.photo)))
            #expect(photo.header("Content-Type") == "image/jpeg")
            #expect(photo.header("X-Content-Type-Options") == "nosniff")
            #expect(photo.header("Content-Security-Policy")?.contains("sandbox") == true)
            #expect(photo.header("Content-Disposition")?.hasPrefix("inline") == true)

            // The file on disk, read back: no EXIF, no GPS, no comment; named by its SHA-256.
            let sha = try #require(added.first?["sha256"] as? String)
            let stored = try [UInt8](Data(contentsOf: world.directory.appendingPathComponent("attachments/\(sha.prefix(2))/\(sha)")))
            #expect(stored == photo.body)
            for marker in ["Exif", "GPS", "Mill Road", "CampusCam"] {
                #expect(!Data(stored).contains(Data(marker.utf8)), "\(marker) still in the stored file")
            }
            #expect(try JPEGMetadataStripper.segments(stored).allSatisfy { $0.marker != 0xE1 && $0.marker != 0xFE })

            let log = try client.request("GET", try #require(added.last?["url"] as? String))
            #expect(log.body == text)
            #expect(log.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(log.header("Content-Disposition")?.hasPrefix("attachment") == true)
            #expect(Self.incoming(world).isEmpty)
        }
    }

    @Test("an iPhone HEIC with GPS is accepted and stored with its EXIF and XMP zeroed; a GIF without its comment and XMP")
    func heicAndGIF_StoredWithoutMetadata() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let ticket = try Self.fileTicket(client)
            let heic = TinyHEIC.photo()
            let r = try Self.upload(client, ticket: ticket, [Self.file("IMG_4711.HEIC", heic, type: "image/heic"), Self.file("wave.gif", TinyGIF.photo)])
            #expect(r.status == 201, "\(r.text)")
            let added = Self.attachments(r)
            #expect(added.map { $0["content_type"] as? String } == ["image/heic", "image/gif"])
            for (entry, expected) in zip(added, [try HEICMetadataStripper.strip(heic).bytes, TinyGIF.plain]) {
                let sha = try #require(entry["sha256"] as? String)
                let stored = try [UInt8](Data(contentsOf: world.directory.appendingPathComponent("attachments/\(sha.prefix(2))/\(sha)")))
                #expect(stored == expected)
                for marker in ["GPS", "SERIAL", "Mill Road", "xmpmeta"] {
                    #expect(!Data(stored).contains(Data(marker.utf8)), "\(marker) still in the stored file")
                }
            }
            #expect(Self.incoming(world).isEmpty)
        }
    }

    @Test("SVG and HTML are refused by content, whatever their name and declared type, with a clear message; nothing is stored",
          arguments: [
            ("photo.png", #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#, "SVG"),
            ("report.txt", "<!DOCTYPE html><html><body onload=alert(1)></body></html>", "HTML"),
          ])
    func markup_Refused(_ name: String, _ content: String, _ kind: String) async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let ticket = try Self.fileTicket(client)
            let r = try Self.upload(client, ticket: ticket, [Self.file(name, Array(content.utf8), type: "image/png")])
            #expect(r.status == 415)
            let detail = Self.json(r)["detail"] as? String ?? ""
            #expect(detail.contains(kind) && detail.contains(name) && detail.contains("not accepted"), "\(detail)")
            #expect(try await world.reader.attachments(of: TicketID(Int64(ticket))).isEmpty)
            #expect(Self.storedFiles(world).isEmpty && Self.incoming(world).isEmpty)
        }
    }

    @Test("a file over the limit is refused with 413 after about the limit, while most of the body is still unsent")
    func oversize_RefusedWithoutReadingAll() async throws {
        let world = try AccountsWorld(authMode: .open, attachments: AttachmentSettings(maxFileBytes: 1024 * 1024, maxFilesPerRequest: 1))
        try await world.withServer { port in
            let setup = try RawHTTPClient.connected(port: port)
            let ticket = try Self.fileTicket(setup)
            // 1.9 MB file: under the body limit (2 MiB), over the file limit (1 MiB).
            let (headers, body) = try Self.multipart([Self.file("big.jpg", [UInt8](repeating: 0x41, count: 1_900_000))])
            let client = try RawHTTPClient.connected(port: port)
            var head = "POST /api/tickets/\(ticket)/attachments HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n"
            for (n, v) in headers { head += "\(n): \(v)\r\n" }
            try client.sendRaw(head + "\r\n")
            // About 1.3 MB sent, 0.6 MB held back: the answer must come without them.
            try client.sendRaw(Array(body[0..<1_300_000]), toleratingClose: true)
            let r = try client.readResponse()
            #expect(r.status == 413)
            #expect((Self.json(r)["detail"] as? String)?.contains("big.jpg") == true)
            #expect(r.header("Connection")?.lowercased() == "close")
            try await eventually("the partial file is removed") { Self.incoming(world).isEmpty }
            #expect(Self.storedFiles(world).isEmpty)

            // A Content-Length over the whole limit: 413 before any byte of the body.
            let early = try RawHTTPClient.connected(port: port)
            try early.sendRaw("POST /api/tickets/\(ticket)/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 50000000\r\n\r\n")
            #expect(try early.readResponse().status == 413)

            // Other routes keep their limit: a 70 KB JSON body is refused by the gateway's 64 KiB.
            let other = try setup.request("POST", "/api/tickets", headers: [("Content-Type", "application/json")], body: [UInt8](repeating: 0x20, count: 70_000))
            #expect(other.status == 413)
        }
    }

    @Test("the network desk: the reporter and staff attach; another customer and an unassigned engineer cannot; who may read the ticket reads its files")
    func accessControl_NetworkDesk() async throws {
        let world = try AccountsWorld()
        let ana = try await world.account("Ana", .customer), bob = try await world.account("Bob", .customer)
        let agent = try await world.account("Agnes", .agent), eli = try await world.account("Eli", .engineer)
        let ticket = Int(try await world.ticket(by: ana).id.rawValue)
        var tokens: [String: String] = [:]
        for user in [ana, bob, agent, eli] { tokens[user.name] = try #require(try await APIClient.signedIn(world.gateway, user).token) }
        func auth(_ name: String) -> [(String, String)] { [("Authorization", "Bearer \(tokens[name] ?? "")")] }
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let png = PNGFixture.plain
            let mine = try Self.upload(client, ticket: ticket, [Self.file("screen.png", png)], headers: auth("Ana"))
            #expect(mine.status == 201, "\(mine.text)")
            let url = try #require(Self.attachments(mine).first?["url"] as? String)
            #expect(try Self.upload(client, ticket: ticket, [Self.file("x.png", png)], headers: auth("Agnes")).status == 201)
            // Bob is not told the ticket exists; Eli may read it but not write under it.
            #expect(try Self.upload(client, ticket: ticket, [Self.file("x.png", png)], headers: auth("Bob")).status == 404)
            #expect(try Self.upload(client, ticket: ticket, [Self.file("x.png", png)], headers: auth("Eli")).status == 403)
            for (name, status) in [("Ana", 200), ("Agnes", 200), ("Eli", 200), ("Bob", 404)] {
                #expect(try client.request("GET", url, headers: auth(name)).status == status, "\(name) GET file")
                #expect(try client.request("GET", "/api/tickets/\(ticket)/attachments", headers: auth(name)).status == status, "\(name) GET list")
            }
            // A browser without a session is sent to log in.
            let anonymous = try RawHTTPClient.connected(port: port).request("GET", url)
            #expect(anonymous.status == 303)
            #expect(try await world.reader.attachments(of: TicketID(Int64(ticket))).map(\.uploadedByRole) == [.customer, .agent])
        }
    }

    @Test("the campus desk: a closed ticket's files are staff's and its reporter's only; a customer without the key gets 404")
    func accessControl_CampusDesk() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let client = try RawHTTPClient.connected(port: port)
            let key = [("X-CampusDesk-Reporter-Key", "k-0123456789abcdef0123456789abcdef")]
            let ticket = try Self.fileTicket(client, headers: key)
            let r = try Self.upload(client, ticket: ticket, [Self.file("a.pdf", Array("%PDF-1.4\n%%EOF\n".utf8))], headers: key)
            #expect(r.status == 201, "\(r.text)")
            let url = try #require(Self.attachments(r).first?["url"] as? String)
            let pdf = try client.request("GET", url)
            #expect(pdf.header("Content-Type") == "application/pdf" && pdf.header("Content-Disposition")?.hasPrefix("attachment") == true)
            let staff = [("X-CampusDesk-Role", "agent")]
            for status in ["active", "closed"] {
                let s = try client.request("PUT", "/api/tickets/\(ticket)/status", headers: staff + [("Content-Type", "application/json")],
                                           body: Array(#"{"status":"\#(status)"}"#.utf8))
                #expect(s.status == 200, "\(s.text)")
            }
            #expect(try client.request("GET", url).status == 404)
            #expect(try client.request("GET", url, headers: [("X-CampusDesk-Role", "customer")] + key).status == 200)
            #expect(try client.request("GET", url, headers: staff).status == 200)
            // Closed: only staff add files.
            #expect(try Self.upload(client, ticket: ticket, [Self.file("b.pdf", Array("%PDF-1.4\n".utf8))], headers: key).status == 409)
            #expect(try Self.upload(client, ticket: ticket, [Self.file("b.pdf", Array("%PDF-1.4\n".utf8))], headers: staff).status == 201)
        }
    }
}

/// The forms without JavaScript: multipart report and message forms over a real socket, the CSRF
/// token read from the multipart body, pictures inline on the ticket page and other files as links.
@Suite("Attachments in the web forms (live, port 0)", .onDedicatedThreads)
struct AttachmentFormTests {
    static func field(_ name: String, _ value: String) -> MultipartPart {
        MultipartPart(head: MultipartPartHead(name: name), body: Array(value.utf8))
    }

    static func send(_ browser: SocketBrowser, _ target: String, _ parts: [MultipartPart], token: Bool = true) throws -> RawHTTPClient.Response {
        var all = parts
        if token, let t = browser.lastToken { all.append(field("csrf_token", t)) }
        let (headers, body) = try AttachmentRouteTests.multipart(all)
        return try browser.request("POST", target, headers: headers, body: body)
    }

    @Test("report with a photo: CSRF checked in the multipart body; the ticket page shows the photo inline; a message brings a text file as a link")
    func reportAndMessage_WithFiles() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            _ = try browser.get("/tickets/new")
            let form = try browser.get("/tickets/new")
            #expect(form.text.contains("enctype=\"multipart/form-data\""))
            #expect(form.text.contains("<input type=\"file\" id=\"new-file\" name=\"file\"") && form.text.contains("accept=\"image/*,"))
            let report = [Self.field("description", "The window in room 12 is cracked"), Self.field("impact", "one"),
                          AttachmentRouteTests.file("window.jpg", TinyJPEG.photo, type: "image/jpeg")]

            // Without the token: refused, nothing filed, nothing stored.
            let forged = try Self.send(browser, "/tickets", report, token: false)
            #expect(forged.status == 403)
            #expect(AttachmentRouteTests.storedFiles(world).isEmpty)

            let filed = try Self.send(browser, "/tickets", report)
            #expect(filed.status == 303, "\(filed.text)")
            let location = try #require(filed.header("Location"))
            #expect(location.hasSuffix("?done=created"))
            let page = try browser.get(location)
            #expect(page.text.contains("<img class=\"attachment-image\" src=\"/attachments/"))
            #expect(page.text.contains("alt=\"window.jpg\""))
            let ticket = try #require(Int64(location.dropFirst("/tickets/".count).prefix { $0.isNumber }))
            let photo = try #require(try await world.reader.attachments(of: TicketID(ticket)).first)
            let image = try browser.get("/attachments/\(photo.id.rawValue)")
            #expect(image.status == 200 && image.header("Content-Type") == "image/jpeg")
            #expect(image.body == (try JPEGMetadataStripper.strip(TinyJPEG.photo)))

            // A message with a text file: under the message, as a download link.
            let posted = try Self.send(browser, "/tickets/\(ticket)/messages",
                                       [Self.field("body", "Here is the caretaker's note"), AttachmentRouteTests.file("note.txt", Array("Glass ordered.\n".utf8))])
            #expect(posted.status == 303, "\(posted.text)")
            let after = try browser.get("/tickets/\(ticket)")
            #expect(after.text.contains("download>note.txt</a>"))
            let rows = try await world.reader.attachments(of: TicketID(ticket))
            #expect(rows.count == 2 && rows[0].messageID == nil && rows[1].messageID != nil)

            // A form with no file chosen (filename="") is an ordinary message.
            let plain = try Self.send(browser, "/tickets/\(ticket)/messages",
                                      [Self.field("body", "No photo this time"), AttachmentRouteTests.file("", [])])
            #expect(plain.status == 303)
            #expect(try await world.reader.attachments(of: TicketID(ticket)).count == 2)
            #expect(AttachmentRouteTests.incoming(world).isEmpty)
        }
    }

    @Test("a refused file returns the form with the reason beside the file field, and files nothing")
    func refusedFile_ReturnsTheForm() async throws {
        let world = try AccountsWorld(authMode: .open)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            _ = try browser.get("/tickets/new")
            _ = try browser.get("/tickets/new")
            let r = try Self.send(browser, "/tickets", [Self.field("description", "Drawing of the broken door"),
                                                        AttachmentRouteTests.file("door.svg", Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8))])
            #expect(r.status == 422)
            #expect(r.text.contains("door.svg was not accepted: SVG files are not accepted"))
            #expect(r.text.contains("id=\"new-file-error\""))
            #expect(r.text.contains("Drawing of the broken door"))
            #expect(AttachmentRouteTests.storedFiles(world).isEmpty)
            #expect(try await world.reader.attachments(of: TicketID(1)).isEmpty)
            #expect(try await world.reader.detail(TicketID(1)) == nil)
        }
    }
}

/// A valid 1×1 PNG (signature, IHDR, IDAT, IEND), with a `tEXt` chunk naming an author.
enum PNGFixture {
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let n = data.count
        return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + data + [0, 0, 0, 0]
    }
    static let plain: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
        + chunk("tEXt", Array("Author\0Ana Lopez".utf8))
        + chunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01])
        + chunk("IEND", [])
}
