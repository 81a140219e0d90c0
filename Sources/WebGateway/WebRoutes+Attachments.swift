import Credentials
import Domain
import HTTPServer

// MARK: - Files sent with the report, message and edit forms

extension WebRoutes {
    var intake: AttachmentIntake {
        AttachmentIntake(files: context.attachmentFiles, home: context.attachmentHome, settings: context.settings.attachments, tickets: context.tickets)
    }

    /// Checks and stores the form's files (type, metadata, limits), before the form's own command
    /// is sent; a refused file is a refusal of the form's `file` field and nothing is sent.
    func prepareFiles(_ request: HTTPRequest, ticket: TicketID?) async throws -> Result<[AttachmentIntake.Prepared], Refusal> {
        guard let upload = request.streamedBody?.value as? ReceivedUpload, !upload.files.isEmpty else { return .success([]) }
        var prepared: [AttachmentIntake.Prepared] = []
        var added: Int64 = 0
        for file in upload.files {
            do {
                let p = try await intake.prepare(file, ticket: ticket, alreadyAdded: added)
                prepared.append(p)
                added += p.size
            } catch let refused as AttachmentIntake.Refused {
                return .failure(Refusal(.validation, refused.message + " Nothing was sent; choose another file or none.", field: "file"))
            }
        }
        return .success(prepared)
    }

    /// Sends `add_attachment` for each stored file; false when one was refused or not applied
    /// (its file stays an orphan for the sweep; the page says the file is missing).
    /// - Parameter form: the id of the form's own command, when its files are sent under ids derived
    ///   from it (``fileIDs(under:actor:ticket:message:index:_:)``); nil for fresh ones.
    func attach(_ files: [AttachmentIntake.Prepared], ticket: TicketID, message: MessageID?, _ v: Visitor, under form: CommandID? = nil) async -> Bool {
        var all = true
        for (index, file) in files.enumerated() {
            let (commandID, attachmentID) = form.map { Self.fileIDs(under: $0, actor: v.actor, ticket: ticket, message: message, index: index, file) }
                ?? (.random(), .random())
            let command = Command(id: commandID, actor: v.actor, action: AttachmentIntake.action(file, id: attachmentID, ticket: ticket, message: message),
                                  channel: .web, actorName: v.name)
            switch await context.commands.send(command, timeout: context.settings.commandTimeout) {
            case .replied(let reply) where reply.refusal == nil:
                continue
            case .replied(let reply):
                context.logger.warning("attachment refused", ["command.id": command.id.rawValue, "reason": reply.refusal?.code.rawValue ?? ""])
                all = false
            case .queued:
                // It will be applied: the file is on disk and the command in the queue.
                continue
            case .unavailable(let reason):
                context.logger.error("command not enqueued", ["command.id": command.id.rawValue, "reason": reason])
                all = false
            }
        }
        return all
    }

    /// The command and attachment ids of a form's `index`th file, derived from the form's command id
    /// (its hidden request id), who sends it, the ticket, the message and the file (position, hash,
    /// name): a resubmitted form (the same request id, after a timeout or a double click) sends the
    /// same commands, which the worker answers from its record and applies once, while another file
    /// under the same id is another command. The same derivation as the API's `Idempotency-Key`.
    static func fileIDs(under form: CommandID, actor: Actor, ticket: TicketID, message: MessageID?, index: Int,
                        _ file: AttachmentIntake.Prepared) -> (CommandID, AttachmentID) {
        let account = actor.userID.map { " \($0.rawValue)" } ?? ""
        let fingerprint = "\(form.rawValue)\n\(actor.role.rawValue)\(account)\n\(ticket.rawValue) \(message.map { String($0.rawValue) } ?? "-") \(index) \(file.sha256) \(file.filename)"
        let id = CommandID("form-file:" + hexString(Array(SHA256.hash(Array(fingerprint.utf8)).prefix(16))))
        return (id, AttachmentID(hexString(Array(SHA256.hash(Array(id.rawValue.utf8)).prefix(16)))))
    }
}
