/// What one call to ``HTTPParser/parse(_:)-swift.method`` found in the buffer.
public enum HTTPParseResult: Sendable, Equatable {
    /// The buffer holds no complete request yet; call again with the same bytes plus more.
    case needMoreData
    /// A complete request, taking the first `consumed` bytes of the buffer.
    case request(HTTPRequest, consumed: Int)
}

/// An incremental HTTP/1.1 request parser: bytes in, a request, "need more" or an error out.
///
/// A value type with no I/O (NIO's `DecodingState` idea) so every hostile input is one unit test.
/// Contract: pass the same buffer again, grown at the end, until a request comes back; then drop
/// `consumed` bytes from its front before the next call. The parser remembers how far it has
/// scanned, so a request trickling in byte by byte costs linear, not quadratic, work.
///
/// Strictness is deliberate: anything two implementations could frame differently (both
/// Content-Length and Transfer-Encoding, repeated Content-Length, bare CR or LF, obs-fold,
/// whitespace before the colon) is refused, because a proxy in front of us might frame it the
/// other way (request smuggling). See docs/http.md.
public struct HTTPParser: Sendable {
    /// The limits this parser enforces.
    public var limits: HTTPParserLimits
    /// For a request whose head it accepts, the larger body limit of a streamed body; nil keeps
    /// the body in memory under ``limits``. A streamed request is returned as soon as its head is
    /// complete, with ``HTTPRequest/streamedBody`` giving the length; its body bytes are not
    /// consumed: the caller passes them to the route's sink, not to this parser.
    public var streamingLimit: (@Sendable (HTTPRequest) -> Int?)?

    // Scan state, as offsets into the caller's buffer (stable: the buffer only grows at the end).
    private var scanned = 0
    private var requestLineEnd: Int?  // index of the LF ending the request line
    private var lineStart = 0  // start of the header line being scanned
    private var headerLines = 0
    private var pending: PendingBody?

    private struct PendingBody: Sendable {
        var head: HTTPRequest
        var headLength: Int
        var bodyLength: Int
    }

    /// Creates a parser with the given limits.
    public init(limits: HTTPParserLimits = .standard, streamingLimit: (@Sendable (HTTPRequest) -> Int?)? = nil) {
        self.limits = limits
        self.streamingLimit = streamingLimit
    }

    /// True once a request head is complete and only its body is still missing.
    ///
    /// The server uses it to switch from the header deadline to the body deadline.
    public var isReadingBody: Bool { pending != nil }

    /// True when the parser has seen part of a request (used to tell idle from slow clients).
    public var hasPartialRequest: Bool { scanned > 0 || pending != nil }

    /// Parses the front of `bytes`; see the type's contract.
    public mutating func parse(_ bytes: [UInt8]) throws(HTTPParseError) -> HTTPParseResult {
        try bytes.withUnsafeBufferPointer { (b) throws(HTTPParseError) -> HTTPParseResult in try parse(b) }
    }

    /// Parses the front of `buffer`; see the type's contract.
    public mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPParseResult {
        do {
            let result = try parseUnchecked(buffer)
            if case .request = result { reset() }
            return result
        } catch {
            reset()
            throw error
        }
    }

    private mutating func reset() {
        scanned = 0
        requestLineEnd = nil
        lineStart = 0
        headerLines = 0
        pending = nil
    }

    // MARK: - Framing

