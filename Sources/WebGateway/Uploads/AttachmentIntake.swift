import Domain
import Credentials
import TicketStore
import HTTPServer
import Uploads
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What turns a received file into a stored attachment: its type decided from the content, its
/// metadata removed (in chunks, into a new incoming file: AttachmentIntake+Check.swift), the
/// limits checked, the file stored durably, then the `add_attachment` command.
///
/// The order is the point: the file is on disk (fsynced, renamed, directory fsynced) before the
/// command that refers to it is sent, so no row ever names a missing file; a crash in between
/// leaves an orphan for the sweep. Refusals carry the status and a sentence for the sender.
struct AttachmentIntake: Sendable {
    let files: AttachmentFiles
    /// Where the home copy goes before the command (nothing to do when `files` is the home).
    let home: any AttachmentHome
    let settings: AttachmentSettings
    let tickets: TicketReader

    /// Why a file was not stored: the status (415, 413, 422, 507, …) and what to tell the sender.
    struct Refused: Error, Sendable, HTTPStatusError {
        var status: HTTPStatus
        var message: String
    }

    /// A file ready for its command: stored, with the facts the command carries.
    struct Prepared: Sendable {
        var sha256: String
        var size: Int64
        var type: AttachmentType
        var filename: String
    }

    /// Reads, checks and stores one received file. The incoming file stays (the caller discards it).
    ///
    /// The reading, stripping, hashing and the fsyncs run on a Dispatch queue, not on the
    /// cooperative pool: a 10 MB file takes milliseconds of CPU and an fsync may take longer on a
    /// busy disk, and the pool has one thread per core for every request of the gateway. The file
    /// is checked in chunks (``check(_:maxFileBytes:files:)``), never held in memory whole.
    /// - Parameter ticket: the ticket the file goes to; nil for a report not yet filed (it holds no files).
    func prepare(_ file: ReceivedUpload.File, ticket: TicketID?, alreadyAdded: Int64 = 0) async throws -> Prepared {
        let maxFileBytes = settings.maxFileBytes
        let files = self.files
        let checked = try await Self.offPool { try Self.check(file, maxFileBytes: maxFileBytes, files: files) }
        do {
            let size = checked.size
            let (onTicket, total) = try await tickets.attachmentBytes(of: ticket ?? TicketID(0))
            guard onTicket + alreadyAdded + size <= settings.maxTicketBytes else {
                throw Refused(status: .contentTooLarge, message: "This ticket already holds \(Self.megabytes(onTicket + alreadyAdded)) of files; the limit per ticket is \(Self.megabytes(settings.maxTicketBytes)).")
            }
            guard total + alreadyAdded + size <= settings.maxTotalBytes else {
                throw Refused(status: .insufficientStorage, message: "The helpdesk has no room for more files at the moment; nothing was stored.")
            }
            try await Self.offPool {
                do throws(AttachmentStorageError) { try files.store(incoming: checked.path, sha256: checked.sha256) } catch { throw Self.storageRefused(error) }
            }
            // A gateway on another machine: the file reaches the worker's machine before its command is sent.
            do { try await home.deliver(sha256: checked.sha256, from: files) } catch {
                throw Refused(status: .serviceUnavailable, message: "The file could not reach the helpdesk's file store; nothing was saved. Please try again in a moment.")
            }
            return Prepared(sha256: checked.sha256, size: size, type: checked.type, filename: file.filename)
        } catch {
            unlink(checked.path)  // refused by a limit, or not stored (then already gone)
            throw error
        }
    }

    /// Runs blocking work (file I/O, fsync, hashing) on a Dispatch queue and awaits it.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// The command of a prepared file.
    static func action(_ p: Prepared, id: AttachmentID, ticket: TicketID, message: MessageID?) -> CommandAction {
        .addAttachment(AddAttachment(attachmentID: id, ticketID: ticket, messageID: message, sha256: p.sha256, size: p.size,
                                     contentType: p.type.mediaType, filename: p.filename))
    }

    static func storageRefused(_ error: AttachmentStorageError) -> Refused {
        if error.isDiskFull {
            return Refused(status: .insufficientStorage, message: "The helpdesk has no room for files at the moment; nothing was stored. Please try again later.")
        }
        return Refused(status: .internalServerError, message: "The file could not be stored; nothing was saved.")
    }

    static func megabytes(_ bytes: Int64) -> String {
        let mb = Double(bytes) / 1_048_576
        return mb >= 10 ? "\(Int(mb.rounded())) MB" : "\((mb * 10).rounded() / 10) MB"
    }
}
