import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection to a NATS server of a list, written to the client protocol over a
/// plain socket: CONNECT, PUB/HPUB, SUB/UNSUB, PING/PONG, request/reply on one wildcard inbox,
/// and reconnection (to the next server of the list) with every subscription made again.
///
/// Threads: a reader thread of its own (never the cooperative pool) reads, parses and hands
/// messages to subscription handlers, answers PINGs and reconnects; any thread may publish,
/// writes being serialised by the mutex that also holds the descriptor and the subscriptions,
/// so a SUB is never lost between a reconnect's snapshot and a new subscription.
public final class NATSConnection: Sendable {
    public typealias Handler = @Sendable (NATSMessage) -> Void

    struct Subscription {
        var subject: String
        var handler: Handler
    }

    struct IO {
        var fd: Int32 = -1
        var subscriptions: [Int: Subscription] = [:]
        var nextSid = 1
        var maxPayload = 1 << 20
        var connectedTo: NATSServerAddress?
        var reconnects = 0
        var closed = false
        /// Why the last attempt to connect failed (a server's -ERR such as "Authorization Violation").
        var lastConnectError: String?
    }

    public let options: NATSConnectionOptions
    /// `_INBOX.<random>.`: replies to this connection's requests arrive under it.
    public let inboxPrefix: String
    private let io = Mutex(IO())
    private let router: InboxRouter
    private let pongWaiters = Mutex<[DispatchSemaphore]>([])
    private let readerExited = DispatchSemaphore(value: 0)

