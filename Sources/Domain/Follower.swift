/// "Me too": add the sender as a follower of an `open` or `active` ticket, instead of reporting the
/// same problem again. Following twice, or following one's own report, changes nothing.
///
/// Who follows is the sender's identity as the desk knows it (``Follower``): the account on the
/// network desk, the reporting client's key digest on the campus desk (as ``CreateTicket``'s).
public struct FollowTicket: Sendable, Codable, Equatable {
    public var ticketID: TicketID
    /// On the campus desk, the SHA-256 of the client's secret (``CreateTicket/reporterKeyDigest``);
    /// required there, ignored on the network desk (the account follows).
    public var reporterKeyDigest: String?
    public init(ticketID: TicketID, reporterKeyDigest: String? = nil) {
        self.ticketID = ticketID
        self.reporterKeyDigest = reporterKeyDigest
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", reporterKeyDigest = "reporter_key_digest" }
}

/// Close a duplicate by merging it into the ticket that stays (staff who may triage both): the
/// duplicate closes with `merged_into`, its reporter and followers follow the survivor.
///
/// Refused: a ticket into itself, a closed duplicate, a closed survivor, and a survivor that was
/// itself merged (the refusal names the ticket it was merged into; merges never form chains).
public struct MergeTicket: Sendable, Codable, Equatable {
    /// The duplicate.
    public var ticketID: TicketID
    /// The survivor.
    public var into: TicketID
    public init(ticketID: TicketID, into: TicketID) {
        self.ticketID = ticketID
        self.into = into
    }
    enum CodingKeys: String, CodingKey { case ticketID = "ticket_id", into }
}

/// Someone a ticket affects besides its reporter: one row of `ticket_followers` (migration 15).
///
/// Stored as one text value so one primary key makes following idempotent on both desks:
/// `user:<id>` (an account), `key:<64 hex>` (a campus client's key digest), or `ticket:<id>` (the
/// reporter of a merged duplicate known by nothing else: an import, an API report without a key).
public enum Follower: Sendable, Equatable, Hashable {
    case account(UserID)
    case reporterKey(String)
    case reporterOf(TicketID)

    /// The stored form.
    public var rawValue: String {
        switch self {
        case .account(let id): "user:\(id.rawValue)"
        case .reporterKey(let digest): "key:\(digest)"
        case .reporterOf(let id): "ticket:\(id.rawValue)"
        }
    }

    public init?(rawValue: String) {
        guard let colon = rawValue.firstIndex(of: ":") else { return nil }
        let kind = rawValue[..<colon], value = String(rawValue[rawValue.index(after: colon)...])
        switch kind {
        case "user": guard let n = Int64(value) else { return nil }; self = .account(UserID(n))
        case "key": self = .reporterKey(value)
        case "ticket": guard let n = Int64(value) else { return nil }; self = .reporterOf(TicketID(n))
        default: return nil
        }
    }
}
