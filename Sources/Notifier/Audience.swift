import Domain

/// Who hears of what: a pure function of a change event, the ticket as read then, and the accounts.
///
/// - created → the reporter (a receipt, "Ticket #123 has been created"), and for P1/P2 the agents on duty;
/// - assigned or reassigned → the new engineer; status changed → the reporter and the followers;
/// - a message → the other side of the conversation (the reporter and the followers when staff
///   wrote; the assignee, or the agents on duty while there is none, when the reporter wrote);
/// - an SLA timer at risk or breached → the assignee and the managers.
///
/// Nobody is told of their own action (the actor comes from the event's audit rows). The one
/// exception is the receipt of a new ticket: its reporter filed it and still gets the receipt,
/// which carries the number and link they need (docs/notifications.md).
///
/// Followers (issue 18's "me too", merged duplicates' reporters) hear what the reporter hears
/// after creation, once each: a follower who is the reporter, or who shares a recipient's key or
/// e-mail address, is told once.
public enum Audience {
    /// The notices `event` causes, one per recipient and channel, recipients in a stable order.
    public static func notices(for event: ChangeEvent, ticket: TicketSnapshot, directory: AccountDirectory) -> [Notice] {
        guard let decision = decide(event, ticket: ticket, directory: directory) else { return [] }
        var out: [Notice] = []
        for person in decision.people {
            for channel in person.channels(urgent: decision.urgent) {
                out.append(Notice(kind: decision.kind, recipient: person, channel: channel, urgent: decision.urgent))
            }
        }
        return out
    }

    /// What an event is and who hears of it, before channels.
    public struct Decision: Sendable, Equatable {
        public var kind: NotificationKind
        public var urgent: Bool
        /// Each person once, in a stable order, the actor left out; some may have no e-mail or
        /// phone and only an inbox (``Recipient/inboxKey``).
        public var people: [Recipient]
    }

    /// The kind of notice `event` is and the people told of it; nil when nobody is.
    public static func decide(_ event: ChangeEvent, ticket: TicketSnapshot, directory: AccountDirectory) -> Decision? {
        guard let (kind, urgent) = classify(event, ticket: ticket) else { return nil }
        let actor = event.changes?.first?.actorID.map { "user:\($0.rawValue)" }
        var people: [Recipient] = []
        switch kind {
        case .ticketCreated:
            people += reporter(ticket, directory).map { [$0] } ?? []
            if ticket.priority == .p1 || ticket.priority == .p2 {
                let filer = ticket.customerID.map { "user:\($0.rawValue)" }
                people += directory.agentsOnDuty.map(Recipient.init).filter { $0.key != filer }
            }
        case .ticketAssigned:
            let named = event.changes?.contains { $0.field == .assignee } == true ? newAssignee(event) : ticket.assigneeID
            people += directory.user(named).map { [Recipient($0)] } ?? []
        case .statusChanged:
            people += reporter(ticket, directory).map { [$0] } ?? []
            people += followers(ticket, directory)
        case .messagePosted:
            if ticket.lastMessageAuthorRole == .customer {
                if let assignee = directory.user(ticket.assigneeID) {
                    people.append(Recipient(assignee))
                } else {
                    people += directory.agentsOnDuty.map(Recipient.init)
                }
            } else {
                people += reporter(ticket, directory).map { [$0] } ?? []
                people += followers(ticket, directory)
            }
        case .slaAtRisk, .slaBreached:
            people += directory.user(ticket.assigneeID).map { [Recipient($0)] } ?? []
            people += directory.managers.map(Recipient.init)
        }
        var seen = Set<String>()
        var addresses = Set<String>()
        let told = people.filter { person in
            guard person.key != actor, seen.insert(person.key).inserted else { return false }
            // One person known twice (an account, and the contact they gave on a duplicate) is told once.
            if let email = person.email?.lowercased(), !addresses.insert(email).inserted { return false }
            return true
        }
        return told.isEmpty ? nil : Decision(kind: kind, urgent: urgent, people: told)
    }

    /// Whether any event of this kind and change may tell someone (without reading the ticket).
    public static func concerns(_ event: ChangeEvent) -> Bool {
        switch event.type {
        case .ticketOpened, .ticketAssigned, .messagePosted: true
        case .statusChanged, .slaChanged: classify(event, ticket: TicketSnapshot(id: event.ticketID, description: "", status: event.after.status,
                                                                                 category: event.after.category)) != nil
        case .ticketEdited, .ticketCategorised, .ticketImported, .ticketTriaged: false
        }
    }

    /// The kind of notice an event is, and whether it is urgent; nil for events nobody is told of
    /// (edits, categorisation, triage, imports, a timer going back on track).
    public static func classify(_ event: ChangeEvent, ticket: TicketSnapshot) -> (NotificationKind, urgent: Bool)? {
        switch event.type {
        case .ticketOpened:
            return (.ticketCreated, ticket.priority == .p1 || ticket.priority == .p2)
        case .ticketAssigned:
            return (.ticketAssigned, false)
        case .statusChanged:
            guard event.before?.status != event.after.status else { return nil }
            return (.statusChanged, false)
        case .messagePosted:
            return (.messagePosted, false)
        case .slaChanged:
            guard let before = event.before?.sla, let after = event.after.sla else { return nil }
            let moved = SLATimerKind.allCases.filter { before[$0].recorded != after[$0].recorded }.map { after[$0].recorded }
            if moved.contains(.breached) { return (.slaBreached, true) }
            if moved.contains(.atRisk) { return (.slaAtRisk, false) }
            return nil
        case .ticketEdited, .ticketCategorised, .ticketImported, .ticketTriaged:
            return nil
        }
    }

    /// Whether the event may tell the followers (so their contacts need reading): what tells the reporter after creation.
    public static func reachesFollowers(_ event: ChangeEvent) -> Bool {
        event.type == .statusChanged || event.type == .messagePosted
    }

    /// The followers who can be reached, in the ticket's order.
    static func followers(_ ticket: TicketSnapshot, _ directory: AccountDirectory) -> [Recipient] {
        ticket.followers.compactMap { $0.recipient(directory) }
    }

    /// The engineer an assignment event names (its audit row), nil when taken back or not recorded.
    static func newAssignee(_ event: ChangeEvent) -> UserID? {
        guard let row = event.changes?.first(where: { $0.field == .assignee }) else { return nil }
        return row.newValue.flatMap(Int64.init).map(UserID.init)
    }

    /// The reporter: their account, else the contact they gave on the ticket and the inbox of the
    /// reporter key they filed it with (campus desk), else nobody.
    static func reporter(_ ticket: TicketSnapshot, _ directory: AccountDirectory) -> Recipient? {
        if let user = directory.user(ticket.customerID) { return Recipient(user) }
        let inbox = ticket.reporterKeyDigest.map(Inbox.key(reporterKeyDigest:))
        guard let key = (ticket.contactEmail ?? ticket.contactPhone).map({ "contact:\($0.lowercased())" }) ?? inbox else { return nil }
        return Recipient(key: key, name: ticket.reporterName, email: ticket.contactEmail, phone: ticket.contactPhone, inboxKey: inbox)
    }
}
