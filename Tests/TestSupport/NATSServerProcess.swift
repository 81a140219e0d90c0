import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real `nats-server -js` on a loopback port with its store in a directory of the test's,
/// for the NATS broker's tests (never the system service).
///
/// Debian's `nats-server` package installs it (.ci/install); tests that need it are skipped
/// with `NATSServerProcess.missingReason` when it is absent.
public final class NATSServerProcess: Sendable {
    /// The binary, from PATH or Debian's /usr/sbin; nil when not installed.
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"]
        return dirs.map { $0 + "/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Why NATS tests are skipped here, nil when the server is installed.
    public static var missingReason: String? {
        executable == nil ? "nats-server is not installed (Debian package nats-server; .ci/install adds it)" : nil
    }

    public let port: UInt16
    public let storeDirectory: String
    public var url: String { "nats://127.0.0.1:\(port)" }
    private let process = Mutex<Process?>(nil)

    /// Starts a server with JetStream on a free loopback port; returns once it accepts clients.
    /// Options after `-js -a -p -sd` (a cluster node's `--cluster`, `--routes`...).
    public let extraArguments: [String]

    public init(storeDirectory: String, port: UInt16? = nil, extraArguments: [String] = []) throws {
        self.storeDirectory = storeDirectory
        self.port = try port ?? Self.freePort()
        self.extraArguments = extraArguments
        try start()
    }

    /// `count` nodes on loopback routed to each other as cluster `c` (server names n1, n2...),
    /// each with JetStream and its store under `directory`. Returns once each accepts clients;
    /// JetStream answers only once the nodes have elected a meta leader (wait for that).
    public static func cluster(_ count: Int, directory: String) throws -> [NATSServerProcess] {
        let clientPorts = try (0..<count).map { _ in try freePort() }
        let routePorts = try (0..<count).map { _ in try freePort() }
        return try (0..<count).map { i in
            let routes = routePorts.enumerated().filter { $0.offset != i }.map { "nats://127.0.0.1:\($0.element)" }.joined(separator: ",")
            return try NATSServerProcess(storeDirectory: "\(directory)/n\(i + 1)", port: clientPorts[i], extraArguments: [
                "--cluster", "nats://127.0.0.1:\(routePorts[i])", "--routes", routes, "--cluster_name", "c", "--server_name", "n\(i + 1)",
            ])
        }
    }

    deinit { stop() }

    public var pid: Int32? { process.withLock { $0?.processIdentifier } }

    /// (Re)starts the server on the same port and store.
    public func start() throws {
        guard let executable = Self.executable else { throw DeliberateError() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", storeDirectory] + extraArguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process.withLock { $0 = p }
        try waitUntilAccepting()
    }

    /// Stops the server: gracefully (SIGTERM) or as a crash (SIGKILL).
    public func stop(kill9: Bool = false) {
        guard let p = process.withLock({ p in defer { p = nil }; return p }) else { return }
        if kill9 { kill(p.processIdentifier, SIGKILL) } else { p.terminate() }
        p.waitUntilExit()
    }

    /// Waits (up to 20 s, scaled) until a TCP client gets the server's INFO line.
    private func waitUntilAccepting() throws {
        let deadline = ContinuousClock.now.advanced(by: TestTime.scaled(.seconds(20)))
        while ContinuousClock.now < deadline {
            if Self.greets(port: port) { return }
            if process.withLock({ $0.map { !$0.isRunning } ?? true }) { break }
            usleep(20_000)
        }
        throw DeliberateError()
    }

    private static func greets(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { return false }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 4)
        return recv(fd, &buf, 4, 0) == 4 && buf == Array("INFO".utf8)
    }

    /// A port the kernel just handed out for a listener (closed again: the server binds it next).
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DeliberateError() }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw DeliberateError() }
        return UInt16(bigEndian: addr.sin_port)
    }
}
