import Foundation
import Domain

/// The identity of one message, chosen by its sender; consumers deduplicate on it.
public struct EnvelopeID: StringIdentifier {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// One message on the spool: a versioned JSON header around a raw JSON body.
///
/// Wire form (one line, so several fit in one JSON Lines file):
/// `{"v":1,"id":…,"type":…,"sent_at":…,"attempts":0,"reply_to":null,"correlation_id":null,"body":{…}}`.
/// The body is kept as raw bytes so the broker never needs to know its type; only the consumer
/// decodes it (`decodeBody`).
public struct Envelope: Sendable, Equatable {
    /// The only version this code reads and writes; anything else goes to `dead/`.
    public static let currentVersion = 1

    public var version: Int
    public var id: EnvelopeID
    public var type: String
    public var sentAt: Timestamp
    /// How many times delivery has failed and been retried (0 on first delivery).
    public var attempts: Int
    public var replyTo: QueueName?
    public var correlationID: String?
    /// The body as JSON bytes (one JSON value, no raw newlines).
    public var body: Data

    /// Builds an envelope around an `Encodable` body.
    public init<B: Encodable>(type: String, body: B, replyTo: QueueName? = nil, correlationID: String? = nil,
                              sentAt: Timestamp, id: EnvelopeID = .random()) throws {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch {
            throw SpoolError(kind: .encoding, operation: "encode body", path: type, detail: "\(error)")
        }
        self.init(id: id, type: type, sentAt: sentAt, attempts: 0, replyTo: replyTo,
                  correlationID: correlationID, rawBody: data)
    }

    /// Builds an envelope around JSON bytes the caller already has (validated when sent or read).
    public init(version: Int = Envelope.currentVersion, id: EnvelopeID = .random(), type: String, sentAt: Timestamp,
                attempts: Int = 0, replyTo: QueueName? = nil, correlationID: String? = nil, rawBody: Data) {
        self.version = version
        self.id = id
        self.type = type
        self.sentAt = sentAt
        self.attempts = attempts
        self.replyTo = replyTo
        self.correlationID = correlationID
        self.body = rawBody
    }

    /// Decodes the body as `B`.
    public func decodeBody<B: Decodable>(_: B.Type) throws -> B {
        try JSONDecoder().decode(B.self, from: body)
    }
}

/// Why bytes are not an envelope; the text becomes the dead letter's reason.
public enum EnvelopeError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notUTF8
    case notAnObject
    case malformedJSON(offset: Int)
    case missingField(String)
    case invalidField(String)
    case unsupportedVersion(Int)
    case tooLarge(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty: "empty message"
        case .notUTF8: "not valid UTF-8"
        case .notAnObject: "not a JSON object"
        case .malformedJSON(let offset): "malformed JSON at byte \(offset)"
        case .missingField(let f): "missing field \(f)"
        case .invalidField(let f): "invalid field \(f)"
        case .unsupportedVersion(let v): "unsupported envelope version \(v)"
        case .tooLarge(let bytes, let limit): "message of \(bytes) bytes exceeds limit of \(limit)"
        }
    }
}
