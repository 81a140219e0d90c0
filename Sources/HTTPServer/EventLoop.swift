import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's I/O thread: poll(2) over a wake-up pipe, the listener and every connection.
///
/// poll, not epoll: Swift's Glibc module does not export `sys/epoll.h`, and with connections
/// capped at 512 rebuilding the poll set each turn costs microseconds (see docs/http.md).
///
/// Safe because (for `@unchecked Sendable`): all mutable connection state is touched only by
/// the thread running ``run(submit:)``; other threads reach the loop only through `inbox`
/// (a `Mutex`), the atomics, and `wake()`, which writes to a pipe.
final class EventLoop: @unchecked Sendable {
    /// A complete request handed to the handler pool; `id` tells a reused fd apart.
    struct Job: Sendable {
        var fd: Int32
        var id: UInt64
        var request: HTTPRequest
    }

    private struct Inbox {
        var completions: [(Job, HTTPResponse)] = []
        var shutdownRequested = false
    }

    private enum Phase { case reading, handling, writing, lingering }
    private enum Deadline { case none, idle, header, body, write, linger }

    /// Per-connection state; lives only on the loop thread.
    private final class Connection {
        let socket: Socket
        let id: UInt64
        var input: [UInt8] = []
        var parser: HTTPParser
        /// The response being written: its head, then its body (sent together, never joined).
        var output: [UInt8] = []
        var outputBody: [UInt8] = []
        var written = 0
        var phase = Phase.reading
        var deadlineKind = Deadline.idle
        var deadline: UInt64
        var closeAfterWrite = false
        var peerClosed = false
        var interest = Int16(POLLIN)
        var method = HTTPMethod.get
        var version = HTTPVersion.http11
        /// The client's address, read once at accept; every request of the connection carries it.
        let remoteAddress: String?
        /// While a streamed body arrives: its sink, the request's head, and the bytes still to come.
        var sink: (any RequestBodySink)?
        var streamHead: HTTPRequest?
        var streamRemaining = 0

        init(socket: Socket, id: UInt64, parser: HTTPParser, deadline: UInt64) {
            self.socket = socket
            self.remoteAddress = socket.peerAddress()
            self.id = id
            self.parser = parser
            self.deadline = deadline
        }
    }

    let connectionCount = Atomic<Int>(0)
    private let inbox = Mutex(Inbox())
    private let listener: Socket
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let configuration: ServerConfiguration
    private let log: HTTPLogHandler?

    // Loop-thread state.
    private var connections: [Int32: Connection] = [:]
    private var nextID: UInt64 = 0
    private var listening = true
    private var acceptPausedUntil: UInt64 = 0
    private var shuttingDown = false
    private var graceDeadline: UInt64 = 0
    private var cachedDateSecond = -1
    private var cachedDate = ""
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private let tick: Int32

