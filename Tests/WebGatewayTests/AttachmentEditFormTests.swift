import Domain
import Foundation
import HTTPServer
import TicketStore
import Testing
import TestSupport
import Uploads
@testable import WebGateway

/// Files from the edit form without JavaScript (issue 18: "the report form, the edit form and the
/// message form"): multipart `POST /tickets/{id}/edit` over a real socket, streamed like the report
/// form's, with its checks, limits, CSRF token, permission and idempotent resubmit.
@Suite("Attachments from the edit form (live, port 0)", .onDedicatedThreads)
struct AttachmentEditFormTests {
    typealias Form = AttachmentFormTests

    /// The hidden request id of the ticket page's edit form.
    static func editRequestID(_ page: RawHTTPClient.Response) throws -> String {
        let marker = "name=\"request_id\" value=\""
        var rest = Substring(page.text)
        while let r = rest.range(of: marker) {
            rest = rest[r.upperBound...]
            let value = rest.prefix { $0 != "\"" }
            if value.hasSuffix("-edit") { return String(value) }
        }
        Issue.record("no edit form on the page")
        throw CancellationError()
    }

    /// A ticket filed by a simple user of the campus desk, straight through the worker.
    static func campusTicket(_ world: AccountsWorld, _ text: String = "The lift in building C is stuck") async throws -> TicketID {
        try #require(try await world.apply(Actor(role: .customer), .createTicket(CreateTicket(description: text, location: "Building C"))).ticket).id
    }

    /// Opens the ticket page as a browser would (twice on a new browser: the cookie first).
    static func openTicket(_ browser: SocketBrowser, _ ticket: TicketID) throws -> RawHTTPClient.Response {
        if browser.cookies.isEmpty { _ = try browser.get("/tickets/\(ticket)") }
        return try browser.get("/tickets/\(ticket)")
    }

    @Test("the edit form is multipart with the report form's picker; a changed text and a photo are saved together; the form lists the files with names, sizes and thumbnails")
    func edit_WithPhoto() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            #expect(page.text.contains("action=\"/tickets/\(ticket)/edit\" class=\"stack\" enctype=\"multipart/form-data\""))
            #expect(page.text.contains("<input type=\"file\" id=\"edit-file\" name=\"file\"") && page.text.contains("accept=\"\(AttachmentField.accept)\""))
            #expect(!page.text.contains("Files on this ticket"), "no list while the ticket has no files")

