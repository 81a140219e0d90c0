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
/// The key is the browser's random id (the `cd_browser` cookie, never shown to others), who acts
/// in it (role and account: two people signing in one after the other on a shared computer each
/// file their own report), what the form is (a report, or a message on one ticket), the text with
/// case and runs of white space folded, and a ten-minute window. The gateway looks in the current window and the one before,
/// so a repeat is caught 10 to 20 minutes after the first; after that the same text is a new report.
struct RepeatKey: Sendable, Equatable {
    /// The length of one window.
    static let window: Int64 = 10 * 60 * 1_000

    /// The id in the current window, and in the one before (to look for an applied first send).
    let current: CommandID
    let previous: CommandID

    /// - Parameters:
    ///   - form: what the text is (`report`, or `message <ticket id>`).
    ///   - actor: who sends it (the role, and the account on the network desk).
    init(form: String, browserID: String, actor: Actor, text: String, now: Timestamp) {
        let bucket = now.millisecondsSinceEpoch / Self.window
        let folded = Self.folded(text)
        let who = "\(actor.role.rawValue) \(actor.userID?.rawValue ?? 0)"
        func id(_ bucket: Int64) -> CommandID {
            let digest = SHA256.hash(Array("\(browserID)\u{0}\(who)\u{0}\(form)\u{0}\(bucket)\u{0}\(folded)".utf8))
            return CommandID("repeat:" + hexString(Array(digest.prefix(16))))
        }
        current = id(bucket)
        previous = id(bucket - 1)
    }

    /// Lower-cased, trimmed, every run of white space one space: what a person sees as the same text.
    static func folded(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