    init(listener: Socket, configuration: ServerConfiguration) throws(SocketError) {
        self.listener = listener
        self.configuration = configuration
        self.log = configuration.log
        let smallest = [configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout, configuration.writeTimeout].min() ?? .seconds(1)
        tick = Int32(max(10, min(100, smallest.nanoseconds / 4_000_000)))
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .posix("pipe") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: - Cross-thread entry points

    /// Hands a handler's response back to the loop (any thread).
    func complete(_ job: Job, _ response: HTTPResponse) {
        let wasEmpty = inbox.withLock { inbox in
            inbox.completions.append((job, response))
            return inbox.completions.count == 1
        }
        if wasEmpty { wake() }
    }

    func requestShutdown() {
        inbox.withLock { $0.shutdownRequested = true }
        wake()
    }

    private func wake() {
        // A full pipe already means "wake up"; EAGAIN is fine.
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
    }

    // MARK: - The loop

    /// Runs until shutdown has drained every connection; `submit` starts a handler.
    func run(submit: (Job) -> Void) {
        var set: [pollfd] = []
        var owners: [Connection] = []
        var nextSweep = Self.now() + UInt64(tick) * 1_000_000
        while true {
            set.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            set.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            let acceptsNow = listening && acceptPausedUntil == 0
            set.append(pollfd(fd: acceptsNow ? listener.fd : -1, events: Int16(POLLIN), revents: 0))
            for c in connections.values {
                set.append(pollfd(fd: c.socket.fd, events: c.interest, revents: 0))
                owners.append(c)
            }
            let n = poll(&set, nfds_t(set.count), tick)
            if n < 0 && errno != EINTR {
                log?(HTTPLogEvent(.error, "poll failed", [("errno", "\(errno)")]))
                break
            }
            if n > 0 {
                if set[0].revents != 0 { drainInbox() }
                if set[1].revents != 0 { acceptAll() }
                for (i, c) in owners.enumerated() where set[i + 2].revents != 0 {
                    handleEvent(c, flags: set[i + 2].revents, submit: submit)
                }
            }
            // Completions are drained every turn, not only on the eventfd, so a busy loop
            // never starves handlers of their answers.
            drainInbox()
            processCompleted(submit: submit)
            let now = Self.now()
            if now >= nextSweep {
                sweep(now: now)
                nextSweep = now + UInt64(tick) * 1_000_000
            }
            if shuttingDown && (connections.isEmpty || now >= graceDeadline) { break }
        }
        for connection in Array(connections.values) { close(connection) }
        if listening { listener.close() }
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    private var completed: [(Job, HTTPResponse)] = []

    private func drainInbox() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &scratch, scratch.count) > 0 {}
        let (items, stop) = inbox.withLock { inbox in
            // A new array, not `removeAll(keepingCapacity:)`: the returned copy shares the buffer, and
            // a kept capacity taken from malloc's rounded size could only grow, drain after drain.
            defer { inbox.completions = [] }
            return (inbox.completions, inbox.shutdownRequested)
        }
        completed += items
        if stop && !shuttingDown { beginShutdown() }
    }

    private func processCompleted(submit: (Job) -> Void) {
        while !completed.isEmpty {
            let batch = completed
            completed.removeAll()
            for (job, response) in batch {
                guard let connection = connections[job.fd], connection.id == job.id, connection.phase == .handling else { continue }
                respond(connection, response, submit: submit)
            }
        }
    }

    // MARK: - Accepting

    private func acceptAll() {
        while listening {
            let socket: Socket?
            do {
                socket = try listener.accept()
            } catch {
                // EMFILE/ENFILE: stop accepting briefly instead of spinning on a ready listener.
                log?(HTTPLogEvent(.warning, "accept failed", [("errno", "\(error.errno)")]))
                acceptPausedUntil = Self.now() + 100_000_000
                return
            }
            guard let socket else { return }
            if connections.count >= configuration.maxConnections {
                rejectOverCapacity(socket)
                continue
            }
            try? socket.setNoDelay()
            nextID += 1
            let streamingLimit = configuration.streamingBody.map { route in { @Sendable (head: HTTPRequest) in route(head)?.maxBodyBytes } }
            let parser = HTTPParser(limits: configuration.limits, streamingLimit: streamingLimit)
            let connection = Connection(socket: socket, id: nextID, parser: parser, deadline: Self.now() + configuration.idleTimeout.nanoseconds)
            connections[socket.fd] = connection
            connectionCount.store(connections.count, ordering: .relaxed)
        }
    }

    private lazy var overCapacityResponse: [UInt8] = (try? HTTPSerializer.serialize(HTTPSerializer.errorResponse(.serviceUnavailable), requestMethod: .get, close: true, date: date())) ?? []

    /// Beyond the cap: a best-effort 503 and close, so the loop's memory stays bounded.
    private func rejectOverCapacity(_ socket: Socket) {
        log?(HTTPLogEvent(.warning, "connection rejected over capacity", [("http.connections", "\(connections.count)")]))
        let bytes = overCapacityResponse
        _ = bytes.withUnsafeBytes { try? socket.send($0) }
        socket.shutdownWrite()
        socket.close()
    }

