#if canImport(Glibc)
import Glibc
#endif

/// A failed socket system call, with the errno captured where it failed.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    /// Captures the current `errno` for `operation` (FlyingFox's `makeFailed` shape).
    static func posix(_ operation: StaticString) -> SocketError {
        SocketError(operation: "\(operation)", errno: Glibc.errno)
    }

    public var description: String { "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// What a non-blocking receive found.
public enum SocketReceive: Sendable, Equatable {
    case bytes(Int)
    case wouldBlock
    case closed
}

/// A TCP socket file descriptor and the few calls the server makes on it (IPv4, Glibc).
///
/// A plain value: ownership (who closes) is the caller's business, so the event loop keeps the
/// only copy of a connection's socket. Every call retries EINTR; sends use MSG_NOSIGNAL so a
/// peer that went away yields EPIPE instead of killing the process with SIGPIPE.
public struct Socket: Sendable, Hashable {
    public let fd: Int32

    public init(fd: Int32) {
        self.fd = fd
    }

    /// A non-blocking listening socket on `host:port` (port 0 picks a free port; see ``boundPort()``).
    public static func listen(host: String, port: UInt16, backlog: Int32 = 1024) throws(SocketError) -> Socket {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .posix("socket") }
        let socket = Socket(fd: fd)
        do throws(SocketError) {
            // SO_REUSEADDR: a restarted gateway can bind while old connections sit in TIME_WAIT.
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            var address = try makeAddress(host: host, port: port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw SocketError.posix("bind") }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError.posix("listen") }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// A connected client socket (blocking connect, then non-blocking); for tools and tests.
    public static func connect(host: String, port: UInt16) throws(SocketError) -> Socket {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .posix("socket") }
        let socket = Socket(fd: fd)
        do throws(SocketError) {
            var address = try makeAddress(host: host, port: port)
            var result: Int32
            repeat {
                result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } while result != 0 && Glibc.errno == EINTR
            guard result == 0 else { throw SocketError.posix("connect") }
            try socket.setNonBlocking()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    private static func makeAddress(host: String, port: UInt16) throws(SocketError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SocketError(operation: "inet_pton", errno: EINVAL) }
        return address
    }

    /// The local port, e.g. the one the kernel chose for port 0.
    public func boundPort() throws(SocketError) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .posix("getsockname") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The peer's IPv4 address in dotted form (`getpeername`), or nil when the peer is gone.
    public func peerAddress() -> String? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Accepts one pending connection as a non-blocking socket, or nil when none is waiting.
    public func accept() throws(SocketError) -> Socket? {
        while true {
            // accept4 is hidden behind _GNU_SOURCE in Swift's Glibc module, so set the flags after.
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                let socket = Socket(fd: client)
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                do throws(SocketError) {
                    try socket.setNonBlocking()
                } catch {
                    socket.close()
                    throw error
                }
                return socket
            }
            switch Glibc.errno {
            case EINTR: continue
            // The peer gave up between SYN and accept: not our error, try the next one.
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNABORTED, EPROTO: continue
            default: throw .posix("accept")
            }
        }
    }

    /// Reads what is available into `buffer`.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> SocketReceive {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch Glibc.errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw .posix("recv")
            }
        }
    }

    /// Writes as much of `bytes` as the kernel takes now; 0 when it would block.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            switch Glibc.errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: throw .posix("send")
            }
        }
    }

    /// Writes as much of `first` then `second` as the kernel takes now, in one `sendmsg`; 0 when
    /// it would block. A response's head and body go out without being copied into one buffer.
    public func send(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        try withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { (iov) throws(SocketError) -> Int in
            iov[0] = iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count)
            iov[1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
            var message = msghdr()
            message.msg_iov = iov.baseAddress
            message.msg_iovlen = iov.count
            while true {
                let n = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                if n >= 0 { return n }
                switch Glibc.errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return 0
                default: throw .posix("sendmsg")
                }
            }
        }
    }

    /// Waits up to `milliseconds` for `events` (POLLIN, POLLOUT); true if one is ready.
    public func poll(_ events: Int16, milliseconds: Int32) throws(SocketError) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let n = Glibc.poll(&entry, 1, milliseconds)
            if n >= 0 { return n > 0 }
            if Glibc.errno != EINTR { throw .posix("poll") }
        }
    }

    /// Sends responses at once instead of waiting to coalesce (Nagle), which hurts request/response.
    public func setNoDelay() throws(SocketError) {
        try setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    public func setNonBlocking() throws(SocketError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw .posix("fcntl") }
    }

    /// Stops sending (FIN) while still reading, for a lingering close.
    public func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    public func close() {
        // Linux always releases the descriptor, even on EINTR; retrying could close a reused fd.
        _ = Glibc.close(fd)
    }

    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw .posix("setsockopt") }
    }
}
