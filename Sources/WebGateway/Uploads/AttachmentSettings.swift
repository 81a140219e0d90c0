/// The limits on attachments, configurable per deployment (docs/operations.md, "Attachments").
public struct AttachmentSettings: Sendable, Equatable {
    /// Largest file, after nothing is removed from it (the body as sent).
    public var maxFileBytes: Int
    /// Most bytes stored for one ticket.
    public var maxTicketBytes: Int64
    /// Most bytes stored for all tickets together.
    public var maxTotalBytes: Int64
    /// Most files in one upload request.
    public var maxFilesPerRequest: Int

    public init(maxFileBytes: Int = 10 * 1024 * 1024, maxTicketBytes: Int64 = 50 * 1024 * 1024, maxTotalBytes: Int64 = 10 * 1024 * 1024 * 1024,
                maxFilesPerRequest: Int = 4) {
        self.maxFileBytes = maxFileBytes
        self.maxTicketBytes = maxTicketBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxFilesPerRequest = maxFilesPerRequest
    }

    /// The largest upload body: the files plus 1 MiB for the form's fields and the framing.
    public var maxBodyBytes: Int { maxFileBytes * maxFilesPerRequest + 1024 * 1024 }

    /// Reads `CAMPUSDESK_ATTACHMENT_MAX_FILE_BYTES`, `…_MAX_TICKET_BYTES`, `…_MAX_TOTAL_BYTES`
    /// (whole numbers of bytes); absent means the default. Returns the variable at fault.
    public static func from(environment env: [String: String]) -> Result<AttachmentSettings, EnvironmentError> {
        var s = AttachmentSettings()
        func read(_ name: String, in range: ClosedRange<Int64>) -> Result<Int64?, EnvironmentError> {
            guard let raw = env[name] else { return .success(nil) }
            guard let n = Int64(raw), range.contains(n) else {
                return .failure(EnvironmentError(variable: name, detail: "must be a whole number of bytes from \(range.lowerBound) to \(range.upperBound)"))
            }
            return .success(n)
        }
        do {
            if let n = try read("CAMPUSDESK_ATTACHMENT_MAX_FILE_BYTES", in: 1...(1 << 30)).get() { s.maxFileBytes = Int(n) }
            if let n = try read("CAMPUSDESK_ATTACHMENT_MAX_TICKET_BYTES", in: 1...(1 << 50)).get() { s.maxTicketBytes = n }
            if let n = try read("CAMPUSDESK_ATTACHMENT_MAX_TOTAL_BYTES", in: 1...(1 << 60)).get() { s.maxTotalBytes = n }
        } catch {
            return .failure(error)
        }
        return .success(s)
    }

    /// An environment variable with a value that cannot be used.
    public struct EnvironmentError: Error, Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var detail: String
        public var description: String { "\(variable) \(detail)" }
    }
}