    /// Connects to the first server of the list that answers, within `connectTimeout` per server.
    public init(options: NATSConnectionOptions) throws(NATSError) {
        self.options = options
        inboxPrefix = "_INBOX.\(NATSConnection.randomToken())."
        let inboxSid = io.withLock { s in
            let sid = s.nextSid
            s.nextSid += 1
            return sid
        }
        let router = InboxRouter(prefix: inboxPrefix)
        self.router = router
        io.withLock { s in
            s.subscriptions[inboxSid] = Subscription(subject: router.prefix + "*") { m in router.route(m) }
        }
        let connected = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in run(firstConnect: connected) }
        thread.name = "nats-reader"
        thread.start()
        let budget = options.connectTimeout * max(1, options.servers.count) + .milliseconds(500)
        if connected.wait(timeout: .now() + .milliseconds(Int(budget.milliseconds))) != .success || !isConnected {
            close()
            let last = io.withLock { $0.lastConnectError }.map { " (last: \($0))" } ?? ""
            throw NATSError(.connectionFailed, "connect", "no server of \(options.servers) answered\(last)")
        }
    }

    deinit { close() }

    // MARK: - State

    public var isConnected: Bool { io.withLock { $0.fd >= 0 } }
    /// The server's `max_payload` (headers included) from its INFO.
    public var maxPayload: Int { io.withLock { $0.maxPayload } }
    /// The server currently connected to.
    public var connectedServer: NATSServerAddress? { io.withLock { $0.connectedTo } }
    /// How many times the connection was made again after a drop.
    public var reconnects: Int { io.withLock { $0.reconnects } }

    /// Closes the socket and stops the reader; later calls throw `.closed`.
    public func close() {
        let fd: Int32 = io.withLock { s in
            if s.closed { return -2 }
            s.closed = true
            return s.fd
        }
        if fd == -2 { return }
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        _ = readerExited.wait(timeout: .now() + .seconds(5))
        // Handlers may hold what holds this connection: let them go.
        io.withLock { $0.subscriptions = [:] }
    }

    /// Drops the socket as a network failure would (tests of reconnection).
    public func dropSocket() {
        io.withLock { s in if s.fd >= 0 { shutdown(s.fd, Int32(SHUT_RDWR)) } }
    }

    // MARK: - Publishing and subscribing

    /// Publishes `payload` (with headers: HPUB) to `subject`, waiting up to `requestTimeout` for a
    /// connection (or, with `waitForConnection` false, failing at once while there is none).
    public func publish(_ subject: String, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: [UInt8],
                        waitForConnection: Bool = true) throws(NATSError) {
        var line: String
        var frame: [UInt8]
        let reply = replyTo.map { " " + $0 } ?? ""
        if let headers {
            let h = headers.encoded
            line = "HPUB \(subject)\(reply) \(h.count) \(h.count + payload.count)\r\n"
            frame = Array(line.utf8) + h + payload
        } else {
            line = "PUB \(subject)\(reply) \(payload.count)\r\n"
            frame = Array(line.utf8) + payload
        }
        frame += [13, 10]
        let size = frame.count - line.utf8.count - 2
        let limit = maxPayload
        guard size <= limit else { throw NATSError(.tooLarge, "publish \(subject)", "\(size) bytes over max_payload \(limit)") }
        try write(frame, operation: "publish \(subject)", wait: waitForConnection ? options.requestTimeout : .zero)
    }

    /// Subscribes `handler` (called on the reader thread: keep it short) to `subject`.
    public func subscribe(_ subject: String, handler: @escaping Handler) throws(NATSError) -> Int {
        let result: Result<Int, NATSError> = io.withLock { s in
            if s.closed { return .failure(NATSError(.closed, "subscribe \(subject)")) }
            let sid = s.nextSid
            s.nextSid += 1
            s.subscriptions[sid] = Subscription(subject: subject, handler: handler)
            // Not connected: the reconnect sends it with the others.
            if s.fd >= 0 { _ = NATSSocket.writeAll(s.fd, Array("SUB \(subject) \(sid)\r\n".utf8)) }
            return .success(sid)
        }
        return try result.get()
    }

    /// Ends a subscription (its handler is not called again).
    public func unsubscribe(_ sid: Int) {
        io.withLock { s in
            guard s.subscriptions.removeValue(forKey: sid) != nil else { return }
            if s.fd >= 0 { _ = NATSSocket.writeAll(s.fd, Array("UNSUB \(sid)\r\n".utf8)) }
        }
    }

    /// Sends PING and waits for the PONG: everything written before has been processed by the server.
    public func flush(timeout: Duration? = nil) throws(NATSError) {
        let sem = DispatchSemaphore(value: 0)
        pongWaiters.withLock { $0.append(sem) }
        try write(Array("PING\r\n".utf8), operation: "flush", wait: options.requestTimeout)
        let t = timeout ?? options.requestTimeout
        guard sem.wait(timeout: .now() + .milliseconds(Int(t.milliseconds))) == .success else {
            pongWaiters.withLock { $0.removeAll { $0 === sem } }
            throw NATSError(.timedOut, "flush", "no PONG in \(t)")
        }
    }

    // MARK: - Request/reply

    /// A fresh reply subject under this connection's inbox and the mailbox its messages go to.
    public func openInbox() -> (subject: String, mailbox: NATSMailbox) {
        let token = NATSConnection.randomToken()
        let mailbox = NATSMailbox()
        router.open(token, mailbox)
        return (inboxPrefix + token, mailbox)
    }

    /// Stops routing to an inbox; later messages to it are dropped.
    public func closeInbox(_ subject: String) {
        router.close(String(subject.dropFirst(inboxPrefix.count)))
    }

    /// Publishes a request and waits for its one reply.
    ///
    /// - Throws: `.noResponders` (status 503), `.timedOut`, or what `publish` throws.
    public func request(_ subject: String, headers: NATSHeaders? = nil, payload: [UInt8], timeout: Duration? = nil) throws(NATSError) -> NATSMessage {
        let (inbox, mailbox) = openInbox()
        defer { closeInbox(inbox) }
        try publish(subject, replyTo: inbox, headers: headers, payload: payload)
        let t = timeout ?? options.requestTimeout
        guard let reply = mailbox.next(timeout: t) else { throw NATSError(.timedOut, "request \(subject)", "no reply in \(t)") }
        if reply.headers.status == 503 { throw NATSError(.noResponders, "request \(subject)", "no responders") }
        return reply
    }

    // MARK: - Writing

    private func write(_ frame: [UInt8], operation: String, wait: Duration) throws(NATSError) {
        let deadline = ContinuousClock.now.advanced(by: wait)
        while true {
            let outcome: Int = io.withLock { s in
                if s.closed { return -2 }
                guard s.fd >= 0 else { return -1 }
                if NATSSocket.writeAll(s.fd, frame) { return 1 }
                shutdown(s.fd, Int32(SHUT_RDWR))  // the reader sees the drop and reconnects
                return 0
            }
            switch outcome {
            case 1: return
            case -2: throw NATSError(.closed, operation)
            case 0: throw NATSError(.connectionFailed, operation, "write failed: \(String(cString: strerror(errno)))")
            default:
                if ContinuousClock.now >= deadline { throw NATSError(.connectionFailed, operation, "not connected within \(wait)") }
                usleep(2_000)
            }
        }
    }

    // MARK: - The reader thread

    private var isClosed: Bool { io.withLock { $0.closed } }

    private func run(firstConnect: DispatchSemaphore) {
        var next = 0
        var signalled = false
        var everConnected = false
        while !isClosed {
            var connected: (fd: Int32, parser: NATSProtocolParser, index: Int)?
            for i in 0..<options.servers.count where !isClosed {
                let index = (next + i) % options.servers.count
                do {
                    let c = try handshake(options.servers[index], reconnect: everConnected)
                    connected = (c.fd, c.parser, index)
                    break
                } catch {
                    io.withLock { $0.lastConnectError = error.description }
                }
            }
            guard let c = connected else {
                usleep(UInt32(max(1, options.reconnectWait.milliseconds)) * 1000)
                continue
            }
            everConnected = true
            if !signalled { signalled = true; firstConnect.signal() }
            readLoop(fd: c.fd, parser: c.parser)
            io.withLock { s in
                Glibc.close(c.fd)
                s.fd = -1
                s.connectedTo = nil
            }
            next = c.index + 1
        }
        if !signalled { firstConnect.signal() }
        readerExited.signal()
    }

    /// Connects, reads INFO, sends CONNECT and every subscription; publishes the descriptor.
    private func handshake(_ server: NATSServerAddress, reconnect: Bool) throws(NATSError) -> (fd: Int32, parser: NATSProtocolParser) {
        let fd = try NATSSocket.connect(to: server, timeout: options.connectTimeout)
        var parser = NATSProtocolParser()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var info: [UInt8]?
        let deadline = ContinuousClock.now.advanced(by: options.connectTimeout)
        /// Reads the next bytes the server sent into `parser`; closes `fd` and throws when the
        /// deadline passes or the server closes before `awaited` came.
        func receive(_ awaited: String) throws(NATSError) {
            while true {
                guard ContinuousClock.now < deadline else {
                    Glibc.close(fd)
                    throw NATSError(.connectionFailed, "connect \(server)", "no \(awaited)")
                }
                // The socket blocks: recv only once there is something to read, or a silent
                // server (stopped, not dead) would hold this thread past the deadline.
                guard NATSSocket.waitReadable(fd, milliseconds: 100) else { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 {
                    parser.append(buffer[0..<n])
                    return
                }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                Glibc.close(fd)
                throw NATSError(.connectionFailed, "connect \(server)", "closed before \(awaited)")
            }
        }
        while info == nil {
            try receive("INFO")
            do {
                if case .info(let json)? = try parser.next() { info = json }
            } catch {
                Glibc.close(fd)
                throw NATSError(.protocolViolation, "connect \(server)", "\(error)")
            }
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(info ?? []))) as? [String: Any] ?? [:]
        let maxPayload = (object["max_payload"] as? Int) ?? (1 << 20)
        parser.maxPayload = maxPayload + 64 * 1024
        let name = options.name.replacingOccurrences(of: "\"", with: "")
        let connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"name\":\"\(name)\",\"lang\":\"swift\","
            + "\"version\":\"1.0\",\"protocol\":1,\"headers\":true,\"no_responders\":true\(options.credentials.connectFields)}\r\nPING\r\n"
        // Nothing else is written to `fd` before it is in `io`: CONNECT and a PING first, and the
        // PONG (or the server's -ERR, such as "Authorization Violation") read before anything more.
        guard NATSSocket.writeAll(fd, Array(connect.utf8)) else {
            Glibc.close(fd)
            throw NATSError(.connectionFailed, "connect \(server)", "CONNECT not written")
        }
        while true {
            let op: NATSServerOp?
            do { op = try parser.next() } catch {
                Glibc.close(fd)
                throw NATSError(.protocolViolation, "connect \(server)", "\(error)")
            }
            switch op {
            case .pong?: break
            case .err(let text)?:
                Glibc.close(fd)
                throw NATSError(.connectionFailed, "connect \(server)", "refused by the server: \(text)")
            case .ping?:
                _ = NATSSocket.writeAll(fd, Array("PONG\r\n".utf8))
                continue
            case .some:
                continue  // +OK, a later INFO: nothing to do before the PONG
            case nil:
                try receive("PONG after CONNECT")
                continue
            }
            break
        }
        let ok: Bool = io.withLock { s in
            var frame: [UInt8] = []
            for (sid, sub) in s.subscriptions.sorted(by: { $0.key < $1.key }) { frame += Array("SUB \(sub.subject) \(sid)\r\n".utf8) }
            guard !s.closed, NATSSocket.writeAll(fd, frame) else { return false }
            s.fd = fd
            s.maxPayload = maxPayload
            s.connectedTo = server
            if reconnect { s.reconnects += 1 }
            return true
        }
        guard ok else {
            Glibc.close(fd)
            throw NATSError(.connectionFailed, "connect \(server)", "CONNECT not written")
        }
        return (fd, parser)
    }

    private func readLoop(fd: Int32, parser initial: NATSProtocolParser) {
        var parser = initial
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var lastRead = ContinuousClock.now
        var pingsOut = 0
        while !isClosed {
            // Operations already buffered (the handshake may have read past INFO).
            do {
                while let op = try parser.next() { handle(op, fd: fd, pingsOut: &pingsOut) }
            } catch {
                return
            }
            if !NATSSocket.waitReadable(fd, milliseconds: 100) {
                let idle = ContinuousClock.now - lastRead
                if idle > options.pingInterval * (pingsOut + 1) {
                    if pingsOut >= 2 { return }  // two pings unanswered: the server is gone
                    pingsOut += 1
                    let sent = io.withLock { NATSSocket.writeAll(fd, Array("PING\r\n".utf8)) && $0.fd == fd }
                    if !sent { return }
                }
                continue
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return }
            lastRead = .now
            parser.append(buffer[0..<n])
        }
    }

    private func handle(_ op: NATSServerOp, fd: Int32, pingsOut: inout Int) {
        switch op {
        case .ping:
            io.withLock { _ in _ = NATSSocket.writeAll(fd, Array("PONG\r\n".utf8)) }
        case .pong:
            pingsOut = 0
            if let sem = pongWaiters.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { sem.signal() }
        case .msg(let m):
            if let handler = io.withLock({ $0.subscriptions[m.sid]?.handler }) { handler(m) }
        case .info(let json):
            let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] ?? [:]
            if let mp = object["max_payload"] as? Int { io.withLock { $0.maxPayload = mp } }
        case .ok, .err:
            break  // -ERR: the server closes the connection when the error is fatal; the drop reconnects
        }
    }

    static func randomToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<22).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}
