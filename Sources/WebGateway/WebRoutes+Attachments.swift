import Domain
import HTTPServer

// MARK: - Files sent with the report and message forms

extension WebRoutes {
    var intake: AttachmentIntake {
        AttachmentIntake(files: context.attachmentFiles, settings: context.settings.attachments, tickets: context.tickets)
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
    func attach(_ files: [AttachmentIntake.Prepared], ticket: TicketID, message: MessageID?, _ v: Visitor) async -> Bool {
        var all = true
        for file in files {
            let command = Command(actor: v.actor, action: AttachmentIntake.action(file, id: .random(), ticket: ticket, message: message),
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
}
