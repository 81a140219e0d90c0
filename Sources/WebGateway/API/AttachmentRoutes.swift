import Domain
import Foundation
import HTTPServer
import TicketStore
import Uploads
import Credentials

/// Attachments over HTTP: `POST` and `GET /api/tickets/{id}/attachments` (the API's caller and
/// problem documents), and `GET /attachments/{id}`, the file itself, for browsers and API callers.
///
/// Who may add a file: who may post a message on the ticket (`Permissions`, checked here and by the
/// worker). Who may read one: who may read its ticket (``TicketAccess/mayRead``), else 404.
struct AttachmentRoutes: Sendable {
    let context: GatewayContext
    var intake: AttachmentIntake {
        AttachmentIntake(files: context.attachmentFiles, home: context.attachmentHome, settings: context.settings.attachments, tickets: context.tickets)
    }

    func registerAPI(in api: inout RouteGroup) {
        api.post("/tickets/:id/attachments") { try await upload($0) }
        api.get("/tickets/:id/attachments") { try await list($0) }
    }

    func registerDownload(in router: inout Router) {
        router.get("/attachments/:id") { try await download($0) }
    }

    // MARK: - API

    /// An attachment as the API shows it: the row, and where to fetch the file.
    struct Body: Encodable {
        var attachment: Attachment
        func encode(to encoder: any Encoder) throws {
            try attachment.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode("/attachments/\(attachment.id.rawValue)", forKey: .url)
        }
        enum Key: String, CodingKey { case url }
    }

    struct ListBody: Encodable { var attachments: [Body] }

    func upload(_ request: HTTPRequest) async throws -> HTTPResponse {
        // The incoming files are removed after the handler by UploadRoutes.cleanup, whatever happens here.
        let received = request.streamedBody?.value as? ReceivedUpload
        let caller = try await APIRoutes.caller(request, context.auth)
        let id = try Self.ticketID(request)
        guard let received else {
            throw Problem(status: .unsupportedMediaType, detail: "Send the file as multipart/form-data, in a part named file.")
        }
        let ticket = try await gate(caller.actor, id, request: request)
        // As a JSON body's unknown member is refused (docs/api.md), so is a part the API does not know.
        if let unknown = received.fields.first(where: { $0.name != "message_id" })?.name ?? received.files.first(where: { $0.field != "file" })?.field {
            throw Problem.refused(.validation, "Unknown field \(unknown): send the file in a part named file, and optionally message_id.", field: unknown)
        }
        guard !received.files.isEmpty else { throw Problem.refused(.validation, "Attach a file in a part named file.", field: "file") }
        var message: MessageID?
        if let raw = received.form["message_id"], !raw.isEmpty {
            guard let n = Int64(raw), n > 0 else { throw Problem.refused(.validation, "message_id must be a message's number.", field: "message_id") }
            message = MessageID(n)
        }
        var stored: [Attachment] = []
        var added: Int64 = 0
        for file in received.files {
            let prepared: AttachmentIntake.Prepared
            do {
                prepared = try await intake.prepare(file, ticket: ticket, alreadyAdded: added)
            } catch let refused as AttachmentIntake.Refused {
                throw Problem(status: refused.status, detail: refused.message + (stored.isEmpty ? "" : " The files before it were stored."), field: "file")
            }
            let (commandID, attachmentID) = try Self.ids(request, actor: caller.actor, index: stored.count, prepared, message: message)
            let command = Command(id: commandID, actor: caller.actor, action: AttachmentIntake.action(prepared, id: attachmentID, ticket: ticket, message: message), channel: .api)
            switch await context.commands.send(command, timeout: context.settings.commandTimeout) {
            case .replied(let reply):
                if let refusal = reply.refusal { throw Problem(refusal: refusal) }
            case .queued:
                context.logger.warning("command queued without reply", ["command.id": command.id.rawValue])
                return APIRoutes.json(.accepted, APIRoutes.Queued(commandID: command.id, detail: "Accepted and queued; the file is stored and will be listed shortly."))
            case .unavailable(let reason):
                context.logger.error("command not enqueued", ["command.id": command.id.rawValue, "reason": reason])
                throw Problem(status: .serviceUnavailable, detail: "The ticket service cannot take requests right now; nothing was saved.", retryAfter: 30)
            }
            added += prepared.size
            if let row = try await context.tickets.attachment(attachmentID) { stored.append(row) }
        }
        var response = APIRoutes.json(.created, ListBody(attachments: stored.map(Body.init)))
        if let first = stored.first { response.headers.set("Location", "/attachments/\(first.id.rawValue)") }
        return response
    }

