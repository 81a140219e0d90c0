import Dispatch
import Domain
import Foundation
import NATSBroker
import Notifier

/// A gateway's web inboxes on another machine (`CAMPUSDESK_GATEWAY_FILES=own`): each read is a
/// request to the notifier's ``InboxQueryServer``; nothing of `notifications.db` is opened here.
///
/// A missing answer throws (``RemoteFilesError``), which the pages treat as a failed read: the
/// header's count is left out, the inbox page answers 500/503 as a database error would.
public struct RemoteInboxReader: InboxReading {
    /// The connection of this gateway's inbox queries (its own, not the broker's).
    public let connection: NATSConnection
    public let timeout: Duration

    public init(connection: NATSConnection, timeout: Duration = .seconds(2)) {
        self.connection = connection
        self.timeout = timeout
    }

    /// Connects to `url` (`nats://host:port[,...]`) as `name`.
    public init(url: String, name: String) throws {
        let options = try NATSBrokerConfiguration(url: url, name: name).connection
        self.init(connection: try NATSConnection(options: options))
    }

    public func entries(of recipientKey: String, before: Int64?, limit: Int) async throws -> [Inbox.Entry] {
        try await ask(InboxQuery(op: .entries, key: recipientKey, before: before, limit: limit)).entries?.map(\.entry) ?? []
    }

    public func unreadCount(of recipientKey: String) async throws -> Int {
        try await ask(InboxQuery(op: .unread, key: recipientKey)).unread ?? 0
    }

    public func preference(of user: UserID) async throws -> NotificationPreference? {
        try await ask(InboxQuery(op: .preference, userID: user.rawValue)).preference?.preference
    }

    /// One request off the cooperative pool (the NATS call blocks its thread until the reply).
    func ask(_ query: InboxQuery) async throws -> InboxAnswer {
        let connection = self.connection, timeout = self.timeout
        let answer: InboxAnswer = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result {
                    let payload = Array(try JSONEncoder().encode(query))
                    let reply: NATSMessage
                    do { reply = try connection.request(RemoteFiles.Subject.inbox, payload: payload, timeout: timeout) } catch {
                        throw RemoteFilesError(.unavailable, "inbox \(query.op.rawValue)", "\(error)")
                    }
                    return try JSONDecoder().decode(InboxAnswer.self, from: Data(reply.payload))
                })
            }
        }
        if let error = answer.error { throw RemoteFilesError(.refused, "inbox \(query.op.rawValue)", error) }
        return answer
    }
}