    private mutating func parseUnchecked(_ b: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPParseResult {
        let n = b.count
        if let p = pending {
            guard n >= p.headLength + p.bodyLength else { return .needMoreData }
            var request = p.head
            request.body = Array(b[p.headLength..<(p.headLength + p.bodyLength)])
            return .request(request, consumed: p.headLength + p.bodyLength)
        }

        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        var start = 0
        var emptyLines = 0
        while start < n, b[start] == .cr || b[start] == .lf {
            guard b[start] == .cr else { throw .bareLineBreak }
            guard start + 1 < n else { return .needMoreData }
            guard b[start + 1] == .lf else { throw .bareLineBreak }
            start += 2
            emptyLines += 1
            if emptyLines > limits.maxLeadingEmptyLines { throw .tooManyEmptyLines }
        }
        if start == n { return .needMoreData }

        let lineEnd: Int
        if let e = requestLineEnd {
            lineEnd = e
        } else {
            guard let e = Self.firstLF(b, from: max(scanned, start)) else {
                if n - start > limits.maxRequestLineBytes + 1 { throw .requestLineTooLong }
                scanned = n
                return .needMoreData
            }
            if e - start > limits.maxRequestLineBytes + 1 { throw .requestLineTooLong }
            requestLineEnd = e
            lineStart = e + 1
            scanned = e + 1
            lineEnd = e
        }

        // Find the empty line that ends the header section, counting lines as we go.
        var headEnd: Int?
        var i = max(scanned, lineStart)
        while let lf = Self.firstLF(b, from: i) {
            if lf == lineStart { throw .bareLineBreak }
            if lf == lineStart + 1, b[lineStart] == .cr {
                headEnd = lf + 1
                break
            }
            headerLines += 1
            if headerLines > limits.maxHeaderCount { throw .tooManyHeaders }
            lineStart = lf + 1
            i = lf + 1
        }
        guard let headEnd else {
            if n - (lineEnd + 1) > limits.maxHeaderBytes { throw .headerTooLarge }
            scanned = n
            return .needMoreData
        }
        if headEnd - (lineEnd + 1) > limits.maxHeaderBytes { throw .headerTooLarge }

        var request = try Self.parseRequestLine(UnsafeBufferPointer(rebasing: b[start..<lineEnd]))
        request.headers = try Self.parseHeaderLines(UnsafeBufferPointer(rebasing: b[(lineEnd + 1)..<(headEnd - 2)]))
        if let streamingLimit, let maxBody = streamingLimit(request) {
            request.streamedBody = StreamedBody(length: try validateFraming(request, maxBodyBytes: maxBody))
            return .request(request, consumed: headEnd)
        }
        let bodyLength = try validateFraming(request, maxBodyBytes: limits.maxBodyBytes)
        if n >= headEnd + bodyLength {
            request.body = Array(b[headEnd..<(headEnd + bodyLength)])
            return .request(request, consumed: headEnd + bodyLength)
        }
        pending = PendingBody(head: request, headLength: headEnd, bodyLength: bodyLength)
        return .needMoreData
    }

    private static func firstLF(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i < b.count {
            if b[i] == .lf { return i }
            i += 1
        }
        return nil
    }

    // MARK: - Request line

    /// `line` is the request line without its LF (it must end in CR).
    private static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        guard let last = line.last, last == .cr else { throw .bareLineBreak }
        let body = UnsafeBufferPointer(rebasing: line[0..<(line.count - 1)])
        if body.contains(.cr) { throw .bareLineBreak }
        guard let sp1 = body.firstIndex(of: .space) else { throw .malformedRequestLine }
        guard let sp2 = body[(sp1 + 1)...].firstIndex(of: .space) else { throw .malformedRequestLine }
        let methodBytes = body[0..<sp1]
        let targetBytes = body[(sp1 + 1)..<sp2]
        let versionBytes = body[(sp2 + 1)...]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(\.isTokenChar) else { throw .malformedRequestLine }
        guard !targetBytes.isEmpty else { throw .malformedRequestLine }
        let version = try parseVersion(versionBytes)
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) else { throw .invalidTarget }
        // Any token but the methods this server implements is 501 (RFC 9110 §9.1).
        guard let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self)) else { throw .unsupportedMethod }
        let target = try originForm(String(decoding: targetBytes, as: UTF8.self), method: method)
        return HTTPRequest(method: method, target: target, version: version)
    }

    /// `HTTP/1.1`, `HTTP/1.0`; a higher 1.x is read as 1.1 (RFC 9110 §2.5); other majors are 505.
    private static func parseVersion(_ v: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPParseError) -> HTTPVersion {
        let bytes = Array(v)
        guard bytes.count == 8, bytes[0..<5].elementsEqual("HTTP/".utf8), bytes[6] == UInt8(ascii: "."),
              bytes[5].isDigit, bytes[7].isDigit
        else { throw .malformedRequestLine }
        let major = Int(bytes[5] - 48), minor = Int(bytes[7] - 48)
        guard major == 1 else { throw .unsupportedVersion }
        return minor == 0 ? .http10 : .http11
    }

    /// Turns the request target into origin-form (`/path?query`).
    ///
    /// RFC 9112 §3.2.2: a server MUST accept absolute-form; we keep only its path and query.
    /// Asterisk-form is only for OPTIONS (§3.2.4); authority-form only for CONNECT (§3.2.3),
    /// kept as it is so the router can refuse the method (405) rather than the target.
    private static func originForm(_ target: String, method: HTTPMethod) throws(HTTPParseError) -> String {
        if target.hasPrefix("/") { return target }
        if method == .connect {
            guard isAuthorityForm(target.utf8) else { throw .invalidTarget }
            return target
        }
        if target == "*" {
            guard method == .options else { throw .invalidTarget }
            return target
        }
        let lower = target.lowercased()
        let schemeLength: Int
        if lower.hasPrefix("http://") { schemeLength = 7 } else if lower.hasPrefix("https://") { schemeLength = 8 } else { throw .invalidTarget }
        let rest = target.utf8.dropFirst(schemeLength)
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        guard !authority.isEmpty, isValidAuthority(authority) else { throw .invalidTarget }
        let remainder = String(decoding: rest[authorityEnd...], as: UTF8.self)
        return remainder.hasPrefix("/") ? remainder : "/" + remainder
    }

    /// CONNECT's target, `uri-host ":" port` (RFC 9112 §3.2.3): both parts present, the port 1–5
    /// digits. A bare `*` or `host` without a port is not a place to connect to.
    static func isAuthorityForm<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return false }
        let host = bytes[bytes.startIndex..<colon]
        let port = bytes[bytes.index(after: colon)...]
        return !host.isEmpty && isValidAuthority(host)
            && (1...5).contains(port.count) && port.allSatisfy { $0.isDigit }
    }

    /// host [":" port] with reg-name, IPv4 or IP-literal characters; no userinfo (RFC 9110 §4.2.4).
    static func isValidAuthority<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        bytes.allSatisfy { c in
            c.isAlphanumeric || "-._~!$&'()*+,;=:[]%".utf8.contains(c)
        }
    }

    // MARK: - Header section

    /// `section` is the header lines, each ending in CRLF, without the final empty line.
    private static func parseHeaderLines(_ section: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPHeaders {
        var fields: [(name: String, value: String)] = []
        var i = 0
        while i < section.count {
            guard let lf = section[i...].firstIndex(of: .lf) else { throw .malformedHeader }
            // Every line ends in CR LF; a CR anywhere else is bare (RFC 9112 §2.2).
            guard lf > i, section[lf - 1] == .cr else { throw .bareLineBreak }
            let line = section[i..<(lf - 1)]
            if line.contains(.cr) { throw .bareLineBreak }
            fields.append(try parseField(line))
            i = lf + 1
        }
        return HTTPHeaders(fields)
    }

    private static func parseField(_ line: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPParseError) -> (name: String, value: String) {
        guard let first = line.first else { throw .malformedHeader }
        if first == .space || first == .tab { throw .obsoleteLineFolding }
        var colon: Int?
        for j in line.indices {
            let c = line[j]
            if c == UInt8(ascii: ":") { colon = j; break }
            if c == .space || c == .tab { throw .whitespaceBeforeColon }
            guard c.isTokenChar else { throw .malformedHeader }
        }
        guard let colon, colon > line.startIndex else { throw .malformedHeader }
        var vs = colon + 1, ve = line.endIndex
        while vs < ve, line[vs] == .space || line[vs] == .tab { vs += 1 }
        while ve > vs, line[ve - 1] == .space || line[ve - 1] == .tab { ve -= 1 }
        let value = line[vs..<ve]
        // field-vchar = VCHAR / obs-text, with SP and HTAB inside (RFC 9110 §5.5).
        guard value.allSatisfy({ $0 == .tab || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeaderValue }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
        return (name, decodeValue(value))
    }

    /// UTF-8 when the bytes are valid UTF-8, otherwise ISO 8859-1 (obs-text), so nothing is lost.
    private static func decodeValue(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    // MARK: - Message framing (RFC 9112 §6)

    /// Checks Host and the framing headers; returns the body length.
    private func validateFraming(_ request: HTTPRequest, maxBodyBytes: Int) throws(HTTPParseError) -> Int {
        let hosts = request.headers.values("Host")
        if hosts.count > 1 { throw .duplicateHost }
        if let host = hosts.first {
            guard Self.isValidAuthority(host.utf8) else { throw .invalidHost }
        } else if request.version == .http11 {
            throw .missingHost
        }

        let transferEncodings = request.headers.values("Transfer-Encoding")
        let contentLengths = request.headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing; TE with CL is a smuggling
            // attempt and MUST be treated as an error. Any other TE (chunked included) is
            // refused with 501: we read request bodies by Content-Length only.
            if request.version == .http10 { throw .transferEncodingInHTTP10 }
            if !contentLengths.isEmpty { throw .contentLengthWithTransferEncoding }
            throw .unsupportedTransferEncoding
        }
        guard let cl = contentLengths.first else { return 0 }
        // RFC 9112 §6.3 item 5: an invalid Content-Length is an unrecoverable error. We also
        // refuse repeats, even identical ones (RFC 9110 §8.6 lets us), so no two parsers disagree.
        guard contentLengths.count == 1, !cl.isEmpty, cl.utf8.allSatisfy(\.isDigit) else { throw .invalidContentLength }
        let digits = cl.utf8.drop { $0 == UInt8(ascii: "0") }
        guard digits.count <= 15, let length = Int(cl), length <= maxBodyBytes else { throw .bodyTooLarge }
        return length
    }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    var isDigit: Bool { self >= 48 && self <= 57 }
    var isAlphanumeric: Bool { isDigit || (self >= 65 && self <= 90) || (self >= 97 && self <= 122) }

    /// tchar from RFC 9110 §5.6.2.
    var isTokenChar: Bool {
        isAlphanumeric || "!#$%&'*+-.^_`|~".utf8.contains(self)
    }
}
