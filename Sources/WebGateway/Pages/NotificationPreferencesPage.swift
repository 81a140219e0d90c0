import Domain
import Notifier

/// A person's notification preferences: the channels they are told on (e-mail, text message,
/// both, none, or the desk's default) and quiet hours. Accounts only: a campus visitor is told at
/// the contact they give with each report, at its preferred contact time.
enum NotificationPreferencesPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var stored: NotificationPreference?
        var state: FormState
        var flash: Layout.Flash?
    }

    static let fields: Set<String> = ["channels", "quiet_days", "quiet_from", "quiet_to"]
    static let accountsOnly = "Preferences belong to accounts. On the campus desk you are told at the e-mail address or phone number you give with each report, within its preferred contact time; your notifications here always show everything."

    static let channelOptions: [(String, String)] = [
        ("default", "As the desk decides: e-mail, and a text message when urgent"),
        ("email", "E-mail only"),
        ("sms", "Text message only"),
        ("email,sms", "E-mail and text message"),
        ("none", "Neither: only the notifications page"),
    ]
    static let dayOptions: [(String, String)] = [("daily", "Every day"), ("weekdays", "Weekdays"), ("weekends", "Weekends")]

    /// The form's values for a stored preference (or the defaults).
    static func state(of stored: NotificationPreference?) -> FormState {
        var values = ["channels": stored?.channelsText ?? "default", "quiet_days": "daily", "quiet_from": "", "quiet_to": ""]
        if let text = stored?.quietHours?.text {
            let parts = text.split(separator: " ")
            let times = parts.last.map { $0.split(separator: "-").map(String.init) } ?? []
            if parts.count == 2, times.count == 2 {
                values["quiet_days"] = String(parts[0])
                (values["quiet_from"], values["quiet_to"]) = (times[0], times[1])
            }
        }
        return FormState(values: values)
    }

    /// The channels text and the quiet hours' canonical text (nil: none), or the form with its errors;
    /// the same rules as `campusdesk notify-prefs` (``NotificationPreference/channels(parsing:)``, ``ContactWindow``).
    enum Parsed {
        case valid(channels: String, quietHours: String?)
        case invalid(FormState)
    }

    static func parse(_ values: [String: String]) -> Parsed {
        var state = FormState(values: values)
        let channels = values["channels"] ?? ""
        if NotificationPreference.channels(parsing: channels) == nil || channels.isEmpty {
            state.errors["channels"] = "Please choose how you want to be told."
        }
        let days = values["quiet_days"] ?? "daily"
        let from = (values["quiet_from"] ?? "").trimmingWhitespace(), to = (values["quiet_to"] ?? "").trimmingWhitespace()
        var quiet: String?
        switch (from.isEmpty, to.isEmpty) {
        case (true, true): quiet = nil
        case (false, true): state.errors["quiet_to"] = "Give the time the quiet hours end, or leave both times empty for none."
        case (true, false): state.errors["quiet_from"] = "Give the time the quiet hours start, or leave both times empty for none."
        case (false, false):
            if let window = ContactWindow(parsing: "\(days) \(from)-\(to)") {
                quiet = window.text
            } else {
                state.errors["quiet_from"] = "Give the times as HH:MM, such as 22:00 and 07:00, on the days chosen."
            }
        }
        return state.errors.isEmpty ? .valid(channels: channels, quietHours: quiet) : .invalid(state)
    }

    static func render(_ m: Model) -> [UInt8] {
        var h = HTMLBuffer(capacity: 8192)
        Layout.page(title: "Notification preferences", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            b.raw("<h1>Notification preferences</h1>\n")
            guard let user = m.visitor.user else {
                b.raw("<p>")
                b.text(accountsOnly)
                b.raw("</p>\n<p><a href=\"/notifications\">Back to your notifications</a></p>\n")
                return
            }
            b.raw("<p>Your notifications page always shows everything, at once. These choices are for e-mail and text messages")
            b.raw(user.phone == nil ? "; text messages need a phone number on your account." : ".")
            b.raw("</p>\n<form method=\"post\" action=\"/notifications/preferences\">\n")
            Layout.hidden("csrf_token", m.csrfToken, into: &b)
            Field.general(m.state, into: &b)
            Field.select(name: "channels", label: "Tell me by", idPrefix: "prefs", options: channelOptions, selected: nil, state: m.state, into: &b)
            b.raw("<fieldset>\n<legend>Quiet hours</legend>\n")
            b.raw("<p class=\"hint\">Nothing but urgent notices (P1 tickets, missed service targets) by e-mail or text between these times; the rest waits until they end. Leave both times empty for none.</p>\n")
            var days = dayOptions
            if let current = m.state.values["quiet_days"], !days.contains(where: { $0.0 == current }) { days.append((current, current)) }
            Field.select(name: "quiet_days", label: "On", idPrefix: "prefs", options: days, selected: nil, state: m.state, into: &b)
            Field.control(.text, name: "quiet_from", label: "From", idPrefix: "prefs", state: m.state, maxLength: 5, hint: "HH:MM, such as 22:00", into: &b)
            Field.control(.text, name: "quiet_to", label: "To", idPrefix: "prefs", state: m.state, maxLength: 5, hint: "HH:MM, such as 07:00", into: &b)
            b.raw("</fieldset>\n<button type=\"submit\">Save preferences</button>\n</form>\n")
            b.raw("<p><a href=\"/notifications\">Back to your notifications</a></p>\n")
        }, into: &h)
        return h.bytes
    }
}
