import Foundation

/// The notifier's settings from the environment, and where its files live under the data directory.
///
/// - `CAMPUSDESK_SMTP=host:port`: the relay; unset or empty, e-mail goes to the Maildir mock.
/// - `CAMPUSDESK_SMTP_USER`, `CAMPUSDESK_SMTP_PASSWORD`: AUTH PLAIN, when the relay wants it.
/// - `CAMPUSDESK_MAIL_FROM`: the sender address (default `campusdesk@localhost`).
/// - `CAMPUSDESK_PUBLIC_URL`: the base of ticket links (default `http://127.0.0.1:8080`).
/// - `CAMPUSDESK_WEBHOOK_URL`: an `http(s)://` URL that gets a JSON POST per notice (``Webhook``); unset: none.
/// - `CAMPUSDESK_WEBHOOK_TIMEOUT`: seconds a POST may take before it counts as a temporary failure (default 10).
public struct NotifierConfiguration: Sendable, Equatable {
    public var relay: SMTPRelay?
    public var webhook: Webhook?
    public var from: String
    public var publicURL: String

    /// Why the environment is unusable (a usage error for the process).
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(relay: SMTPRelay? = nil, from: String = "campusdesk@localhost", publicURL: String = "http://127.0.0.1:8080") {
        self.relay = relay
        self.from = from
        self.publicURL = publicURL
    }

    public static func fromEnvironment(_ env: [String: String]) throws(Invalid) -> NotifierConfiguration {
        var config = NotifierConfiguration()
        if let smtp = env["CAMPUSDESK_SMTP"], !smtp.isEmpty {
            guard var relay = SMTPRelay(parsing: smtp) else {
                throw Invalid(description: "CAMPUSDESK_SMTP must be host:port, not '\(smtp.prefix(80))'")
            }
            relay.username = env["CAMPUSDESK_SMTP_USER"].flatMap { $0.isEmpty ? nil : $0 }
            relay.password = env["CAMPUSDESK_SMTP_PASSWORD"]
            config.relay = relay
        }
        if let from = env["CAMPUSDESK_MAIL_FROM"], !from.isEmpty {
            guard from.contains("@"), !from.contains(where: { $0 == "<" || $0 == ">" || $0.isWhitespace }) else {
                throw Invalid(description: "CAMPUSDESK_MAIL_FROM must be a bare address, not '\(from.prefix(80))'")
            }
            config.from = from
        }
        if let url = env["CAMPUSDESK_PUBLIC_URL"], !url.isEmpty {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw Invalid(description: "CAMPUSDESK_PUBLIC_URL must start with http:// or https://")
            }
            config.publicURL = url
        }
        if let text = env["CAMPUSDESK_WEBHOOK_URL"], !text.isEmpty {
            guard var webhook = Webhook(parsing: text, publicURL: config.publicURL) else {
                throw Invalid(description: "CAMPUSDESK_WEBHOOK_URL must be an http:// or https:// URL with a host")
            }
            if let seconds = env["CAMPUSDESK_WEBHOOK_TIMEOUT"], !seconds.isEmpty {
                guard let n = Int(seconds), (1...300).contains(n) else {
                    throw Invalid(description: "CAMPUSDESK_WEBHOOK_TIMEOUT must be whole seconds from 1 to 300, not '\(seconds.prefix(20))'")
                }
                webhook.timeout = .seconds(n)
            }
            config.webhook = webhook
        }
        return config
    }

    /// `<data>/notifications.db`: the delivery queue.
    public static func queuePath(inDataDirectory data: String) -> String { (data as NSString).appendingPathComponent("notifications.db") }
    /// `<data>/outbox`: the Maildir and `sms.jsonl` of the mock.
    public static func outboxPath(inDataDirectory data: String) -> String { (data as NSString).appendingPathComponent("outbox") }
}
