import NATSBroker

/// The headers of a transfer request and its reply, named once.
///
/// A request names the file by its SHA-256 (`Sha256`), its total `Size`, the chunk's `Offset`, and
/// for a put or commit the `Upload` (a random id of one upload: its chunks gather in
/// `attachments/incoming/<upload>.upload`). A reply's `Result` is `ok`, `have` (the home holds the
/// file already: send no more), `missing` (no such file) or `refused` with a `Reason`.
public enum TransferHeaders {
    public static let upload = "Upload"
    public static let sha256 = "Sha256"
    public static let size = "Size"
    public static let offset = "Offset"
    public static let length = "Length"
    public static let result = "Result"
    public static let reason = "Reason"

    /// A put: one chunk of `upload` at `offset`.
    public static func put(upload: String, sha256: String, size: Int64, offset: Int64) -> NATSHeaders {
        NATSHeaders([(self.upload, upload), (self.sha256, sha256), (self.size, String(size)), (self.offset, String(offset))])
    }

    /// A commit: every chunk of `upload` was sent, check and store it.
    public static func commit(upload: String, sha256: String, size: Int64) -> NATSHeaders {
        NATSHeaders([(self.upload, upload), (self.sha256, sha256), (self.size, String(size))])
    }

    /// A get: up to `length` bytes of the file of `sha256` from `offset`.
    public static func get(sha256: String, offset: Int64, length: Int) -> NATSHeaders {
        NATSHeaders([(self.sha256, sha256), (self.offset, String(offset)), (self.length, String(length))])
    }

    /// A reply's headers for `outcome` (with the file's size for a get).
    static func reply(_ outcome: TransferOutcome, size: Int64? = nil) -> NATSHeaders {
        var pairs: [(String, String)] = [(result, outcome.result)]
        if case .refused(let why) = outcome { pairs.append((reason, why)) }
        if let size { pairs.append((self.size, String(size))) }
        return NATSHeaders(pairs)
    }

    /// The outcome a reply carries; a reply without one is refused.
    static func outcome(of headers: NATSHeaders) -> TransferOutcome {
        switch headers[result] {
        case "ok": .ok
        case "have": .have
        case "missing": .missing
        default: .refused(headers[reason] ?? "no result in the reply")
        }
    }
}

/// What the home answered to one transfer request.
public enum TransferOutcome: Sendable, Equatable {
    /// Done (the chunk written, the upload stored, the bytes read).
    case ok
    /// The home holds the file already; a put needs no more chunks.
    case have
    /// No such file (a get), or no chunks of that upload (a commit).
    case missing
    /// A request that cannot be honoured (bad header, oversized, hash mismatch), and why.
    case refused(String)

    var result: String {
        switch self {
        case .ok: "ok"
        case .have: "have"
        case .missing: "missing"
        case .refused: "refused"
        }
    }
}
