import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately small HTTP/1.1 client over a plain socket, for the server's live test and the end-to-end tests.
///
/// Tests need to see exactly what the server sends (redirects not followed, cookies not stored,
/// responses read one at a time, so pipelined answers can be checked in order) and to send exactly
/// what they want (hostile bytes, a request split into single bytes for slowloris), which a full
/// client like URLSession hides. Calls block, each with a deadline (`poll(2)`, scaled by
/// ``TestTime``), so run suites that use it `.onDedicatedThreads`, never on the cooperative pool.
public final class RawHTTPClient {
    public let host: String
    public let port: UInt16
    /// How long one read waits for the server before it throws.
    public let timeout: Duration
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// True once the server closed the connection (or reset it) during a read.
    public private(set) var sawEOF = false

    /// A response as it came off the wire; headers ordered, repeated ones kept.
    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The first value of `name` (case-insensitive).
        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        /// Every value of `name` (case-insensitive), in order.
        public func headers(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
    }

    /// A socket call failed (`errno` set) or the server did not answer as HTTP in time.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var errno: Int32?
        public init(description: String, errno: Int32? = nil) {
            self.description = description
            self.errno = errno
        }
    }

    /// A client for `host:port`; it connects on first use (or `connect()`).
    public init(port: UInt16, host: String = "127.0.0.1", timeout: Duration = .seconds(60)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// A client connected at once; throws (`errno` ECONNREFUSED) when nothing listens.
    public static func connected(port: UInt16, host: String = "127.0.0.1", timeout: Duration = .seconds(60)) throws -> RawHTTPClient {
        let client = RawHTTPClient(port: port, host: host, timeout: timeout)
        try client.connect()
        return client
    }

    deinit { close() }

    // MARK: - Connection

    public func connect() throws {
        close()
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)", errno: errno) }
        // A send to a server that stopped reading must not hang the test forever.
        let seconds = TestTime.scaled(timeout).components.seconds
        var tv = timeval(tv_sec: Int(max(1, seconds)), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close()
            throw Failure(description: "connect to \(host):\(port): errno \(e)", errno: e)
        }
        buffer = []
        sawEOF = false
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    public var isConnected: Bool { fd >= 0 }

    // MARK: - Sending

    /// Sends bytes as they are (connecting first if needed), however many writes it takes.
    ///
    /// - Parameter toleratingClose: return quietly when the server already closed the connection
    ///   (EPIPE, ECONNRESET): a server may answer a bad request early and close; the response, read
    ///   next, tells what happened.
    public func sendRaw(_ bytes: [UInt8], toleratingClose: Bool = false) throws {
        if fd < 0 { try connect() }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                if toleratingClose && (e == EPIPE || e == ECONNRESET) { return }
                throw Failure(description: "send: errno \(e)", errno: e)
            }
            sent += n
        }
    }

    public func sendRaw(_ text: String, toleratingClose: Bool = false) throws {
        try sendRaw(Array(text.utf8), toleratingClose: toleratingClose)
    }

    /// Sends a request and reads its response; reconnects if the server closed the connection.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        if fd < 0 { try connect() }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try sendRaw(Array(head.utf8) + body)
        let response = try readResponse(bodyless: method == "HEAD")
        if response.header("Connection")?.lowercased() == "close" { close() }
        return response
    }

    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], text: String) throws -> Response {
        try request(method, target, headers: headers, body: Array(text.utf8))
    }

    // MARK: - Reading

    /// Reads one response (the next one, when several were pipelined).
    ///
    /// - Parameter bodyless: the answer to a HEAD request: its Content-Length describes no body.
    /// - Throws: ``Failure`` when the connection closes first or nothing arrives within `timeout`.
    public func readResponse(bodyless: Bool = false, within: Duration? = nil) throws -> Response {
        let deadline = ContinuousClock.now + TestTime.scaled(within ?? timeout)
        while true {
            if let end = headerEnd() {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line \(statusLine)") }
                var headers: [(String, String)] = []
                for line in lines where !line.isEmpty {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                let length = bodyless ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard try fill(until: deadline) else { throw Failure(description: "connection closed mid-body") }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill(until: deadline) else {
                throw Failure(description: "connection closed before a response (\(buffer.count) bytes read)")
            }
        }
    }

    /// Waits until the server closes the connection; true if no further bytes came before the close.
    ///
    /// - Throws: ``Failure`` when the connection is still open after `within` (scaled).
    @discardableResult
    public func waitForClose(within: Duration = .seconds(60)) throws -> Bool {
        let deadline = ContinuousClock.now + TestTime.scaled(within)
        if fd < 0 { return buffer.isEmpty }
        while try fill(until: deadline) {}
        return buffer.isEmpty
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Reads what has arrived, waiting for it until `deadline`; false at end of stream.
    private func fill(until deadline: ContinuousClock.Instant) throws -> Bool {
        guard fd >= 0, !sawEOF else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw Failure(description: "no bytes from \(host):\(port) before the deadline") }
            let ms = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 1000))
            let rc = poll(&pfd, 1, ms)
            if rc < 0 && errno != EINTR { throw Failure(description: "poll: errno \(errno)", errno: errno) }
            if rc > 0 { break }
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            let e = errno
            if e == ECONNRESET { sawEOF = true; return false }
            throw Failure(description: "recv: errno \(e)", errno: e)
        }
        if n == 0 { sawEOF = true; return false }
        buffer += chunk[..<n]
        return true
    }

    // MARK: - Ports

    /// A free TCP port on loopback (bound then released; another process could take it meanwhile).
    public static func freePort() -> UInt16 {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }
}