    // MARK: - Connection events

    private func handleEvent(_ c: Connection, flags: Int16, submit: (Job) -> Void) {
        guard connections[c.socket.fd] === c else { return }
        if flags & Int16(POLLERR | POLLNVAL) != 0 {
            close(c)
            return
        }
        if flags & Int16(POLLOUT) != 0, c.phase == .writing {
            flush(c, submit: submit)
            if connections[c.socket.fd] == nil { return }
        }
        if flags & Int16(POLLIN | POLLHUP) != 0 {
            switch c.phase {
            case .reading:
                readAvailable(c)
                if connections[c.socket.fd] != nil { process(c, submit: submit) }
            case .lingering:
                discard(c)
            case .handling, .writing:
                // Not reading now (backpressure); a hang-up alone means the peer is gone.
                if flags & Int16(POLLHUP) != 0 { close(c) }
            }
        }
    }

    private func readAvailable(_ c: Connection) {
        do {
            switch try c.socket.receive(into: readBuffer) {
            case .bytes(let n):
                if c.input.isEmpty && !c.parser.hasPartialRequest && c.sink == nil {
                    // First byte of a request: the header deadline starts now.
                    c.deadlineKind = .header
                    c.deadline = Self.now() + configuration.headerTimeout.nanoseconds
                }
                c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            case .wouldBlock:
                break
            case .closed:
                c.peerClosed = true
                setInterest(c, 0)
            }
        } catch {
            close(c)
        }
    }

    /// Parses what is buffered and starts the handler for a complete request.
    private func process(_ c: Connection, submit: (Job) -> Void) {
        guard c.phase == .reading else { return }
        if c.sink != nil {
            feedStream(c, submit: submit)
            return
        }
        let result: HTTPParseResult
        do {
            result = try c.input.withUnsafeBufferPointer { (b) throws(HTTPParseError) -> HTTPParseResult in try c.parser.parse(b) }
        } catch {
            log?(HTTPLogEvent(.info, "request refused", [("http.status", "\(error.status.code)"), ("http.error", "\(error)")]))
            c.input.removeAll()
            c.method = .get
            c.version = .http11
            c.closeAfterWrite = true
            send(c, HTTPSerializer.errorResponse(error.status), submit: submit)
            return
        }
        switch result {
        case .needMoreData:
            if c.peerClosed {
                close(c)
            } else if c.parser.isReadingBody && c.deadlineKind != .body {
                c.deadlineKind = .body
                c.deadline = Self.now() + configuration.bodyTimeout.nanoseconds
            }
        case .request(let request, let consumed):
            c.input.removeFirst(consumed)
            if request.streamedBody != nil {
                beginStream(c, request, submit: submit)
                return
            }
            dispatch(c, request, submit: submit)
        }
    }

    /// A complete request goes to a handler; the connection reads nothing until it is answered.
    private func dispatch(_ c: Connection, _ request: HTTPRequest, submit: (Job) -> Void) {
        c.method = request.method
        c.version = request.version
        c.closeAfterWrite = shuttingDown || !Self.keepsAlive(request)
        c.phase = .handling
        c.deadlineKind = .none
        setInterest(c, 0)
        var request = request
        request.remoteAddress = c.remoteAddress
        submit(Job(fd: c.socket.fd, id: c.id, request: request))
    }

    // MARK: - Streamed bodies

    /// A head whose route streams: make its sink and feed it what is already buffered.
    private func beginStream(_ c: Connection, _ request: HTTPRequest, submit: (Job) -> Void) {
        c.method = request.method
        c.version = request.version
        guard let route = configuration.streamingBody?(request), let length = request.streamedBody?.length else {
            refuseStream(c, HTTPSerializer.errorResponse(.internalServerError), submit: submit)
            return
        }
        do {
            c.sink = try route.makeSink(request)
        } catch {
            refuseStream(c, error.response, submit: submit)
            return
        }
        c.streamHead = request
        c.streamRemaining = length
        c.deadlineKind = .body
        c.deadline = Self.now() + configuration.bodyTimeout.nanoseconds
        feedStream(c, submit: submit)
    }

