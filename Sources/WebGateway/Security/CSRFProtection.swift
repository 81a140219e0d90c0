import Credentials
import HTTPServer
import Synchronization
import SpoolBroker

/// Issues and checks the anti-forgery token carried by every state-changing form.
///
/// Double-submit with a keyed twist: each browser gets a random `cd_browser` cookie, and the form
/// carries HMAC(server secret, that value). A forged cross-site form cannot read the cookie and
/// cannot compute the MAC without the secret. The Origin/Referer check adds a second line when the
/// browser sends those headers.
public struct CSRFProtection: Sendable {
    private let secret: [UInt8]
    private let tokens = TokenCache()

    /// - Parameter secret: at least 16 random bytes, kept by the gateway process.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token that forms of this browser must carry.
    ///
    /// Every page carries one; the HMAC (two SHA-256 runs) is remembered per browser id, since the
    /// token depends only on the id and this process's secret (a cached token is the same token).
    public func token(forBrowser browserID: String) -> String {
        if let known = tokens.token(for: browserID) { return known }
        let token = hexString(SHA256.hmac(key: secret, message: Array(browserID.utf8)))
        tokens.remember(token, for: browserID)
        return token
    }

    /// Browser id → token, bounded: emptied when it holds `capacity` ids (about 150 bytes each).
    final class TokenCache: Sendable {
        static let capacity = 4096
        /// Longer ids (never a valid `cd_browser`, which is 32 hex digits) are not kept.
        static let maxIDLength = 64
        private let table = Mutex<[String: String]>([:])

        func token(for browserID: String) -> String? {
            table.withLock { $0[browserID] }
        }

        func remember(_ token: String, for browserID: String) {
            guard browserID.utf8.count <= Self.maxIDLength else { return }
            table.withLock { table in
                if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
                table[browserID] = token
            }
        }

        var count: Int { table.withLock { $0.count } }
    }

    /// How many browser ids have their token remembered (for tests).
    var cachedTokenCount: Int { tokens.count }

    /// True when `token` is the one for `browserID`; compared in constant time.
    public func isValid(token: String?, browserID: String?) -> Bool {
        guard let token, let browserID, !browserID.isEmpty else { return false }
        return ConstantTime.equals(Array(self.token(forBrowser: browserID).utf8), Array(token.utf8))
    }

    /// The token of the forms rendered for `identity` in this browser (``FormIdentity``).
    func token(forBrowser browserID: String, identity: FormIdentity) -> String {
        token(forBrowser: browserID) + "." + identity.encoded
    }

    /// What a form's token says about the request that carries it.
    enum FormCheck: Equatable {
        case valid
        /// The token is this browser's, but the form was rendered for someone else (another tab).
        case renderedFor(FormIdentity)
        case invalid
    }

    /// Checks the browser part (constant time), then the identity the form was rendered for. A
    /// token without an identity part (a page rendered before this check existed) passes on its
    /// browser part alone.
    func check(token: String?, browserID: String?, identity: FormIdentity) -> FormCheck {
        guard let token else { return .invalid }
        let dot = token.firstIndex(of: ".") ?? token.endIndex
        guard isValid(token: String(token[..<dot]), browserID: browserID) else { return .invalid }
        guard dot < token.endIndex else { return .valid }
        guard let renderedFor = FormIdentity(encoded: token[token.index(after: dot)...]) else { return .invalid }
        return renderedFor == identity ? .valid : .renderedFor(renderedFor)
    }

    /// False when the request names an origin (Origin, else Referer) other than the Host it was sent to.
    ///
    /// Absent headers pass: privacy settings strip them, and the token is the main defence.
    public static func isSameOrigin(_ request: HTTPRequest) -> Bool {
        guard let host = request.headers["Host"]?.lowercased() else { return true }
        if let origin = request.headers["Origin"] {
            if origin == "null" { return false }
            return authority(of: origin) == host
        }
        if let referer = request.headers["Referer"] {
            return authority(of: referer) == host
        }
        return true
    }

    /// `host[:port]` of an absolute URL, lower-cased; nil when it is not one.
    static func authority(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<end]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        return authority.lowercased()
    }
}
