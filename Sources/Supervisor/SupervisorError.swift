import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A system call of the supervisor that failed, with the operation, the path and `errno`.
public struct SupervisorError: Error, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// Captures `errno` at the failure site.
    static func posix(_ operation: StaticString, path: String) -> SupervisorError {
        SupervisorError(operation: "\(operation)", path: path, errno: Glibc.errno)
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
