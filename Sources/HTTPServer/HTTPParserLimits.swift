/// The size limits the request parser enforces, in one value.
///
/// One config value (NIO's shape) so the gateway and the tests can tighten or loosen them
/// together; every limit is checked before the bytes are buffered further, so a hostile client
/// cannot grow server memory past them.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line, CRLF excluded (414 beyond it).
    public var maxRequestLineBytes: Int
    /// Largest header section after the request line, final CRLF included (431 beyond it).
    public var maxHeaderBytes: Int
    /// Most header fields in one request (431 beyond it).
    public var maxHeaderCount: Int
    /// Largest body a request may announce with `Content-Length` (413 beyond it).
    public var maxBodyBytes: Int
    /// Most empty lines tolerated before a request line (RFC 9112 §2.2); more is a flood (400).
    public var maxLeadingEmptyLines: Int

    public init(maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 64 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 1024 * 1024, maxLeadingEmptyLines: Int = 8) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }

    /// Request line 8 KiB, headers 64 KiB and 100 fields, body 1 MiB.
    public static let standard = HTTPParserLimits()
}