    /// Moves the buffered body bytes into the sink; memory per upload stays one read (64 KiB).
    private func feedStream(_ c: Connection, submit: (Job) -> Void) {
        guard let sink = c.sink, var request = c.streamHead else { return }
        let n = min(c.streamRemaining, c.input.count)
        if n > 0 {
            var refusal: BodyRefusal?
            c.input.withUnsafeBytes { all in
                do throws(BodyRefusal) { try sink.write(UnsafeRawBufferPointer(rebasing: all[0..<n])) } catch { refusal = error }
            }
            if let refusal {
                refuseStream(c, refusal.response, submit: submit)
                return
            }
            c.input.removeFirst(n)
            c.streamRemaining -= n
            // A streamed body may take minutes (a 10 MB photo over a phone link): its deadline is
            // per read, not for the whole body; the connection cap bounds how many can sit open.
            c.deadline = Self.now() + configuration.bodyTimeout.nanoseconds
        }
        guard c.streamRemaining == 0 else {
            if c.peerClosed {
                abandonStream(c)
                close(c)
            }
            return
        }
        c.sink = nil
        c.streamHead = nil
        do {
            let value = try sink.finish()
            nextID += 1
            request.streamedBody = StreamedBody(length: request.streamedBody?.length ?? 0, value: value, sequence: nextID)
        } catch {
            sink.abandon()
            refuseStream(c, error.response, submit: submit)
            return
        }
        dispatch(c, request, submit: submit)
    }

    /// The sink refused: answer now and close, without reading the rest of the body.
    private func refuseStream(_ c: Connection, _ response: HTTPResponse, submit: (Job) -> Void) {
        log?(HTTPLogEvent(.info, "streamed body refused", [("http.status", "\(response.status.code)")]))
        abandonStream(c)
        c.input.removeAll()
        c.closeAfterWrite = true
        send(c, response, submit: submit)
    }

    private func abandonStream(_ c: Connection) {
        c.sink?.abandon()
        c.sink = nil
        c.streamHead = nil
        c.streamRemaining = 0
    }

    /// RFC 9112 §9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with `keep-alive`.
    static func keepsAlive(_ request: HTTPRequest) -> Bool {
        let options = request.headers.values("Connection").flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if options.contains("close") { return false }
        return request.version == .http11 || options.contains("keep-alive")
    }

    private func respond(_ c: Connection, _ response: HTTPResponse, submit: (Job) -> Void) {
        if response.closeConnection || shuttingDown { c.closeAfterWrite = true }
        send(c, response, submit: submit)
    }

    private func send(_ c: Connection, _ response: HTTPResponse, submit: (Job) -> Void) {
        do {
            let (head, sendsBody) = try HTTPSerializer.serializeHead(response, requestMethod: c.method, requestVersion: c.version,
                                                                     close: c.closeAfterWrite, date: date())
            c.output = head
            c.outputBody = sendsBody ? response.body : []
        } catch {
            log?(HTTPLogEvent(.error, "response not serializable", [("http.error", "\(error)")]))
            c.closeAfterWrite = true
            c.output = (try? HTTPSerializer.serialize(HTTPSerializer.errorResponse(.internalServerError), requestMethod: c.method, close: true, date: date())) ?? []
            c.outputBody = []
        }
        c.written = 0
        c.phase = .writing
        c.deadlineKind = .write
        c.deadline = Self.now() + configuration.writeTimeout.nanoseconds
        flush(c, submit: submit)
    }

