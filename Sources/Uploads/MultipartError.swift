/// Why a multipart/form-data body was refused; each case has a message a person can act on.
///
/// A flat enum so tests assert the exact case. Limits carry the limit that was exceeded (and
/// the part's name where there is one), so the message says which limit and how large it is.
public enum MultipartError: Error, Sendable, Equatable {
    /// The Content-Type is not `multipart/form-data` (carries the media type found).
    case notFormData(String)
    /// `multipart/form-data` without a `boundary` parameter.
    case missingBoundary
    /// The Content-Type's parameters do not parse (bad syntax, a parameter given twice).
    case malformedContentType
    /// A boundary outside RFC 2046's grammar: 1–70 of its characters, not ending in a space.
    case invalidBoundary
    /// A line of the framing (a delimiter line or a part header) ends in LF without CR.
    case bareLineFeed
    /// A part header line that is not `name: value` (no colon, a bad name, a folded line).
    case malformedHeader
    /// A control byte (NUL, CR, …) or DEL inside a part header value.
    case invalidHeaderValue
    /// A part header given twice (Content-Disposition, Content-Type or Content-Transfer-Encoding).
    case duplicateHeader(String)
    /// A part without `Content-Disposition` (RFC 7578 §4.2 requires it).
    case missingContentDisposition
    /// A Content-Disposition that is not `form-data; name="…"` with well-formed parameters.
    case malformedContentDisposition
    /// `filename*=` (RFC 7578 §4.2: MUST NOT be used in form-data).
    case encodedFilename
    /// A Content-Transfer-Encoding other than 7bit, 8bit or binary (RFC 7578 §4.7 deprecates it).
    case unsupportedTransferEncoding(String)
    /// A part whose Content-Type is `multipart/…`: nested multipart is refused, not parsed.
    case nestedMultipart
    /// More parts than `maxParts`.
    case tooManyParts(limit: Int)
    /// A part's header section over `maxHeaderBytes`.
    case headerTooLarge(limit: Int)
    /// A field's value over `maxFieldBytes`.
    case fieldTooLarge(name: String, limit: Int)
    /// A file over `maxFileBytes`.
    case fileTooLarge(name: String, limit: Int)
    /// The whole body over `maxTotalBytes`.
    case bodyTooLarge(limit: Int)
    /// The body holds no delimiter line of the boundary at all.
    case boundaryNotFound
    /// The close delimiter came before any part (RFC 2046 needs at least one).
    case noParts
    /// The body ended inside a part or its headers, before the close delimiter `--boundary--`.
    case truncated

    /// The HTTP status the gateway answers with: 413 for the size limits, 415 for a body that is
    /// not form-data, 400 for everything malformed.
    public var status: Int {
        switch self {
        case .tooManyParts, .headerTooLarge, .fieldTooLarge, .fileTooLarge, .bodyTooLarge: 413
        case .notFormData: 415
        default: 400
        }
    }

    /// One sentence for the person or program that sent the body.
    public var message: String {
        switch self {
        case .notFormData(let type): "expected multipart/form-data, got \(type.isEmpty ? "no Content-Type" : type)"
        case .missingBoundary: "multipart/form-data without a boundary parameter"
        case .malformedContentType: "the Content-Type parameters are malformed"
        case .invalidBoundary: "the boundary must be 1 to 70 letters, digits or '()+_,-./:=? and not end in a space"
        case .bareLineFeed: "a line of the multipart framing ends in LF without CR"
        case .malformedHeader: "a part header is not 'Name: value'"
        case .invalidHeaderValue: "a part header contains a control character"
        case .duplicateHeader(let name): "a part has \(name) twice"
        case .missingContentDisposition: "a part has no Content-Disposition header"
        case .malformedContentDisposition: "a part's Content-Disposition is not form-data with a name"
        case .encodedFilename: "filename* is not allowed in multipart/form-data; send filename"
        case .unsupportedTransferEncoding(let enc): "Content-Transfer-Encoding \(enc) is not supported; send the bytes as they are"
        case .nestedMultipart: "a part is itself multipart; nested multipart is not accepted"
        case .tooManyParts(let limit): "more than \(limit) parts"
        case .headerTooLarge(let limit): "a part's headers exceed \(limit) bytes"
        case .fieldTooLarge(let name, let limit): "the field '\(name)' exceeds \(limit) bytes"
        case .fileTooLarge(let name, let limit): "the file '\(name)' exceeds \(Self.size(limit))"
        case .bodyTooLarge(let limit): "the upload exceeds \(Self.size(limit))"
        case .boundaryNotFound: "the body does not contain the boundary given in the Content-Type"
        case .noParts: "the body has no parts"
        case .truncated: "the body ends before the closing boundary: the upload is incomplete"
        }
    }

    /// Bytes as a person reads them: whole MiB or KiB when exact, else bytes.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024, bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KB" }
        return "\(bytes) bytes"
    }
}
