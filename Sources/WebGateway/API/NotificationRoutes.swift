import Domain
import HTTPServer
import Notifier

/// The caller's web inbox in the API (docs/api.md, "Notifications"): `GET /api/notifications`.
///
/// Always the caller's own: the account on the network desk; on the campus desk the inbox of the
/// client's `X-CampusDesk-Reporter-Key` (required there: it is who reported, docs/notifications.md).
struct NotificationRoutes: Sendable {
    let context: GatewayContext
    private var api: APIRoutes { APIRoutes(context: context) }

    func register(in api: inout RouteGroup) {
        api.get("/notifications") { try await list($0) }
    }

    /// One notification as the API shows it.
    struct Item: Encodable {
        var id: Int64
        var ticketID: TicketID
        var kind: String
        var subject: String
        var excerpt: String
        var createdAt: Timestamp
        var readAt: Timestamp?
        var read: Bool

        init(_ e: Inbox.Entry) {
            (id, ticketID, kind, subject, excerpt, createdAt, readAt, read) =
                (e.id, e.ticketID, e.kind.rawValue, e.subject, e.excerpt, e.createdAt, e.readAt, e.isRead)
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, subject, excerpt, read
            case ticketID = "ticket_id", createdAt = "created_at", readAt = "read_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(ticketID, forKey: .ticketID)
            try c.encode(kind, forKey: .kind)
            try c.encode(subject, forKey: .subject)
            try c.encode(excerpt, forKey: .excerpt)
            try c.encode(createdAt, forKey: .createdAt)
            // Present and null while unread, as the API's other optional fields.
            try c.encode(readAt, forKey: .readAt)
            try c.encode(read, forKey: .read)
        }
    }

    struct Page: Encodable {
        var unread: Int
        var notifications: [Item]
        var nextBefore: Int64?

        enum CodingKeys: String, CodingKey {
            case unread, notifications
            case nextBefore = "next_before"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(unread, forKey: .unread)
            try c.encode(notifications, forKey: .notifications)
            try c.encode(nextBefore, forKey: .nextBefore)
        }
    }

    /// `GET /api/notifications[?before=ID&limit=N]`: newest first; `unread` counted up to 100.
    func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let caller = try await api.caller(request)
        // A malformed key is a 400 on both desks, as for the other operations that take it.
        let reporterKey = try ReporterKey.digest(of: request, mode: context.authMode)
        let key: String
        if let user = caller.user {
            key = Inbox.key(user: user.id)
        } else if context.authMode == .open, let digest = reporterKey {
            key = Inbox.key(reporterKeyDigest: digest)
        } else {
            throw Problem.refused(.forbidden, "Send \(ReporterKey.header): on this desk it is whose notifications these are.", field: ReporterKey.header)
        }
        let query = try APIRoutes.query(request)
        try APIRoutes.requireValues(query, ["before", "limit"])
        var before: Int64?
        if let raw = query["before"] {
            guard let n = NotificationPages.entryID(raw) else { throw Problem.refused(.validation, "before must be a notification id.", field: "before") }
            before = n
        }
        var limit = NotificationPages.pageSize
        if let raw = query["limit"] {
            guard raw.utf8.count <= 3, let n = Int(raw), (1...100).contains(n) else {
                throw Problem.refused(.validation, "limit must be between 1 and 100.", field: "limit")
            }
            limit = n
        }
        var entries = try await context.inbox.entries(of: key, before: before, limit: limit + 1)
        let more = entries.count > limit
        if more { entries.removeLast() }
        let page = Page(unread: try await context.inbox.unreadCount(of: key), notifications: entries.map(Item.init), nextBefore: more ? entries.last?.id : nil)
        return APIRoutes.json(.ok, page)
    }
}
