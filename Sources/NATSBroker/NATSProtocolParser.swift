/// One operation the server sends (the client protocol's server-to-client half).
public enum NATSServerOp: Sendable, Equatable {
    case info(json: [UInt8])
    case msg(NATSMessage)
    case ping
    case pong
    case ok
    case err(String)
}

/// A message delivered to a subscription (`MSG`, or `HMSG` with its header block).
public struct NATSMessage: Sendable, Equatable {
    public var subject: String
    public var sid: Int
    public var replyTo: String?
    /// The raw header block (`NATS/1.0 ...\r\nK: V\r\n\r\n`), nil for a plain `MSG`.
    public var headerBlock: [UInt8]?
    public var payload: [UInt8]

    public init(subject: String, sid: Int, replyTo: String?, headerBlock: [UInt8]?, payload: [UInt8]) {
        self.subject = subject
        self.sid = sid
        self.replyTo = replyTo
        self.headerBlock = headerBlock
        self.payload = payload
    }

    /// The header block parsed (empty when there is none).
    public var headers: NATSHeaders { headerBlock.map(NATSHeaders.init(block:)) ?? NATSHeaders() }
}

/// Why bytes from the server are not the protocol; the connection is dropped and reopened.
public enum NATSParseError: Error, Equatable, Sendable {
    case unknownOperation(String)
    case malformedArguments(String)
    case lineTooLong
    case payloadTooLarge(Int)
}

/// An incremental parser of the server's byte stream: feed it what `read` returned, take the
/// operations it completed; an operation split across reads waits for the rest ("need more").
///
/// Pure value type with no I/O, so tests feed it literal bytes in any chunking.
public struct NATSProtocolParser: Sendable {
    /// The longest control line accepted (INFO can be a few KB with many cluster URLs).
    public var maxControlLine = 64 * 1024
    /// The largest payload accepted (the server's `max_payload` plus headers, with margin).
    public var maxPayload = 64 << 20

    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Appends bytes read from the socket.
    public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete operation, or nil when more bytes are needed.
    public mutating func next() throws(NATSParseError) -> NATSServerOp? {
        guard let lineEnd = findCRLF(from: start) else {
            if buffer.count - start > maxControlLine { throw .lineTooLong }
            return nil
        }
        let line = Array(buffer[start..<lineEnd])
        let word = Self.firstWord(line)
        switch word {
        case "MSG", "HMSG":
            let args = Self.fields(line).dropFirst()
            let hasHeaders = word == "HMSG"
            // MSG <subject> <sid> [reply] <#bytes>; HMSG <subject> <sid> [reply] <#hdr> <#total>
            let fixed = hasHeaders ? 4 : 3
            guard args.count == fixed || args.count == fixed + 1 else { throw .malformedArguments(String(decoding: line, as: UTF8.self)) }
            let a = Array(args)
            guard let sid = Int(a[1]), let total = Int(a[a.count - 1]), total >= 0 else {
                throw .malformedArguments(String(decoding: line, as: UTF8.self))
            }
            var headerBytes = 0
            if hasHeaders {
                guard let h = Int(a[a.count - 2]), h >= 0, h <= total else { throw .malformedArguments(String(decoding: line, as: UTF8.self)) }
                headerBytes = h
            }
            guard total <= maxPayload else { throw .payloadTooLarge(total) }
            let reply = a.count == fixed + 1 ? a[2] : nil
            let bodyStart = lineEnd + 2
            guard buffer.count >= bodyStart + total + 2 else { return nil }
            guard buffer[bodyStart + total] == 13, buffer[bodyStart + total + 1] == 10 else {
                throw .malformedArguments("payload not followed by CRLF")
            }
            let header = hasHeaders ? Array(buffer[bodyStart..<(bodyStart + headerBytes)]) : nil
            let payload = Array(buffer[(bodyStart + headerBytes)..<(bodyStart + total)])
            start = bodyStart + total + 2
            return .msg(NATSMessage(subject: a[0], sid: sid, replyTo: reply, headerBlock: header, payload: payload))
        case "PING":
            start = lineEnd + 2
            return .ping
        case "PONG":
            start = lineEnd + 2
            return .pong
        case "+OK":
            start = lineEnd + 2
            return .ok
        case "-ERR":
            start = lineEnd + 2
            var text = String(decoding: line.dropFirst(4), as: UTF8.self).trimmingSpaces
            if text.hasPrefix("'") && text.hasSuffix("'") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return .err(text)
        case "INFO":
            start = lineEnd + 2
            return .info(json: Array(line.dropFirst(4).drop { $0 == 32 || $0 == 9 }))
        default:
            throw .unknownOperation(String(decoding: line.prefix(40), as: UTF8.self))
        }
    }

    private func findCRLF(from: Int) -> Int? {
        var i = from
        let n = buffer.count
        while i + 1 < n {
            if buffer[i] == 13 && buffer[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    private static func firstWord(_ line: [UInt8]) -> String {
        let end = line.firstIndex { $0 == 32 || $0 == 9 } ?? line.count
        return String(decoding: line[..<end], as: UTF8.self).uppercased()
    }

    private static func fields(_ line: [UInt8]) -> [String] {
        line.split(whereSeparator: { $0 == 32 || $0 == 9 }).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
