import SpoolBroker

/// The one mapping of CampusDesk's names onto JetStream's (docs/nats.md has the table).
///
/// Queue and exchange names may hold `.`, which separates subject tokens and is refused in
/// stream names, so each name becomes one token by a reversible escape: `_` → `_u`, `.` → `_d`
/// (`events.open-tickets` → `events_dopen-tickets`).
public enum NATSNames {
    /// The durable pull consumer every `NATSConsumer` of a queue shares.
    public static let durable = "campusdesk"

    public static func token(_ name: String) -> String {
        var out = ""
        for c in name {
            switch c {
            case "_": out += "_u"
            case ".": out += "_d"
            default: out.append(c)
            }
        }
        return out
    }

    public static func untoken(_ token: String) -> String {
        var out = ""
        var escape = false
        for c in token {
            if escape {
                out.append(c == "d" ? "." : c == "u" ? "_" : c)
                escape = false
            } else if c == "_" {
                escape = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The queue's stream (work-queue retention) and the subject its messages are published to.
    public static func stream(_ q: QueueName) -> String { "Q-" + token(q.rawValue) }
    public static func subject(_ q: QueueName) -> String { "campusdesk.q." + token(q.rawValue) }

    /// The queue's dead-letter stream (limits retention) and subject.
    public static func deadStream(_ q: QueueName) -> String { "D-" + token(q.rawValue) }
    public static func deadSubject(_ q: QueueName) -> String { "campusdesk.dead." + token(q.rawValue) }

    /// A reply queue is a core-NATS subject, never a stream.
    public static func replySubject(_ q: QueueName) -> String { "campusdesk.reply." + token(q.rawValue) }
    public static func isReplyQueue(_ q: QueueName) -> Bool { q.rawValue.hasPrefix(QueueName.replyPrefix) }

    /// Bindings: one stream, one subject per (exchange, queue), at most one message each.
    public static let bindingsStream = "CAMPUSDESK-BINDINGS"
    public static let bindingsSubjects = "campusdesk.binding.>"
    public static func bindingSubject(_ e: ExchangeName, _ q: QueueName) -> String {
        "campusdesk.binding.\(token(e.rawValue)).\(token(q.rawValue))"
    }
    public static func bindingFilter(_ e: ExchangeName) -> String { "campusdesk.binding.\(token(e.rawValue)).*" }

    /// Headers of a dead letter.
    public static let reasonHeader = "CampusDesk-Reason"
    public static let sequenceHeader = "CampusDesk-Sequence"
}