    /// The command and attachment ids of the `index`th file: fresh, or with an `Idempotency-Key`
    /// derived from the key and the request as stored (path, caller, message, the file's position,
    /// hash and name), so a retry is the same command — the worker answers it from its record and
    /// adds no second row — while the key reused for other files is another command.
    static func ids(_ request: HTTPRequest, actor: Actor, index: Int, _ file: AttachmentIntake.Prepared,
                    message: MessageID?) throws(Problem) -> (CommandID, AttachmentID) {
        guard let key = request.headers["Idempotency-Key"] else { return (.random(), .random()) }
        let account = actor.userID.map { " \($0.rawValue)" } ?? ""
        let fingerprint = "POST \(request.path) \(actor.role.rawValue)\(account)\n\(message.map { String($0.rawValue) } ?? "-") \(index) \(file.sha256) \(file.filename)"
        let digest = hexString(SHA256.hash(Array(fingerprint.utf8)))
        guard let id = IdempotencyKey.commandID(String(digest.prefix(16)), scope: "api:" + key),
              IdempotencyKey.commandID(key, scope: "api") != nil else {
            throw Problem(status: .badRequest, detail: "Idempotency-Key must be 1 to \(IdempotencyKey.maxLength) visible ASCII characters without spaces, quotes or backslashes.")
        }
        return (id, AttachmentID(hexString(Array(SHA256.hash(Array(id.rawValue.utf8)).prefix(16)))))
    }

    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await APIRoutes.caller(request, context.auth)
        let id = try Self.ticketID(request)
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        guard let detail = try await context.tickets.detail(id),
              try await TicketAccess.mayRead(caller.actor, detail.ticket, mode: context.authMode, reporterKey: reporterKey, tickets: context.tickets) else {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        return APIRoutes.json(.ok, ListBody(attachments: try await context.tickets.attachments(of: id).map(Body.init)))
    }

    /// The permission gate of an upload: the message rule, and a closed ticket only for staff.
    private func gate(_ actor: Actor, _ id: TicketID, request: HTTPRequest) async throws -> TicketID {
        if !Permissions.mayEver(actor, .postMessage) { throw Problem(refusal: TicketAccess.refusal(actor, .postMessage)) }
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        switch try await TicketAccess.gate(actor, .postMessage, ticket: id, tickets: context.tickets, mode: context.authMode,
                                           reporterKey: reporterKey, alwaysRead: true) {
        case .notFound: throw Problem.refused(.notFound, "There is no ticket with that id.")
        case .forbidden(let refusal): throw Problem(refusal: refusal)
        case .allowed(let ticket):
            if let ticket {
                do throws(Refusal) { try TicketRules.checkAttachment(status: ticket.status, actor: actor, on: ticket.parties) } catch { throw Problem(refusal: error) }
            }
            return id
        }
    }

    static func ticketID(_ request: HTTPRequest) throws(Problem) -> TicketID {
        guard let raw = request.pathParameters["id"], raw.utf8.count <= 19, let n = Int64(raw), n > 0 else {
            throw Problem.refused(.notFound, "There is no ticket with that id.")
        }
        return TicketID(n)
    }

    // MARK: - The file

    /// The file, for whoever may read its ticket: a browser (its cookie or session), or an API
    /// caller (role header, bearer token, reporter key). Served with the stored type, `nosniff`, a
    /// sandbox CSP, and as a download unless it is an image.
    func download(_ request: HTTPRequest) async throws -> HTTPResponse {
        let notFound = Problem(status: .notFound, detail: "There is no such file, or it is on a ticket you cannot see.")
        let raw = request.pathParameters["id"] ?? ""
        guard raw.utf8.count <= 64, let attachment = try await context.tickets.attachment(AttachmentID(raw)) else { throw notFound }
        let actor: Actor
        let reporterKey: String?
        if request.headers["Authorization"] != nil || request.headers["X-CampusDesk-Role"] != nil {
            actor = try await APIRoutes.caller(request, context.auth).actor
            reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        } else {
            let v = try await context.auth.visitor(request, newBrowserID: context.newBrowserID)
            if v.authMode == .accounts && v.user == nil { throw LoginRequired(request) }
            actor = v.actor
            reporterKey = ReporterKey.digest(of: v)
        }
        guard let ticket = try await context.tickets.detail(attachment.ticketID)?.ticket,
              try await TicketAccess.mayRead(actor, ticket, mode: context.authMode, reporterKey: reporterKey, tickets: context.tickets) else {
            throw notFound
        }
        let bytes: [UInt8]
        let files = intake.files, sha256 = attachment.sha256
        do {
            do {
                bytes = try await AttachmentIntake.offPool { try files.read(sha256: sha256) }
            } catch let error as AttachmentStorageError where error.isMissing {
                // Not in this gateway's data directory: fetch it from the home (a cache miss), or fail as before.
                try await context.attachmentHome.fetch(sha256: sha256, into: files)
                bytes = try await AttachmentIntake.offPool { try files.read(sha256: sha256) }
            }
        } catch {
            context.logger.error("attachment file unreadable", ["attachment.id": attachment.id.rawValue, "error": "\(error)"])
            throw Problem(status: .internalServerError, detail: "The file cannot be read at the moment.")
        }
        return Self.fileResponse(attachment, bytes)
    }

    /// The headers that make a stored file inert in a browser (docs/attachments.md, "Serving").
    static func fileResponse(_ a: Attachment, _ bytes: [UInt8]) -> HTTPResponse {
        var r = HTTPResponse(status: .ok, body: bytes)
        r.headers.set("Content-Type", a.contentType)
        r.headers.set("X-Content-Type-Options", "nosniff")
        r.headers.set("Content-Security-Policy", "default-src 'none'; sandbox")
        r.headers.set("Content-Disposition", "\(a.isImage ? "inline" : "attachment"); \(contentDispositionName(a.filename))")
        r.headers.set("Cache-Control", "private, no-store")
        return r
    }

    /// RFC 6266 §4.3: an ASCII fallback `filename` and the UTF-8 `filename*` (RFC 8187).
    static func contentDispositionName(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var encoded = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "!#$&+-.^_`|~".utf8.contains(byte) {
                encoded.append(c)
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        return "filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
