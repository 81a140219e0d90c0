import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An SMTP client over a plain TCP socket (RFC 5321): one message to one or more recipients per
/// session — greeting, EHLO (HELO if refused), AUTH PLAIN when configured, MAIL FROM, RCPT TO,
/// DATA with dot-stuffing, QUIT.
///
/// Calls block (each read waits with `poll(2)` up to the relay's timeout), so callers run it on
/// a thread of their own, never on the cooperative pool. No TLS: the relay is the campus MTA on a
/// trusted network, which does TLS onward (docs/notifications.md).
public final class SMTPClient {
    public let relay: SMTPRelay
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private let parser = SMTPReplyParser()
    /// The EHLO reply's keywords (`AUTH PLAIN LOGIN`, `8BITMIME`, ...), upper-cased.
    public private(set) var extensions: [String] = []

    public init(relay: SMTPRelay) {
        self.relay = relay
    }

    deinit { closeSocket() }

    /// Sends `message` from `sender` to `recipients` in one session and says goodbye.
    ///
    /// - Returns: the reply to the end of DATA (the relay's queue id is usually in it).
    /// - Throws: ``SMTPError``, temporary or permanent as the relay's answer (or silence) says.
    @discardableResult
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) throws(SMTPError) -> SMTPReply {
        defer { closeSocket() }
        try connect()
        try expect(read("greeting"), "greeting")
        try hello()
        if let user = relay.username, let password = relay.password {
            try authenticate(user: user, password: password)
        }
        try expect(command("MAIL FROM:<\(sender)>", stage: "MAIL FROM"), "MAIL FROM")
        for r in recipients {
            try expect(command("RCPT TO:<\(r)>", stage: "RCPT TO"), "RCPT TO")
        }
        let go = try command("DATA", stage: "DATA")
        guard go.code == 354 else { throw SMTPError.reply(go, at: "DATA") }
        try write(Self.dotStuffed(message), stage: "DATA")
        let done = try read("end of DATA")
        try expect(done, "end of DATA")
        // The message is accepted; a QUIT that fails changes nothing (RFC 5321 §4.1.1.10).
        _ = try? command("QUIT", stage: "QUIT")
        return done
    }

    /// The message as it goes after DATA: each line starting with `.` gets one more (RFC 5321
    /// §4.5.2), bare LFs become CRLF, and the terminating `.` line follows.
    public static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 64)
        var atLineStart = true
        var previous: UInt8 = 0
        for b in message {
            if b == 10 && previous != 13 { out.append(13) }
            if atLineStart && b == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(b)
            atLineStart = b == 10
            previous = b
        }
        if !(out.count >= 2 && out[out.count - 2] == 13 && out[out.count - 1] == 10) { out += [13, 10] }
        out += Array(".\r\n".utf8)
        return out
    }

    // MARK: - Steps

    private func hello() throws(SMTPError) {
        let ehlo = try command("EHLO \(relay.heloName)", stage: "EHLO")
        if ehlo.code == 250 {
            extensions = ehlo.lines.dropFirst().map { $0.uppercased() }
            return
        }
        // An old server that knows no EHLO answers 500/502 (RFC 5321 §4.1.4): say HELO instead.
        guard ehlo.isPermanent else { throw SMTPError.reply(ehlo, at: "EHLO") }
        try expect(command("HELO \(relay.heloName)", stage: "HELO"), "HELO")
    }

    /// AUTH PLAIN (RFC 4954, RFC 4616): `\0user\0password` in base64 on the command line.
    private func authenticate(user: String, password: String) throws(SMTPError) {
        let offered = extensions.contains { $0.hasPrefix("AUTH") && $0.split(separator: " ").contains("PLAIN") }
        guard offered else {
            throw SMTPError(kind: .permanent, stage: "AUTH", message: "the relay does not offer AUTH PLAIN")
        }
        let token = Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
        let reply = try command("AUTH PLAIN \(token)", stage: "AUTH", logged: "AUTH PLAIN ***")
        guard reply.code == 235 else { throw SMTPError.reply(reply, at: "AUTH") }
    }

    private func expect(_ reply: SMTPReply, _ stage: String) throws(SMTPError) {
        guard reply.isPositive else { throw SMTPError.reply(reply, at: stage) }
    }

    private func command(_ line: String, stage: String, logged: String? = nil) throws(SMTPError) -> SMTPReply {
        guard !line.contains("\r"), !line.contains("\n") else {
            throw SMTPError(kind: .permanent, stage: stage, message: "line break in a command argument")
        }
        try write(Array((line + "\r\n").utf8), stage: stage)
        return try read(stage)
    }

    // MARK: - Socket

    private func connect() throws(SMTPError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(relay.host, String(relay.port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SMTPError(kind: .temporary, stage: "connect", message: "cannot resolve \(relay.host): \(String(cString: gai_strerror(rc)))",
                            connectionLevel: true)
        }
        defer { freeaddrinfo(list) }
        var lastError = SMTPError(kind: .temporary, stage: "connect", message: "no address", connectionLevel: true)
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            do throws(SMTPError) {
                try connect(to: ai.pointee)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// A non-blocking connect bounded by the timeout, then back to blocking with poll-guarded reads.
    private func connect(to ai: addrinfo) throws(SMTPError) {
        closeSocket()
        let s = socket(ai.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SMTPError.posix("connect", "socket") }
        fd = s
        let flags = fcntl(s, F_GETFL)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(s, ai.ai_addr, ai.ai_addrlen) != 0 {
            let e = errno
            guard e == EINPROGRESS else { throw SMTPError.posix("connect", "connect", errno: e) }
            var pfd = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, Self.milliseconds(relay.timeout))
            guard ready > 0 else {
                throw SMTPError(kind: .temporary, stage: "connect", message: "timed out connecting to \(relay.host):\(relay.port)",
                                connectionLevel: true)
            }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s, SOL_SOCKET, SO_ERROR, &soError, &len)
            guard soError == 0 else { throw SMTPError.posix("connect", "connect", errno: soError) }
        }
        _ = fcntl(s, F_SETFL, flags)
        // A relay that stops reading must not hang a send forever.
        var tv = timeval(tv_sec: Int(max(1, relay.timeout.components.seconds)), tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        buffer = []
    }

    private func write(_ bytes: [UInt8], stage: String) throws(SMTPError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK {
                    throw SMTPError(kind: .temporary, stage: stage, message: "timed out sending", connectionLevel: true)
                }
                throw SMTPError.posix(stage, "send", errno: e)
            }
            sent += n
        }
    }

    /// Reads one whole reply, waiting at most the timeout for each piece of it.
    private func read(_ stage: String) throws(SMTPError) -> SMTPReply {
        while true {
            if case .reply(let reply, let consumed) = try parser.parse(buffer[...]) {
                buffer.removeFirst(consumed)
                return reply
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Self.milliseconds(relay.timeout))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else {
                throw SMTPError(kind: .temporary, stage: stage, message: "no reply within \(relay.timeout)", connectionLevel: true)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n < 0 { throw SMTPError.posix(stage, "recv") }
                throw SMTPError(kind: .temporary, stage: stage, message: "the relay closed the connection", connectionLevel: true)
            }
            buffer += chunk[0..<n]
        }
    }

    private func closeSocket() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private static func milliseconds(_ d: Duration) -> Int32 {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, ms))
    }
}
