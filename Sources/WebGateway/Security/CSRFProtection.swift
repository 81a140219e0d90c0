import HTTPServer

/// Issues and checks the anti-forgery token carried by every state-changing form.
///
/// Double-submit with a keyed twist: each browser gets a random `cd_browser` cookie, and the form
/// carries HMAC(server secret, that value). A forged cross-site form cannot read the cookie and
/// cannot compute the MAC without the secret. The Origin/Referer check adds a second line when the
/// browser sends those headers.
public struct CSRFProtection: Sendable {
    private let secret: [UInt8]

    /// - Parameter secret: at least 16 random bytes, kept by the gateway process.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token that forms of this browser must carry.
    public func token(forBrowser browserID: String) -> String {
        hexString(SHA256.hmac(key: secret, message: Array(browserID.utf8)))
    }

    /// True when `token` is the one for `browserID`; compared in constant time.
    public func isValid(token: String?, browserID: String?) -> Bool {
        guard let token, let browserID, !browserID.isEmpty else { return false }
        let expected = Array(self.token(forBrowser: browserID).utf8)
        let given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(expected, given) { diff |= a ^ b }
        return diff == 0
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
