import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Domain
import Synchronization

/// The webhook a chat tool gives (`CAMPUSDESK_WEBHOOK_URL`): one JSON POST per notice, with an
/// `Idempotency-Key` header, sent with URLSession (FoundationNetworking on Linux; HTTPS allowed).
///
/// Why a channel of the queue and not a fire-and-forget call: the POST is as durable as an e-mail
/// (stored before it is tried, retried with backoff, dead with its reason), and a dead webhook
/// only pauses its own channel, never e-mail or texts.
public struct Webhook: Sendable, Equatable {
    public var url: URL
    /// The longest wait for the whole exchange; a timeout is a temporary failure.
    public var timeout: Duration
    /// The base of the ticket links in the payload (`CAMPUSDESK_PUBLIC_URL`).
    public var publicURL: String

    public init(url: URL, timeout: Duration = .seconds(10), publicURL: String = "http://127.0.0.1:8080") {
        self.url = url
        self.timeout = timeout
        self.publicURL = publicURL
    }

    /// An `http://` or `https://` URL with a host; nil for anything else.
    public init?(parsing text: String, publicURL: String = "http://127.0.0.1:8080") {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else { return nil }
        self.init(url: url, publicURL: publicURL)
    }

    /// What the POST carries (docs/notifications.md, "Webhook"): the notice, whom it is for, and a
    /// one-line `text` that chat tools' incoming webhooks (Slack, Mattermost) show as they are.
    public struct Payload: Codable, Sendable, Equatable {
        public struct Person: Codable, Sendable, Equatable {
            public var key: String
            public var name: String?
            public var address: String
        }
        /// The idempotency key, `<event seq>:<recipient key>:webhook`; also the `Idempotency-Key` header.
        public var id: String
        public var eventSeq: Int64
        public var kind: String
        public var ticket: Int64
        public var recipient: Person
        public var subject: String
        public var body: String
        public var link: String
        public var text: String
        /// When the notice was decided (ISO 8601, UTC).
        public var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, kind, ticket, recipient, subject, body, link, text
            case eventSeq = "event_seq"
            case createdAt = "created_at"
        }
    }

    /// The payload of a stored webhook notification.
    public func payload(for item: DeliveryQueue.Item) -> Payload {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        let link = "\(base)/tickets/\(item.ticketID.rawValue)"
        let who = item.recipientName ?? item.address
        return Payload(id: item.key, eventSeq: item.eventSeq, kind: item.kind.rawValue, ticket: item.ticketID.rawValue,
                       recipient: .init(key: item.recipientKey, name: item.recipientName, address: item.address),
                       subject: item.subject, body: item.body, link: link, text: "\(item.subject) (to \(who)) \(link)",
                       createdAt: item.createdAt.iso8601)
    }

    /// The request for a stored notification: its JSON, and its key in `Idempotency-Key`, so a
    /// receiver that keeps keys drops the copy a lost response makes us send.
    public func request(for item: DeliveryQueue.Item) throws -> URLRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout.timeInterval)
        request.httpMethod = "POST"
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(item.key, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("CampusDesk-notifier", forHTTPHeaderField: "User-Agent")
        request.httpBody = try encoder.encode(payload(for: item))
        return request
    }

    /// POSTs one notification; returns on a 2xx answer.
    ///
    /// Blocks the calling thread (the notifier's sender queue, never the cooperative pool) until the
    /// answer or the timeout.
    /// - Throws: ``WebhookError``: temporary on 5xx, 429, a refused or lost connection and timeouts;
    ///   permanent on any other answer.
    public func post(_ item: DeliveryQueue.Item) throws(WebhookError) {
        let request: URLRequest
        do {
            request = try self.request(for: item)
        } catch {
            throw WebhookError(kind: .permanent, status: nil, connectionLevel: false, detail: "cannot encode: \(error)")
        }
        let result = WebhookExchange.run(request)
        switch result {
        case .failure(let error):
            throw WebhookError(kind: .temporary, status: nil, connectionLevel: true, detail: Self.describe(error))
        case .success(let status) where (200..<300).contains(status):
            return
        case .success(let status):
            // RFC 9110 §15.6: 5xx is the server's trouble, which may pass; RFC 6585 §4: 429 asks us to wait.
            // Either says the endpoint is struggling, so its channel rests for this round.
            let temporary = status >= 500 || status == 429
            throw WebhookError(kind: temporary ? .temporary : .permanent, status: status, connectionLevel: temporary,
                               detail: "HTTP \(status)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? URLError { return "URLError \(error.code.rawValue): \(error.localizedDescription)" }
        return String(describing: error)
    }
}

/// Why a webhook POST failed, and whether to try again.
public struct WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case temporary, permanent }
    public var kind: Kind
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// No answer at all (refused, timed out, TLS), or an answer saying the endpoint is overloaded:
    /// the channel's other notifications need not be tried this round.
    public var connectionLevel: Bool
    public var detail: String

    public var description: String { "webhook: \(detail)" }
}

/// One request/response over URLSession, waited for on the calling thread.
enum WebhookExchange {
    /// The status of the answer, or the transport's error. A session per exchange: an ephemeral
    /// configuration (no cookies, no cache), invalidated after use so its resources are released.
    static func run(_ request: URLRequest) -> Result<Int, any Error> {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeoutInterval
        configuration.timeoutIntervalForResource = request.timeoutInterval
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { _, response, error in
            if let error {
                outcome.set(.failure(error))
            } else if let http = response as? HTTPURLResponse {
                outcome.set(.success(http.statusCode))
            } else {
                outcome.set(.failure(URLError(.badServerResponse)))
            }
            done.signal()
        }
        task.resume()
        // A synchronous caller on the notifier's own DispatchQueue (not the cooperative pool); the
        // request's timeout bounds the wait, the extra seconds cover the session's own bookkeeping.
        if done.wait(timeout: .now() + request.timeoutInterval + 5) == .timedOut {
            task.cancel()
            return .failure(URLError(.timedOut))
        }
        return outcome.get() ?? .failure(URLError(.unknown))
    }

    /// The completion handler's result, handed from URLSession's queue to the waiting thread.
    private final class Outcome: Sendable {
        private let value = Mutex<Result<Int, any Error>?>(nil)
        func set(_ result: Result<Int, any Error>) { value.withLock { $0 = result } }
        func get() -> Result<Int, any Error>? { value.withLock { $0 } }
    }
}

extension Duration {
    /// The duration in seconds, as Foundation's intervals want it.
    var timeInterval: TimeInterval {
        let (s, attoseconds) = components
        return TimeInterval(s) + TimeInterval(attoseconds) / 1e18
    }
}
