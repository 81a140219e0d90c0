import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk up --broker nats`: the `nats-server` the supervisor runs beside the Procfile's
/// processes (JetStream, loopback, its store under the data directory), and the URL they get.
public struct NATSServerEntry: Sendable, Equatable {
    /// The Procfile name of the server's line (a Procfile line of that name is refused).
    public static let name = "nats"

    public var executable: String
    public var port: UInt16
    public var storeDirectory: String

    public init(executable: String, port: UInt16, storeDirectory: String) {
        self.executable = executable
        self.port = port
        self.storeDirectory = storeDirectory
    }

    /// `CAMPUSDESK_BROKER` for the other processes.
    public var url: String { "nats://127.0.0.1:\(port)" }

    /// The supervisor's line: `nats-server -js` on loopback with the store given.
    public var procfileEntry: ProcfileEntry {
        ProcfileEntry(name: Self.name, command: [
            ShellQuote.quote(executable), "-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", ShellQuote.quote(storeDirectory),
        ].joined(separator: " "), line: 0)
    }

    /// The Procfile with the server's line first.
    public func prepended(to procfile: Procfile) throws(ProcfileError) -> Procfile {
        if let clash = procfile.entries.first(where: { $0.name == Self.name }) {
            throw ProcfileError(line: clash.line, reason: "process name '\(Self.name)' is taken by --broker nats")
        }
        return Procfile(entries: [procfileEntry] + procfile.entries)
    }

    /// `nats-server` on `path` (`$PATH`), or in Debian's /usr/sbin; nil when it is not installed.
    public static func locate(path: String?) -> String? {
        let dirs = (path ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        return dirs.map { $0 + "/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A loopback port the kernel hands out now (closed again: the server binds it next).
    public static func freePort() -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return bound ? UInt16(bigEndian: addr.sin_port) : nil
    }
}
