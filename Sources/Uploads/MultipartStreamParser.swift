/// A push parser for `multipart/form-data` (RFC 7578 over RFC 2046 §5.1): chunks in, events out.
///
/// The gateway feeds the body as it reads it from the socket and gets each part's validated
/// headers, then its body in slices, then its end; it never has to hold a whole body. Limits are
/// checked as bytes arrive, so a file over the limit is refused at the chunk that crosses it.
/// A value type without I/O, like `HTTPParser`, so every hostile body is one unit test.
///
/// Feeding is chunk-invariant: any split of the same bytes gives the same events (concatenated)
/// and the same error. The parser keeps only what it cannot decide yet: at most one delimiter
/// line's worth of body, or the current part's header line.
///
/// Framing choices (docs/attachments.md):
/// - Lines of the framing (delimiter lines, part headers) end in CRLF; LF alone is an error.
/// - A delimiter is CRLF `--boundary`, then spaces/tabs (transport padding), then CRLF, or `--`
///   for the close delimiter. `--boundary` followed by anything else is body data (the boundary
///   as a prefix of other text); the first delimiter may start the body without the CRLF.
/// - Preamble and epilogue are read and dropped (they count toward the total limit).
/// - A part is a file when its Content-Disposition has `filename`, else a field.
public struct MultipartStreamParser: Sendable {
    public let boundary: MultipartBoundary
    public let limits: MultipartLimits

    /// CRLF `--` boundary.
    private let delimiter: [UInt8]
    /// Bytes not yet decided. Starts with a CRLF of our own, so a body that opens with
    /// `--boundary` needs no special case.
    private var buffer: [UInt8] = [0x0D, 0x0A]
    private var state = State.preamble
    private var total = 0
    private var parts = 0
    private var headerBytes = 0
    private var headerLines: [(name: String, value: [UInt8])] = []
    private var current = MultipartPartHead(name: "")
    private var bodyBytes = 0

    /// Longest transport padding looked at after a boundary; longer is not a delimiter.
    public static let maxPadding = 64

    private enum State: Sendable {
        case preamble, headers, body, epilogue
        case failed(MultipartError)
    }

    public init(boundary: MultipartBoundary, limits: MultipartLimits = .standard) {
        self.boundary = boundary
        self.limits = limits
        delimiter = [0x0D, 0x0A, 0x2D, 0x2D] + boundary.bytes
    }

    /// A parser for the body of a request with this Content-Type.
    public init(contentType: String, limits: MultipartLimits = .standard) throws(MultipartError) {
        self.init(boundary: try MultipartBoundary(contentType: contentType), limits: limits)
    }

    /// True once the close delimiter has been read: the rest is epilogue.
    public var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    /// Bytes held between calls: the undecided tail (at most a delimiter line) or the current
    /// header line. Never a body: memory per upload is bounded by this plus the caller's chunk.
    public var bufferedBytes: Int { buffer.count }

