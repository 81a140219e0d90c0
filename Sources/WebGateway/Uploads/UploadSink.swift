import Foundation
import HTTPServer
import TicketStore
import Uploads
#if canImport(Glibc)
import Glibc
#endif

/// Where an upload's body goes as it arrives: through ``MultipartStreamParser`` into files under
/// `<data>/attachments/incoming/`, one per file part; fields are kept in memory (64 KiB each at most).
///
/// Runs on the server's event loop thread (``RequestBodySink``): each chunk read from the socket is
/// parsed and written at once, so memory per upload is one read plus the parser's few bytes. A
/// limit crossed (file, fields, parts, body) refuses the request at that chunk; the server answers
/// and closes without reading the rest. Whatever was written is removed on refusal or abandonment.
final class UploadSink: RequestBodySink {
    private var parser: MultipartStreamParser
    private let files: AttachmentFiles
    private let maxFiles: Int
    private let refuse: @Sendable (HTTPStatus, String) -> HTTPResponse
    private var received = ReceivedUpload()
    /// The part being read: a field's bytes, or a file's descriptor and its entry.
    private var field: (name: String, bytes: [UInt8])?
    private var file: (fd: Int32, entry: ReceivedUpload.File)?
    /// A file part with `filename=""` (no file chosen): its bytes are dropped.
    private var skipping = false

    init(contentType: String, limits: MultipartLimits, maxFiles: Int, files: AttachmentFiles,
         refuse: @escaping @Sendable (HTTPStatus, String) -> HTTPResponse) throws(BodyRefusal) {
        do {
            parser = try MultipartStreamParser(contentType: contentType, limits: limits)
        } catch {
            throw BodyRefusal(refuse(HTTPStatus(error.status, error.status == 415 ? "Unsupported Media Type" : "Bad Request"), Self.sentence(error.message)))
        }
        self.files = files
        self.maxFiles = maxFiles
        self.refuse = refuse
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(BodyRefusal) {
        let events: [MultipartEvent]
        do {
            events = try parser.feed(bytes)
        } catch {
            abandon()
            throw refusal(error)
        }
        for event in events { try handle(event) }
    }

    func finish() throws(BodyRefusal) -> any Sendable {
        do {
            try parser.finish()
        } catch {
            abandon()
            throw refusal(error)
        }
        return received
    }

    func abandon() {
        if let file {
            close(file.fd)
            unlink(file.entry.path)
            self.file = nil
        }
        received.discard()
        received.files = []
    }

    // MARK: - Events

    private func handle(_ event: MultipartEvent) throws(BodyRefusal) {
        switch event {
        case .partBegin(let head):
            guard let filename = head.filename else {
                field = (head.name, [])
                return
            }
            guard !filename.isEmpty else {
                skipping = true
                return
            }
            guard received.files.count < maxFiles else {
                abandon()
                throw BodyRefusal(refuse(.contentTooLarge, "Please send at most \(maxFiles) files at once."))
            }
            do {
                let (fd, path) = try files.makeIncomingFile()
                file = (fd, ReceivedUpload.File(field: head.name, filename: filename, path: path, size: 0))
            } catch {
                abandon()
                throw storageRefusal(error)
            }
        case .bodyBytes(let bytes):
            if skipping { return }
            if field != nil {
                field?.bytes += bytes
            } else if let current = file {
                do {
                    try AttachmentFiles.writeAll(current.fd, bytes, path: current.entry.path)
                } catch {
                    abandon()
                    throw storageRefusal(error)
                }
                file?.entry.size += bytes.count
            }
        case .partEnd:
            if skipping {
                skipping = false
            } else if let f = field {
                field = nil
                guard let text = String(validating: f.bytes, as: UTF8.self) else {
                    abandon()
                    throw BodyRefusal(refuse(.badRequest, "The field \(f.name.prefix(40)) is not valid UTF-8 text."))
                }
                received.fields.append((f.name, text))
            } else if let current = file {
                file = nil
                close(current.fd)
                received.files.append(current.entry)
            }
        }
    }

    private func refusal(_ error: MultipartError) -> BodyRefusal {
        let status: HTTPStatus = switch error.status {
        case 413: .contentTooLarge
        case 415: .unsupportedMediaType
        default: .badRequest
        }
        return BodyRefusal(refuse(status, Self.sentence(error.message)))
    }

    private func storageRefusal(_ error: AttachmentStorageError) -> BodyRefusal {
        if error.isDiskFull {
            return BodyRefusal(refuse(.insufficientStorage, "The helpdesk has no room for files at the moment; nothing was stored. Please try again later."))
        }
        return BodyRefusal(refuse(.internalServerError, "The file could not be received; nothing was stored."))
    }

    /// The parser's message as a sentence: capital first, full stop last.
    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let body = first.uppercased() + text.dropFirst()
        return body.hasSuffix(".") ? body : body + "."
    }
}