    private func flush(_ c: Connection, submit: (Job) -> Void) {
        while c.written < c.output.count + c.outputBody.count {
            let n: Int
            do {
                if c.written >= c.output.count {
                    let offset = c.written - c.output.count
                    n = try c.outputBody.withUnsafeBytes { try c.socket.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
                } else if c.outputBody.isEmpty {
                    n = try c.output.withUnsafeBytes { try c.socket.send(UnsafeRawBufferPointer(rebasing: $0[c.written...])) }
                } else {
                    let written = c.written
                    n = try c.output.withUnsafeBytes { head in
                        try c.outputBody.withUnsafeBytes { body in
                            try c.socket.send(UnsafeRawBufferPointer(rebasing: head[written...]), body)
                        }
                    }
                }
            } catch {
                close(c)
                return
            }
            if n == 0 {
                setInterest(c, Int16(POLLOUT))
                return
            }
            c.written += n
        }
        c.output = []
        c.outputBody = []
        c.written = 0
        if c.closeAfterWrite {
            linger(c)
            return
        }
        c.phase = .reading
        if c.input.isEmpty {
            c.deadlineKind = .idle
            c.deadline = Self.now() + configuration.idleTimeout.nanoseconds
        } else {
            c.deadlineKind = .header
            c.deadline = Self.now() + configuration.headerTimeout.nanoseconds
        }
        setInterest(c, c.peerClosed ? 0 : Int16(POLLIN))
        // A pipelined request may already be buffered.
        process(c, submit: submit)
    }

    /// Half-close and drain for a moment before closing, so unread client bytes do not turn
    /// our FIN into a RST that destroys the response we just sent (nginx's lingering close).
    private func linger(_ c: Connection) {
        if c.peerClosed {
            close(c)
            return
        }
        c.socket.shutdownWrite()
        c.phase = .lingering
        c.deadlineKind = .linger
        c.deadline = Self.now() + min(configuration.idleTimeout.nanoseconds, 2_000_000_000)
        setInterest(c, Int16(POLLIN))
    }

    private func discard(_ c: Connection) {
        do {
            if case .bytes = try c.socket.receive(into: readBuffer) { return }
        } catch {}
        close(c)
    }

    // MARK: - Timeouts and shutdown

    private func sweep(now: UInt64) {
        if acceptPausedUntil != 0, now >= acceptPausedUntil { acceptPausedUntil = 0 }
        for c in Array(connections.values) where c.deadlineKind != .none && now >= c.deadline {
            switch c.deadlineKind {
            case .header, .body:
                // RFC 9110 §15.5.9: 408 tells the client we gave up on its request.
                log?(HTTPLogEvent(.info, "request timed out", [("http.phase", c.deadlineKind == .header ? "header" : "body")]))
                abandonStream(c)
                c.input.removeAll()
                c.closeAfterWrite = true
                send(c, HTTPSerializer.errorResponse(.requestTimeout), submit: { _ in })
            case .idle, .write, .linger, .none:
                close(c)
            }
        }
    }

    private func beginShutdown() {
        shuttingDown = true
        graceDeadline = Self.now() + configuration.shutdownGrace.nanoseconds
        if listening {
            listener.close()
            listening = false
        }
        log?(HTTPLogEvent(.info, "server shutting down", [("http.connections", "\(connections.count)")]))
        // Idle keep-alive connections go now; requests in flight finish and then close.
        for c in Array(connections.values) where c.phase == .reading && c.input.isEmpty && !c.parser.hasPartialRequest && c.sink == nil {
            close(c)
        }
    }

    private func close(_ c: Connection) {
        guard connections[c.socket.fd] === c else { return }
        abandonStream(c)
        connections[c.socket.fd] = nil
        c.socket.close()
        connectionCount.store(connections.count, ordering: .relaxed)
    }

    // MARK: - Helpers

    private func setInterest(_ c: Connection, _ events: Int16) {
        c.interest = events
    }

    private func date() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        if ts.tv_sec != cachedDateSecond {
            cachedDateSecond = ts.tv_sec
            cachedDate = HTTPDate.format(epochSeconds: ts.tv_sec)
        }
        return cachedDate
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
