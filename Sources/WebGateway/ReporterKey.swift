import Credentials
import Domain
import HTTPServer

/// On the campus desk, the secret by which a client shows it reported a ticket, so that it reads
/// the ticket after staff closed it (docs/roles.md, "Own tickets on the campus desk").
///
/// A browser's key is its `cd_browser` cookie (random, HttpOnly, a year); an API client's is the
/// `X-CampusDesk-Reporter-Key` header it sends with the report and with later reads. The ticket
/// worker stores only the SHA-256 of the key (``digest(_:)``), as it does for session tokens.
/// The name a reporter gives is not a key: anyone can type any name.
enum ReporterKey {
    static let header = "X-CampusDesk-Reporter-Key"
    static let minLength = 32
    static let maxLength = 128
    static let rule = "X-CampusDesk-Reporter-Key must be 32 to 128 letters, digits, - or _ (a long random value, such as a UUID, kept secret)."

    /// The digest the store keeps and compares: 64 lower-case hex digits.
    static func digest(_ key: String) -> String { hexString(SHA256.hash(Array(key.utf8))) }

    /// The digest of the browser's key (its `cd_browser` id); nil on the network desk, where the
    /// account says whose a ticket is, and for a browser that had no id before this request.
    static func digest(of visitor: Visitor) -> String? {
        guard visitor.authMode == .open, !visitor.isNewBrowser, Visitor.isValidBrowserID(visitor.browserID) else { return nil }
        return digest(visitor.browserID)
    }

    /// The digest of an API request's key; nil without the header or on the network desk; a
    /// malformed key is a 400 on both desks (a client sending one has a bug, and a short key is
    /// guessable; the network desk ignores a well-formed key, the account says whose a ticket is).
    static func digest(of request: HTTPRequest, mode: AuthMode) throws(Problem) -> String? {
        guard let key = request.headers[header] else { return nil }
        guard (minLength...maxLength).contains(key.utf8.count),
              key.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }) else {
            throw Problem(status: .badRequest, detail: rule, field: header)
        }
        return mode == .open ? digest(key) : nil
    }
}
