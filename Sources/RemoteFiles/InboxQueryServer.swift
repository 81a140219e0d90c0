import Dispatch
import Domain
import Foundation
import Logging
import NATSBroker
import Notifier

/// The web inboxes answered to gateways on other machines, in the notifier's process: pages,
/// unread counts and preferences read from `notifications.db` (through an ``InboxReader``, a
/// read-only connection beside the notifier's own), over core-NATS request/reply.
///
/// A connection of its own and one serial queue: each answer is one indexed lookup, and none waits
/// behind the notifier's deliveries.
public final class InboxQueryServer: Sendable {
    public let reader: InboxReader
    let connection: NATSConnection
    let logger: Logger
    private let queue = DispatchQueue(label: "inbox-queries")

    /// Subscribes on `connection` (which this server then owns and closes).
    public init(reader: InboxReader, connection: NATSConnection, logger: Logger = Logger(component: "inbox-queries")) throws {
        self.reader = reader
        self.connection = connection
        self.logger = logger
        _ = try connection.subscribe(RemoteFiles.Subject.inbox) { [self] m in queue.async { self.answer(m) } }
        try connection.flush()
    }

    /// Connects to `url` (`nats://host:port[,...]`) as `name` and answers from `notificationsPath`.
    public convenience init(url: String, name: String, notificationsPath: String, logger: Logger = Logger(component: "inbox-queries")) throws {
        let options = try NATSBrokerConfiguration(url: url, name: name).connection
        try self.init(reader: InboxReader(path: notificationsPath), connection: NATSConnection(options: options), logger: logger)
    }

    /// Stops answering (closes the connection).
    public func close() { connection.close() }

    /// The answer to one query (what the server sends back as JSON).
    public func answer(_ query: InboxQuery) -> InboxAnswer {
        do {
            switch query.op {
            case .entries:
                guard let key = query.key else { return InboxAnswer(error: "no key") }
                return InboxAnswer(entries: try reader.entries(of: key, before: query.before, limit: min(max(0, query.limit ?? 50), 500)))
            case .unread:
                guard let key = query.key else { return InboxAnswer(error: "no key") }
                return InboxAnswer(unread: try reader.unreadCount(of: key))
            case .preference:
                guard let id = query.userID else { return InboxAnswer(error: "no user_id") }
                return InboxAnswer(preference: try reader.preference(of: UserID(id)))
            }
        } catch {
            logger.warning("inbox query failed", ["error": String(describing: error).prefix(200).description])
            return InboxAnswer(error: "not read")
        }
    }

    private func answer(_ m: NATSMessage) {
        guard let replyTo = m.replyTo else { return }
        let answer: InboxAnswer
        if let query = try? JSONDecoder().decode(InboxQuery.self, from: Data(m.payload)) { answer = self.answer(query) } else {
            answer = InboxAnswer(error: "not a query")
        }
        do {
            try connection.publish(replyTo, payload: Array(try JSONEncoder().encode(answer)))
        } catch {
            logger.warning("inbox reply not sent", ["error": "\(error)"])
        }
    }
}
