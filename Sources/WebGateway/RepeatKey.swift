import Credentials
import Domain

/// Command ids for new reports and messages taken from what they say, so the same text sent
/// again from the same browser within minutes is the command already sent.
///
/// Why: a form's hidden request id makes a double click one command, but Back, a reload of the
/// form, or a second try while the ticket worker was stopped renders the form afresh with a new
/// id, and the worker then filed the report twice. With these ids the worker answers the repeat
/// with its stored reply (a known id is never applied twice, even while both wait in the queue),
/// and the gateway, finding the first one applied, tells the person where it went.
///
/// The first id hashes the browser's random id (the `cd_browser` cookie, never shown to others),
/// who acts in it (role and account: two people signing in one after the other on a shared
/// computer each file their own report), what the form is (a report, or a message on one ticket)
/// and the text with case and runs of white space folded. No clock goes into it, so sends that
/// wait in the queue while the worker is stopped share one id however far apart they were.
/// Once an id was applied more than ``window`` ago, the same text is a new report: its id is the
/// next link of a chain (the applied id and when it was applied), so the next repeat finds it too.
struct RepeatKey: Sendable, Equatable {
    /// How long after the first is applied the same text still counts as a repeat.
    static let window: Int64 = 10 * 60 * 1_000
    /// Links followed before giving up on finding the newest (the same text sent again and again
    /// over hours); past them the form's own request id decides, as without the key.
    static let maxLinks = 16

    /// The id of the first send of this text.
    let first: CommandID

    /// - Parameters:
    ///   - form: what the text is (`report`, or `message <ticket id>`).
    ///   - actor: who sends it (the role, and the account on the network desk).
    init(form: String, browserID: String, actor: Actor, text: String) {
        let who = "\(actor.role.rawValue) \(actor.userID?.rawValue ?? 0)"
        first = Self.id("\(browserID)\u{0}\(who)\u{0}\(form)\u{0}\(Self.folded(text))")
    }

    /// The id for the same text sent again once `id`, applied at `appliedAt`, is older than the window.
    static func next(after id: CommandID, appliedAt: Timestamp) -> CommandID {
        Self.id("\(id.rawValue)\u{0}\(appliedAt.millisecondsSinceEpoch)")
    }

    /// Lower-cased, trimmed, every run of white space one space: what a person sees as the same text.
    static func folded(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func id(_ material: String) -> CommandID {
        CommandID("repeat:" + hexString(Array(SHA256.hash(Array(material.utf8)).prefix(16))))
    }
}

/// What the gateway does with a form it recognises by its text (``RepeatKey``).
enum RepeatDecision: Equatable {
    /// Applied less than the window ago: tell the person where it went.
    case repeated(CommandReply)
    /// Send under this id (the worker applies it once, however often it is sent).
    case send(CommandID)
    /// Refused before (a closed ticket, a retired type) or too many links: this try may fare
    /// otherwise, so it goes under the form's own request id.
    case sendUnderFormID

    /// Follows the chain from `key.first` with `applied` (the stored reply and when it was applied).
    static func decide(_ key: RepeatKey, now: Timestamp,
                       applied: (CommandID) async throws -> (reply: CommandReply, at: Timestamp)?) async rethrows -> RepeatDecision {
        var id = key.first
        for _ in 0..<RepeatKey.maxLinks {
            guard let found = try await applied(id) else { return .send(id) }
            if found.reply.refusal != nil { return .sendUnderFormID }
            if now.millisecondsSinceEpoch - found.at.millisecondsSinceEpoch < RepeatKey.window { return .repeated(found.reply) }
            id = RepeatKey.next(after: id, appliedAt: found.at)
        }
        return .sendUnderFormID
    }
}