    /// Reads the next chunk; returns what it completed. After an error every call throws it again.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(MultipartError) -> [MultipartEvent] {
        if case .failed(let error) = state { throw error }
        do {
            return try feedUnchecked(chunk)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// Declares the end of the body: throws unless the close delimiter was read.
    public mutating func finish() throws(MultipartError) {
        switch state {
        case .failed(let error): throw error
        case .epilogue: return
        case .preamble: state = .failed(.boundaryNotFound); throw .boundaryNotFound
        case .headers, .body: state = .failed(.truncated); throw .truncated
        }
    }

    // MARK: - Reading

    private mutating func feedUnchecked(_ chunk: some Collection<UInt8>) throws(MultipartError) -> [MultipartEvent] {
        // Take only what the total limit allows, so the error is at the same byte however split.
        let allowed = max(0, limits.maxTotalBytes - total)
        let overLimit = chunk.count > allowed
        if overLimit { buffer.append(contentsOf: chunk.prefix(allowed)) } else { buffer.append(contentsOf: chunk) }
        total += min(chunk.count, allowed)
        var events: [MultipartEvent] = []
        var pos = 0
        defer { buffer.removeSubrange(0..<pos) }
        scanning: while pos < buffer.count {
            switch state {
            case .failed, .epilogue:
                pos = buffer.count
            case .headers:
                guard try readHeaderLine(&pos, &events) else { break scanning }
            case .preamble, .body:
                let candidate = nextCandidate(from: pos)
                try emit(pos..<candidate, &events)
                pos = candidate
                if candidate == buffer.count { break scanning }
                switch try classifyDelimiter(at: candidate) {
                case .needMore: break scanning
                case .notDelimiter:
                    try emit(pos..<(pos + 1), &events)
                    pos += 1
                case .delimiter(let end, let close):
                    if case .body = state { events.append(.partEnd) }
                    let wasPreamble = if case .preamble = state { true } else { false }
                    pos = end
                    if close {
                        if wasPreamble { throw .noParts }
                        state = .epilogue
                    } else {
                        parts += 1
                        if parts > limits.maxParts { throw .tooManyParts(limit: limits.maxParts) }
                        state = .headers
                        headerBytes = 0
                        headerLines = []
                    }
                }
            }
        }
        if overLimit { throw .bodyTooLarge(limit: limits.maxTotalBytes) }
        return events
    }

    /// The first index at or after `start` where a delimiter could begin: a full match of the
    /// delimiter's bytes, or a prefix of them reaching the end of the buffer. `buffer.count` if none.
    private func nextCandidate(from start: Int) -> Int {
        buffer.withUnsafeBufferPointer { b in
            let n = b.count, d = delimiter.count
            var i = start
            while i < n {
                if b[i] != 0x0D { i += 1; continue }
                let available = min(d, n - i)
                var k = 1
                while k < available, b[i + k] == delimiter[k] { k += 1 }
                if k == available { return i }
                i += 1
            }
            return n
        }
    }

    private enum DelimiterCheck { case needMore, notDelimiter, delimiter(end: Int, close: Bool) }

    /// Decides whether the delimiter bytes at `i` start a delimiter line.
    private func classifyDelimiter(at i: Int) throws(MultipartError) -> DelimiterCheck {
        let n = buffer.count
        var j = i + delimiter.count
        guard j <= n else { return .needMore }
        guard j < n else { return .needMore }
        if buffer[j] == UInt8(ascii: "-") {
            guard j + 1 < n else { return .needMore }
            return buffer[j + 1] == UInt8(ascii: "-") ? .delimiter(end: j + 2, close: true) : .notDelimiter
        }
        let paddingStart = j
        while j < n, buffer[j] == 0x20 || buffer[j] == 0x09 {
            j += 1
            if j - paddingStart > Self.maxPadding { return .notDelimiter }
        }
        guard j < n else { return .needMore }
        switch buffer[j] {
        case 0x0A: throw .bareLineFeed
        case 0x0D:
            guard j + 1 < n else { return .needMore }
            return buffer[j + 1] == 0x0A ? .delimiter(end: j + 2, close: false) : .notDelimiter
        default: return .notDelimiter
        }
    }

    /// Hands body bytes to the caller (or drops preamble), enforcing the part's limit.
    private mutating func emit(_ range: Range<Int>, _ events: inout [MultipartEvent]) throws(MultipartError) {
        guard case .body = state, !range.isEmpty else { return }
        bodyBytes += range.count
        if current.isFile, bodyBytes > limits.maxFileBytes {
            throw .fileTooLarge(name: current.filename ?? "", limit: limits.maxFileBytes)
        }
        if !current.isFile, bodyBytes > limits.maxFieldBytes {
            throw .fieldTooLarge(name: current.name, limit: limits.maxFieldBytes)
        }
        if case .bodyBytes(let earlier) = events.last {
            events[events.count - 1] = .bodyBytes(earlier + buffer[range])
        } else {
            events.append(.bodyBytes(Array(buffer[range])))
        }
    }

    /// Reads one header line at `pos`; false when it is not complete yet.
    private mutating func readHeaderLine(_ pos: inout Int, _ events: inout [MultipartEvent]) throws(MultipartError) -> Bool {
        let start = pos
        guard let lf = buffer[start...].firstIndex(of: 0x0A) else {
            if headerBytes + (buffer.count - start) > limits.maxHeaderBytes { throw .headerTooLarge(limit: limits.maxHeaderBytes) }
            return false
        }
        headerBytes += lf - start + 1
        if headerBytes > limits.maxHeaderBytes { throw .headerTooLarge(limit: limits.maxHeaderBytes) }
        guard lf > start, buffer[lf - 1] == 0x0D else { throw .bareLineFeed }
        let line = buffer[start..<(lf - 1)]
        pos = lf + 1
        if line.isEmpty {
            current = try PartHeaders.head(from: headerLines)
            bodyBytes = 0
            state = .body
            events.append(.partBegin(current))
        } else {
            headerLines.append(try PartHeaders.field(line))
        }
        return true
    }
}
