import Domain
import Notifier

/// The web inbox: the visitor's notifications newest first, each with its subject (linking to the
/// ticket), excerpt, time and read state, a "Mark as read" button on the unread ones and one
/// "Mark all as read" for the page.
enum NotificationsPage {
    struct Model: Sendable {
        var visitor: Visitor
        var csrfToken: String
        var entries: [Inbox.Entry]
        /// The id the "Older notifications" link starts below; nil on the last page.
        var olderThan: Int64?
        var isFirstPage: Bool
        var flash: Layout.Flash?
    }

    static func render(_ m: Model, time: CampusTime) -> [UInt8] {
        var h = HTMLBuffer(capacity: 8192 + m.entries.count * 640)
        let unread = m.visitor.unreadNotifications ?? 0
        Layout.page(title: "Notifications", visitor: m.visitor, csrfToken: m.csrfToken, flash: m.flash, body: { b in
            b.raw("<h1>Notifications</h1>\n<p>")
            if unread == 0 {
                b.raw("You have no unread notifications.")
            } else {
                b.text(Inbox.countText(unread))
                b.raw(unread == 1 ? " unread notification." : " unread notifications.")
            }
            b.raw(" <a href=\"/notifications/preferences\">Notification preferences</a></p>\n")
            if unread > 0, let newest = m.entries.first?.id, m.isFirstPage {
                b.raw("<form method=\"post\" action=\"/notifications/read\">\n")
                Layout.hidden("csrf_token", m.csrfToken, into: &b)
                Layout.hidden("all", "1", into: &b)
                Layout.hidden("through_id", String(newest), into: &b)
                b.raw("<button type=\"submit\">Mark all as read</button>\n</form>\n")
            }
            guard !m.entries.isEmpty else {
                b.raw(m.isFirstPage ? "<p>Nothing yet: you will find here what happens to your tickets.</p>\n" : "<p>No older notifications.</p>\n")
                return
            }
            b.raw("<ol class=\"notifications\">\n")
            for e in m.entries { entry(e, m, time: time, into: &b) }
            b.raw("</ol>\n")
            if let older = m.olderThan {
                b.raw("<p><a href=\"/notifications?before=")
                b.number(older)
                b.raw("\">Older notifications</a></p>\n")
            }
        }, into: &h)
        return h.bytes
    }

    private static func entry(_ e: Inbox.Entry, _ m: Model, time: CampusTime, into b: inout HTMLBuffer) {
        b.raw(e.isRead ? "<li class=\"read\">\n" : "<li class=\"unread\">\n")
        b.raw("<h2><a href=\"/tickets/")
        b.number(e.ticketID.rawValue)
        b.raw("\">")
        b.text(e.subject)
        b.raw("</a></h2>\n<p>")
        b.text(e.excerpt)
        b.raw("</p>\n<p class=\"meta\">")
        b.time(e.createdAt, time)
        b.raw(e.isRead ? " · Read</p>\n" : " · <strong>Unread</strong></p>\n")
        if !e.isRead {
            b.raw("<form method=\"post\" action=\"/notifications/read\">\n")
            Layout.hidden("csrf_token", m.csrfToken, into: &b)
            Layout.hidden("id", String(e.id), into: &b)
            b.raw("<button type=\"submit\">Mark as read<span class=\"visually-hidden\">: ")
            b.text(e.subject)
            b.raw("</span></button>\n</form>\n")
        }
        b.raw("</li>\n")
    }
}
