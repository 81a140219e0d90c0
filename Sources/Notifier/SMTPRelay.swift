/// Where e-mail goes: the relay given by `CAMPUSDESK_SMTP=host:port`, and how to talk to it.
public struct SMTPRelay: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    /// The name we give in EHLO/HELO.
    public var heloName: String
    /// AUTH PLAIN credentials, used only when both are set and the relay offers PLAIN.
    public var username: String?
    public var password: String?
    /// How long connecting, and each wait for a reply, may take (RFC 5321 §4.5.3.2 allows minutes;
    /// a local relay answers in milliseconds, and a stuck one must not hold the queue).
    public var timeout: Duration

    public init(host: String, port: UInt16, heloName: String = "campusdesk.localdomain", username: String? = nil,
                password: String? = nil, timeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.username = username
        self.password = password
        self.timeout = timeout
    }

    /// `host:port` (`[v6]:port` for an IPv6 literal); nil when malformed.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let host: Substring
        let portText: Substring
        if t.hasPrefix("["), let close = t.firstIndex(of: "]") {
            host = t[t.index(after: t.startIndex)..<close]
            let rest = t[t.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = t.lastIndex(of: ":") else { return nil }
            host = t[..<colon]
            portText = t[t.index(after: colon)...]
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 else { return nil }
        self.init(host: String(host), port: port)
    }
}

import Foundation
