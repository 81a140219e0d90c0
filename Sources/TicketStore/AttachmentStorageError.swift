#if canImport(Glibc)
import Glibc
#endif

/// Why a file of the attachment store could not be written, read or removed.
///
/// `errno` is read at the failure site (``posix(_:path:)``) so a full disk (ENOSPC, EDQUOT)
/// reaches the gateway unchanged and becomes 507 there.
public struct AttachmentStorageError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// A failed system call, with `errno` read at the call site.
    public static func posix(_ operation: StaticString, path: String, errno code: Int32 = Glibc.errno) -> AttachmentStorageError {
        AttachmentStorageError(operation: "\(operation)", path: path, errno: code)
    }

    /// No space left (or quota exceeded): the store is full, not broken.
    public var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }

    /// The file is not there (a hash no file has).
    public var isMissing: Bool { errno == ENOENT }

    public var description: String { "\(operation) \(path): errno \(errno)" }
}