            let r = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(page)),
                Form.field("description", "The lift in building C is stuck between floors 2 and 3"), Form.field("location", "Building C, lift 2"),
                AttachmentRouteTests.file("lift.jpg", TinyJPEG.photo, type: "image/jpeg"),
            ])
            #expect(r.status == 303, "\(r.text)")
            #expect(r.header("Location") == "/tickets/\(ticket)?done=edited-files")
            let detail = try #require(try await world.reader.detail(ticket))
            #expect(detail.ticket.description == "The lift in building C is stuck between floors 2 and 3")
            #expect(detail.ticket.location == "Building C, lift 2")
            let rows = try await world.reader.attachments(of: ticket)
            #expect(rows.map(\.filename) == ["lift.jpg"] && rows.first?.messageID == nil && rows.first?.uploadedByRole == .customer)
            let photo = try #require(rows.first)
            let image = try browser.get("/attachments/\(photo.id.rawValue)")
            let stripped = try JPEGMetadataStripper.strip(TinyJPEG.photo)
            #expect(image.status == 200 && image.body == stripped, "stored without its metadata")

            let after = try browser.get(try #require(r.header("Location")))
            #expect(after.text.contains("Your changes were saved and your files added to the ticket."))
            // Under "Edit the report": the thumbnail, its name, kind and size.
            let edit = try #require(after.text.range(of: "<h2 id=\"edit-h\">").map { String(after.text[$0.lowerBound...]) })
            #expect(edit.contains("<h3 id=\"edit-files-h\">Files on this ticket</h3>"))
            #expect(edit.contains("<img class=\"attachment-image thumb\" src=\"/attachments/\(photo.id.rawValue)\" alt=\"lift.jpg\""))
            #expect(edit.contains("lift.jpg <span class=\"muted\">(image, \(AttachmentList.size(photo.size)))</span>"))
            #expect(AttachmentRouteTests.incoming(world).isEmpty)
        }
    }

    @Test("a save with the text unchanged and two files only adds the files; no file chosen is an ordinary edit")
    func edit_FilesOnly() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        let before = try #require(try await world.reader.detail(ticket)).ticket
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            let r = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(page)),
                Form.field("description", before.description), Form.field("location", before.location ?? ""),
                AttachmentRouteTests.file("screen.png", PNGFixture.plain, type: "image/png"),
                AttachmentRouteTests.file("log.txt", Array("Error 0x7 on floor 2\n".utf8), type: "text/plain"),
            ])
            #expect(r.status == 303, "\(r.text)")
            #expect(try #require(try await world.reader.detail(ticket)).ticket == before, "the ticket itself is as it was")
            let rows = try await world.reader.attachments(of: ticket)
            #expect(rows.map(\.filename) == ["screen.png", "log.txt"])
            let edit = try browser.get("/tickets/\(ticket)").text
            #expect(edit.contains("download>log.txt</a> <span class=\"muted\">(text, 21 bytes)</span>"))

            let plain = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(try browser.get("/tickets/\(ticket)"))),
                Form.field("description", "The lift is stuck again"), AttachmentRouteTests.file("", []),
            ])
            #expect(plain.status == 303 && plain.header("Location") == "/tickets/\(ticket)?done=edited", "\(plain.text)")
            #expect(try await world.reader.detail(ticket)?.ticket.description == "The lift is stuck again")
            #expect(try await world.reader.attachments(of: ticket).count == 2)
        }
    }

    @Test("a refused file (SVG named .png) returns the form with the reason beside the file field and what was typed; nothing of the edit is saved",
          arguments: [false, true])
    func edit_RefusedType(_ secondFile: Bool) async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            // With a good file before it, the good one is not attached either.
            let good = secondFile ? [AttachmentRouteTests.file("ok.txt", Array("fine\n".utf8))] : []
            let r = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(page)), Form.field("description", "A drawing of where the lift stopped"),
            ] + good + [AttachmentRouteTests.file("where.png", Array(#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8), type: "image/png")])
            #expect(r.status == 422)
            #expect(r.text.contains("where.png was not accepted: SVG files are not accepted"), "\(r.text)")
            #expect(r.text.contains("Nothing was sent; choose another file or none."))
            #expect(r.text.contains("id=\"edit-file-error\""))
            #expect(r.text.contains(">A drawing of where the lift stopped</textarea>"), "the typed text is kept")
            #expect(try await world.reader.detail(ticket)?.ticket.description == "The lift in building C is stuck")
            #expect(try await world.reader.attachments(of: ticket).isEmpty)
            #expect(AttachmentRouteTests.incoming(world).isEmpty)
        }
    }

    @Test("too large: a file over the file limit is refused while streaming (413); over the ticket's limit returns the form; nothing of the edit is saved")
    func edit_TooLarge() async throws {
        let world = try AccountsWorld(authMode: .open, attachments: AttachmentSettings(maxFileBytes: 2048, maxTicketBytes: 3000))
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            let big = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(page)), Form.field("description", "Now with the whole log"),
                AttachmentRouteTests.file("big.txt", [UInt8](repeating: 0x41, count: 4096)),
            ])
            #expect(big.status == 413)
            #expect(big.text.contains("big.txt"), "\(big.text)")
            #expect(try await world.reader.detail(ticket)?.ticket.description == "The lift in building C is stuck")
            try await eventually("the partial file is removed") { AttachmentRouteTests.incoming(world).isEmpty }
            #expect(AttachmentRouteTests.storedFiles(world).isEmpty)

            // Two files of 1.6 KB each: each under the file limit, together over the ticket's 3000 bytes.
            let browser2 = SocketBrowser(port: port)
            let page2 = try Self.openTicket(browser2, ticket)
            let full = try Form.send(browser2, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(page2)), Form.field("description", "Now with both logs"),
                AttachmentRouteTests.file("one.txt", [UInt8](repeating: 0x42, count: 1600)),
                AttachmentRouteTests.file("two.txt", [UInt8](repeating: 0x43, count: 1600)),
            ])
            #expect(full.status == 422, "\(full.text)")
            #expect(full.text.contains("the limit per ticket is") && full.text.contains("id=\"edit-file-error\""))
            #expect(full.text.contains(">Now with both logs</textarea>"))
            #expect(try await world.reader.detail(ticket)?.ticket.description == "The lift in building C is stuck")
            #expect(try await world.reader.attachments(of: ticket).isEmpty)
        }
    }

    @Test("a resubmitted edit form (the same request id) attaches its files once; the form opened again is a new edit")
    func edit_ResubmitAttachesOnce() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            let parts = [Form.field("request_id", try Self.editRequestID(page)), Form.field("description", "Stuck between floors 2 and 3"),
                         AttachmentRouteTests.file("lift.jpg", TinyJPEG.photo, type: "image/jpeg"),
                         AttachmentRouteTests.file("note.txt", Array("Alarm button pressed at 9:10\n".utf8))]
            let first = try Form.send(browser, "/tickets/\(ticket)/edit", parts)
            let again = try Form.send(browser, "/tickets/\(ticket)/edit", parts)
            #expect(first.status == 303 && again.status == 303, "\(again.text)")
            #expect(again.header("Location") == first.header("Location"))
            let rows = try await world.reader.attachments(of: ticket)
            #expect(rows.map(\.filename) == ["lift.jpg", "note.txt"], "attached once")
            #expect(try await world.reader.history(ticket).filter { $0.field == .description }.count == 1, "edited once")

            // The page opened again has a new request id: the same file sent with it is attached again.
            let fresh = try browser.get("/tickets/\(ticket)")
            let next = try Form.send(browser, "/tickets/\(ticket)/edit", [
                Form.field("request_id", try Self.editRequestID(fresh)), Form.field("description", "Stuck between floors 2 and 3"),
                AttachmentRouteTests.file("note.txt", Array("Alarm button pressed at 9:10\n".utf8)),
            ])
            #expect(next.status == 303)
            #expect(try await world.reader.attachments(of: ticket).count == 3)
        }
    }

    @Test("only who may edit the ticket adds files with the edit: another customer gets 404, an unassigned engineer 403; a forged form 403; nothing is stored")
    func edit_WrongRole_NetworkDesk() async throws {
        let world = try AccountsWorld()
        let ana = try await world.account("Ana", .customer)
        _ = try await world.account("Bob", .customer)
        _ = try await world.account("Eli", .engineer)
        let ticket = try await world.ticket(by: ana).id
        try await world.withServer { port in
            let file = AttachmentRouteTests.file("screen.png", PNGFixture.plain, type: "image/png")
            for (name, status) in [("bob", 404), ("eli", 403)] {
                let browser = SocketBrowser(port: port)
                try browser.logIn("\(name)@example.org")
                _ = try browser.get("/tickets")
                let r = try Form.send(browser, "/tickets/\(ticket)/edit", [Form.field("request_id", "r-\(name)-edit"),
                                                                           Form.field("description", "Mine now"), file])
                #expect(r.status == status, "\(name): \(r.text)")
            }
            // Ana's own browser, without the token: refused before anything is read or stored.
            let ana = SocketBrowser(port: port)
            try ana.logIn("ana@example.org")
            let page = try Self.openTicket(ana, ticket)
            let forged = try Form.send(ana, "/tickets/\(ticket)/edit", [Form.field("description", "Forged"), file], token: false)
            #expect(forged.status == 403)
            #expect(AttachmentRouteTests.storedFiles(world).isEmpty)
            #expect(try await world.reader.attachments(of: ticket).isEmpty)
            #expect(try await world.reader.detail(ticket)?.ticket.description == "The projector in room 4 flickers")

            let mine = try Form.send(ana, "/tickets/\(ticket)/edit", [Form.field("request_id", try Self.editRequestID(page)),
                                                                      Form.field("description", "The projector in room 4 flickers and hums"), file])
            #expect(mine.status == 303, "\(mine.text)")
            #expect(try await world.reader.attachments(of: ticket).map(\.uploadedByName) == ["Ana"])
        }
    }

    @Test("the edit form's address streams like the report form's; the ticket's other forms keep the ordinary body limit",
          arguments: [("/tickets/1/edit", true), ("/tickets/1/messages", true), ("/tickets", true), ("/api/tickets/1/attachments", true),
                      ("/tickets/1/status", false), ("/tickets/1/category", false), ("/tickets/1/edit/x", false), ("/tickets/x/edit", false),
                      ("/api/tickets/1/edit", false)])
    func uploadPaths(_ path: String, _ streams: Bool) {
        #expect(UploadRoutes.isUploadPath(path) == streams)
    }

    @Test("over a socket: 70 KB of multipart to the status form is 413 (64 KiB), the same to the edit form is an edit with its file")
    func bodyLimit_OnlyOnUploadRoutes() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            let log = AttachmentRouteTests.file("long.txt", [UInt8](repeating: 0x61, count: 70_000))
            let status = try Form.send(browser, "/tickets/\(ticket)/status", [Form.field("status", "active"), log])
            #expect(status.status == 413)
            let edit = try Form.send(browser, "/tickets/\(ticket)/edit", [Form.field("request_id", try Self.editRequestID(page)),
                                                                           Form.field("description", "The lift in building C is stuck"), log])
            #expect(edit.status == 303, "\(edit.text)")
            #expect(try await world.reader.attachments(of: ticket).map(\.size) == [70_000])
            #expect(try await world.reader.detail(ticket)?.ticket.status == .open)
        }
    }

    @Test("a form whose command is only queued sends none of its files and its page says to add them again (edit, message, report)")
    func queued_SaysTheFilesWereNotAdded() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            let page = try Self.openTicket(browser, ticket)
            let requestID = try Self.editRequestID(page)
            _ = try browser.get("/tickets/new")
            await world.worker.force(.queued)
            let photo = AttachmentRouteTests.file("lift.jpg", TinyJPEG.photo, type: "image/jpeg")
            let note = AttachmentRouteTests.file("note.txt", Array("Alarm pressed\n".utf8))
            let edit = try Form.send(browser, "/tickets/\(ticket)/edit", [Form.field("request_id", requestID), Form.field("description", "Stuck again"), photo])
            #expect(edit.status == 202)
            #expect(edit.text.contains("but the file you chose was not added. Once your change shows on ticket #\(ticket), please add it again."), "\(edit.text)")
            #expect(edit.text.contains("href=\"/tickets/\(ticket)\""))
            let message = try Form.send(browser, "/tickets/\(ticket)/messages", [Form.field("body", "Photos attached"), photo, note])
            #expect(message.status == 202)
            #expect(message.text.contains("but the 2 files you chose were not added. Once your message shows under ticket #\(ticket), please add them again."))
            let report = try Form.send(browser, "/tickets", [Form.field("description", "The other lift is stuck too"), photo])
            #expect(report.status == 202)
            #expect(report.text.contains("Once your report shows under the tickets, please add it again."))
            #expect(await world.worker.received.allSatisfy { if case .addAttachment = $0.action { false } else { true } })
            #expect(try await world.reader.attachments(of: ticket).isEmpty)
        }
    }

    @Test("the worker's rule holds too: an edit with a file on a ticket closed meanwhile is refused by the worker and attaches nothing")
    func edit_ClosedMeanwhile_WorkerRefuses() async throws {
        let world = try AccountsWorld(authMode: .open)
        let ticket = try await Self.campusTicket(world)
        try await world.withServer { port in
            let browser = SocketBrowser(port: port)
            _ = try browser.get("/")
            _ = try browser.get("/")
            let role = try browser.post("/session", [("role", "agent")])
            #expect(role.status == 303)
            let page = try browser.get("/tickets/\(ticket)")
            let requestID = try Self.editRequestID(page)
            // Closed after the page was opened: staff may open a closed ticket, so the gateway's gate
            // lets the form through; the worker refuses the edit and no file is attached.
            for status in [Status.active, .closed] {
                try await world.apply(Actor(role: .agent), .changeStatus(ChangeStatus(ticketID: ticket, status: status)))
            }
            let r = try Form.send(browser, "/tickets/\(ticket)/edit", [Form.field("request_id", requestID), Form.field("description", "Too late"),
                                                                       AttachmentRouteTests.file("late.txt", Array("late\n".utf8))])
            #expect(r.status == 409, "\(r.text)")
            #expect(r.text.contains("A closed ticket cannot be edited."))
            #expect(try await world.reader.attachments(of: ticket).isEmpty)
        }
    }
}
