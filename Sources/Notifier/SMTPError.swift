#if canImport(Glibc)
import Glibc
#endif

/// Why an SMTP transaction failed, and whether trying again later may help.
///
/// 4xx replies, refused or dropped connections, timeouts and garbled replies are temporary
/// (RFC 5321 §4.2.1, §4.5.4.1: a sender retries); 5xx replies are permanent. `connectionLevel`
/// says the relay itself could not be reached, so other messages to it need not try this round.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case temporary, permanent
    }

    public var kind: Kind
    /// What was being done: `connect`, `greeting`, `EHLO`, `MAIL FROM`, `RCPT TO`, `DATA`, ...
    public var stage: String
    /// The reply code when the server answered.
    public var code: Int?
    public var message: String
    /// The relay could not be reached or dropped us (no reply to judge by).
    public var connectionLevel: Bool

    public init(kind: Kind, stage: String, code: Int? = nil, message: String, connectionLevel: Bool = false) {
        self.kind = kind
        self.stage = stage
        self.code = code
        self.message = message
        self.connectionLevel = connectionLevel
    }

    /// The error a negative reply means at `stage`.
    public static func reply(_ r: SMTPReply, at stage: String) -> SMTPError {
        SMTPError(kind: r.isPermanent ? .permanent : .temporary, stage: stage, code: r.code, message: String(r.text.prefix(300)))
    }

    /// A failed socket call, `errno` captured at the failure site.
    public static func posix(_ stage: String, _ op: StaticString, errno e: Int32 = errno) -> SMTPError {
        SMTPError(kind: .temporary, stage: stage, message: "\(op): \(String(cString: strerror(e))) (errno \(e))", connectionLevel: true)
    }

    public static func protocolError(_ message: String) -> SMTPError {
        SMTPError(kind: .temporary, stage: "reply", message: message)
    }

    public var description: String {
        "\(stage): \(code.map { "\($0) " } ?? "")\(message)"
    }
}
