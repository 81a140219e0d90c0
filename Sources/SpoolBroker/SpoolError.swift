import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one error type of the spool broker: what was attempted, on which path, and why.
///
/// `errno` is captured at the failure site (see `posix`) so that ENOSPC, EIO and friends reach
/// the sender unchanged; a send that throws has left nothing in `new/`.
public struct SpoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely, so callers can branch without parsing text.
    public enum Kind: String, Sendable, Equatable {
        /// A system call failed; `errno` says why.
        case io
        /// A queue, exchange or file name broke the naming rules.
        case invalidName
        /// A message or file exceeds the size limit.
        case tooLarge
        /// The queue (or message) does not exist.
        case notFound
        /// A value could not be encoded as an envelope.
        case encoding
    }

    public var kind: Kind
    public var operation: String
    public var path: String
    public var errno: Int32
    public var detail: String

    public init(kind: Kind, operation: String, path: String, errno: Int32 = 0, detail: String = "") {
        self.kind = kind
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// A failed system call, with `errno` read at the call site.
    public static func posix(_ operation: StaticString, path: String, errno code: Int32 = Glibc.errno) -> SpoolError {
        SpoolError(kind: code == ENOENT ? .notFound : .io, operation: "\(operation)", path: path, errno: code,
                   detail: String(cString: strerror(code)))
    }

    public var description: String {
        var text = "spool: \(operation) \(path): "
        switch kind {
        case .io: text += "\(detail) (errno \(errno))"
        case .notFound: text += detail.isEmpty ? "not found" : "\(detail)"
        case .invalidName: text += "invalid name: \(detail)"
        case .tooLarge: text += "too large: \(detail)"
        case .encoding: text += "cannot encode: \(detail)"
        }
        return text
    }
}
