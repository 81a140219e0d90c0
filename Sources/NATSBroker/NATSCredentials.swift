import Foundation

/// What a client shows the server in CONNECT: nothing, a user and password, or a token
/// (nats-server's `authorization` block, or `--user/--pass`, `--auth`).
///
/// Given in the server list as NATS clients take it: `nats://user:password@host:4222` or
/// `nats://token@host:4222`, percent-encoded where needed. Never printed: `redacted(url:)`.
public enum NATSCredentials: Sendable, Equatable {
    case none
    case user(String, password: String)
    case token(String)

    /// The CONNECT fields (JSON members, with a leading comma), or "" for none.
    var connectFields: String {
        switch self {
        case .none: ""
        case .user(let user, let password): ",\"user\":\(Self.quoted(user)),\"pass\":\(Self.quoted(password))"
        case .token(let token): ",\"auth_token\":\(Self.quoted(token))"
        }
    }

    private static func quoted(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    /// Splits `nats://[cred@]h:p,[cred@]h:p` into the server list without credentials and the one
    /// set of credentials every entry that has some gives (entries may leave them out).
    public static func split(_ list: String) throws(NATSError) -> (servers: String, credentials: NATSCredentials) {
        var found: NATSCredentials?
        var entries: [String] = []
        for raw in list.split(separator: ",", omittingEmptySubsequences: false) {
            var entry = Substring(raw.trimmingCharacters(in: .whitespaces))
            let scheme = entry.hasPrefix("nats://") ? "nats://" : ""
            entry = entry.dropFirst(scheme.count)
            guard let at = entry.lastIndex(of: "@") else {
                entries.append(scheme + entry)
                continue
            }
            let userinfo = entry[..<at]
            let credentials: NATSCredentials
            if let colon = userinfo.firstIndex(of: ":") {
                guard let user = String(userinfo[..<colon]).removingPercentEncoding,
                      let password = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding, !user.isEmpty else {
                    throw NATSError(.connectionFailed, "parse server list", "bad user:password in a server entry")
                }
                credentials = .user(user, password: password)
            } else {
                guard let token = String(userinfo).removingPercentEncoding, !token.isEmpty else {
                    throw NATSError(.connectionFailed, "parse server list", "bad token in a server entry")
                }
                credentials = .token(token)
            }
            if let found, found != credentials {
                throw NATSError(.connectionFailed, "parse server list", "the server entries give different credentials")
            }
            found = credentials
            entries.append(scheme + entry[entry.index(after: at)...])
        }
        return (entries.joined(separator: ","), found ?? .none)
    }

    /// The list with every entry's credentials shown as `***`, for messages and logs. In a list that
    /// holds credentials, an entry that is not a plain `host[:port]` is shown as `***` too: it can be
    /// part of a password whose `,` was not percent-encoded (`nats://u:pa,ss@h` is `***,***@h`).
    public static func redacted(url: String) -> String {
        let hasCredentials = url.contains("@")
        return url.split(separator: ",", omittingEmptySubsequences: false).map { raw -> String in
            let scheme = raw.hasPrefix("nats://") ? "nats://" : ""
            guard let at = raw.lastIndex(of: "@") else {
                return !hasCredentials || isPlainAddress(raw.dropFirst(scheme.count)) ? String(raw) : scheme + "***"
            }
            return scheme + "***" + raw[at...]
        }.joined(separator: ",")
    }

    /// `host`, `host:port` or either with a query (`?replicas=3`): letters, digits, `.`, `-`, `_`,
    /// `[`, `]` and a numeric port; what a password fragment rarely is, and what redaction may show.
    private static func isPlainAddress(_ entry: Substring) -> Bool {
        var address = entry.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? entry
        while address.hasSuffix("/") { address = address.dropLast() }
        var host = address
        if let colon = address.lastIndex(of: ":"), !address.hasSuffix("]") {
            guard let port = UInt16(address[address.index(after: colon)...]), port > 0 else { return false }
            host = address[..<colon]
        }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_[]:".contains($0)) }
    }
}
