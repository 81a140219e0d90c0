/// The whole-body multipart parser: bytes in, parts or an error out.
///
/// Built on ``MultipartStreamParser`` (one feed, then finish), so both paths share every rule;
/// the tests and the fuzz target check that feeding in chunks gives the same answer.
public enum MultipartParser {
    /// Parses a whole `multipart/form-data` body sent with this Content-Type.
    public static func parse(_ body: some Collection<UInt8>, contentType: String, limits: MultipartLimits = .standard) throws(MultipartError) -> [MultipartPart] {
        try parse(body, boundary: try MultipartBoundary(contentType: contentType), limits: limits)
    }

    /// Parses a whole body with a known boundary.
    public static func parse(_ body: some Collection<UInt8>, boundary: MultipartBoundary, limits: MultipartLimits = .standard) throws(MultipartError) -> [MultipartPart] {
        var parser = MultipartStreamParser(boundary: boundary, limits: limits)
        var collector = MultipartCollector()
        collector.add(try parser.feed(body))
        try parser.finish()
        return collector.parts
    }
}

/// Assembles events into whole parts (for the whole-body parser and for tests of the stream).
public struct MultipartCollector: Sendable {
    public private(set) var parts: [MultipartPart] = []

    public init() {}

    public mutating func add(_ events: [MultipartEvent]) {
        for event in events {
            switch event {
            case .partBegin(let head): parts.append(MultipartPart(head: head, body: []))
            case .bodyBytes(let bytes): parts[parts.count - 1].body += bytes
            case .partEnd: break
            }
        }
    }
}
