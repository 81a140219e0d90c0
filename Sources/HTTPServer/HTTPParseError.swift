/// Why a request could not be parsed; each case knows the status it is answered with.
///
/// A flat enum so tests can assert the exact case. Every parse error closes the connection:
/// after a framing error the server can no longer tell where the next request starts
/// (RFC 9112 §6.3, §11.2), so it must not read on.
public enum HTTPParseError: Error, Sendable, Equatable, HTTPStatusError {
    /// Request line is not `method SP request-target SP HTTP-version CRLF`.
    case malformedRequestLine
    /// Request line longer than the limit (RFC 9112 §3: 414 for a too long target).
    case requestLineTooLong
    /// More empty lines before the request line than RFC 9112 §2.2's robustness allows.
    case tooManyEmptyLines
    /// Method is a valid token but not one this server implements (RFC 9110 §9.1: 501).
    case unsupportedMethod
    /// Request target is not origin-form, a usable absolute-form, or `*` for OPTIONS.
    case invalidTarget
    /// Version other than HTTP/1.x (RFC 9110 §15.6.6: 505).
    case unsupportedVersion
    /// A header line that is not `name: value` (bad token, empty name, missing colon).
    case malformedHeader
    /// Whitespace between the field name and the colon (RFC 9112 §5.1: MUST reject with 400).
    case whitespaceBeforeColon
    /// A line folded onto the previous one (obs-fold, RFC 9112 §5.2: reject with 400).
    case obsoleteLineFolding
    /// A CR not followed by LF, or a LF not preceded by CR (RFC 9112 §2.2).
    case bareLineBreak
    /// NUL, another control byte or DEL inside a field value (RFC 9110 §5.5).
    case invalidHeaderValue
    /// Header section larger than the limit (RFC 6585 §5: 431).
    case headerTooLarge
    /// More header fields than the limit (RFC 6585 §5: 431).
    case tooManyHeaders
    /// HTTP/1.1 request without a Host field (RFC 9112 §3.2: 400).
    case missingHost
    /// More than one Host field (RFC 9112 §3.2: 400).
    case duplicateHost
    /// Host value that is not a valid authority (RFC 9112 §3.2: 400).
    case invalidHost
    /// Content-Length not a plain decimal, or present more than once (RFC 9112 §6.3 item 5).
    case invalidContentLength
    /// Content-Length above the body limit (RFC 9110 §15.5.14: 413).
    case bodyTooLarge
    /// Transfer-Encoding on a request: this server reads bodies only by Content-Length (501).
    case unsupportedTransferEncoding
    /// Both Content-Length and Transfer-Encoding: a smuggling vector (RFC 9112 §6.1: 400).
    case contentLengthWithTransferEncoding
    /// Transfer-Encoding on an HTTP/1.0 request: faulty framing (RFC 9112 §6.1: 400).
    case transferEncodingInHTTP10

    /// The status the client is answered with before the connection closes.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headerTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedMethod, .unsupportedTransferEncoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        default: .badRequest
        }
    }
}
