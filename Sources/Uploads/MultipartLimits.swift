/// The size limits the multipart parser enforces, in one value (the shape of `HTTPParserLimits`).
///
/// Every limit is checked as the bytes arrive, so a body over a limit is refused at the chunk
/// that crosses it, never after buffering the whole body. Each has its own error case.
public struct MultipartLimits: Sendable, Equatable {
    /// Most parts in one body (a form's fields and files together).
    public var maxParts: Int
    /// Largest header section of one part, its CRLFs and the empty line included.
    public var maxHeaderBytes: Int
    /// Largest body of a plain field (a part without `filename`).
    public var maxFieldBytes: Int
    /// Largest body of a file (a part with `filename`).
    public var maxFileBytes: Int
    /// Largest whole body: preamble, delimiters, headers, parts and epilogue.
    public var maxTotalBytes: Int

    public init(
        maxParts: Int = 32, maxHeaderBytes: Int = 8 * 1024, maxFieldBytes: Int = 64 * 1024,
        maxFileBytes: Int = 10 * 1024 * 1024, maxTotalBytes: Int = 11 * 1024 * 1024
    ) {
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
    }

    /// 32 parts, 8 KiB of headers per part, fields of 64 KiB, files of 10 MiB (the issue's
    /// default per file), 11 MiB in all (one full-size file plus a form's fields).
    public static let standard = MultipartLimits()
}
