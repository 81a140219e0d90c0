import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The mock channels that need no set-up, and the default without `CAMPUSDESK_SMTP`: each e-mail
/// an `.eml` file in the Maildir `data/outbox/` (`tmp/`, `new/`, `cur/`; any mail client opens it),
/// each text message one JSON line in `data/outbox/sms.jsonl`.
///
/// Durable as a Maildir delivery is: written into `tmp/`, fsynced, renamed into `new/`, the
/// directory fsynced. A text is appended with `O_APPEND` in one write and fsynced.
public struct Outbox: Sendable {
    /// One text message as `sms.jsonl` holds it.
    public struct TextMessage: Sendable, Codable, Equatable {
        public var id: String
        public var to: String
        public var body: String
        public var at: String
        public init(id: String, to: String, body: String, at: String) {
            self.id = id
            self.to = to
            self.body = body
            self.at = at
        }
    }

    /// Why a write to the outbox failed (a full disk, permissions): temporary, the queue tries again.
    public struct WriteError: Error, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    public let directory: String
    private static let counter = Atomic<Int>(0)

    /// `directory` is `data/outbox`; its Maildir folders are created when missing.
    public init(directory: String) throws {
        self.directory = directory
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
    }

    public var smsPath: String { "\(directory)/sms.jsonl" }

    /// Delivers one e-mail into `new/`; returns its file name.
    ///
    /// The name is Maildir's `<seconds>.M<micros>P<pid>Q<counter>R<random>.<host>` plus `.eml`:
    /// unique across processes and restarts without a lock, and sorting in delivery order.
    @discardableResult
    public func deliver(_ message: [UInt8], at date: Date = Date()) throws -> String {
        let seconds = Int64(date.timeIntervalSince1970)
        let micros = Int64((date.timeIntervalSince1970 - Double(seconds)) * 1_000_000)
        let q = Self.counter.add(1, ordering: .relaxed).newValue
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = "\(seconds).M\(micros)P\(getpid())Q\(q)R\(random).campusdesk.eml"
        let tmp = "\(directory)/tmp/\(name)"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw WriteError(operation: "open", path: tmp, errno: errno) }
        do {
            try Self.writeAll(fd, message, path: tmp)
            guard fsync(fd) == 0 else { throw WriteError(operation: "fsync", path: tmp, errno: errno) }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        let final = "\(directory)/new/\(name)"
        guard rename(tmp, final) == 0 else {
            let e = errno
            unlink(tmp)
            throw WriteError(operation: "rename", path: final, errno: e)
        }
        try Self.syncDirectory("\(directory)/new")
        return name
    }

    /// Appends one text message to `sms.jsonl`.
    public func send(_ text: TextMessage) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = Array(try encoder.encode(text)) + [10]
        let fd = open(smsPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw WriteError(operation: "open", path: smsPath, errno: errno) }
        defer { close(fd) }
        try Self.writeAll(fd, line, path: smsPath)
        guard fsync(fd) == 0 else { throw WriteError(operation: "fsync", path: smsPath, errno: errno) }
    }

    // MARK: - Reading (for `campusdesk outbox`)

    /// One e-mail in the Maildir: its file, folder (`new` or `cur`) and the headers a list shows.
    public struct StoredMail: Sendable, Equatable {
        public var file: String
        public var folder: String
        public var to: String
        public var subject: String
        public var date: String
    }

    /// Every e-mail in `new/` and `cur/`, oldest first (by file name, which sorts in delivery order).
    public func mails() throws -> [StoredMail] {
        var out: [StoredMail] = []
        for folder in ["new", "cur"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(folder)")
            for name in names where !name.hasPrefix(".") {
                guard let data = FileManager.default.contents(atPath: "\(directory)/\(folder)/\(name)") else { continue }
                let head = Self.headers(String(decoding: data.prefix(16_384), as: UTF8.self))
                out.append(StoredMail(file: name, folder: folder, to: head["to"] ?? "", subject: head["subject"] ?? "", date: head["date"] ?? ""))
            }
        }
        return out.sorted { $0.file < $1.file }
    }

    /// Every text message in `sms.jsonl`, oldest first; a torn last line (a crash mid-write) is skipped.
    public func textMessages() throws -> [TextMessage] {
        guard let data = FileManager.default.contents(atPath: smsPath) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 10).compactMap { try? decoder.decode(TextMessage.self, from: Data($0)) }
    }

    /// The header fields of a message, names lower-cased, folded lines unfolded, values as written.
    static func headers(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var last: String?
        for line in text.components(separatedBy: "\r\n") {
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t", let last {
                out[last, default: ""] += line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            out[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            last = name
        }
        return out
    }

    // MARK: - Files

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw WriteError(operation: "write", path: path, errno: errno) }
            written += n
        }
    }

    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WriteError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteError(operation: "fsync", path: path, errno: errno) }
    }
}
