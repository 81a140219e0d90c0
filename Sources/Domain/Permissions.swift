/// Something a person may try to do; `Permissions` says which roles may, and on which tickets.
public enum Permission: String, Sendable, CaseIterable, Hashable, Codable {
    case reportTicket = "report_ticket"
    case viewTicket = "view_ticket"
    /// Change a ticket's description and location (only while it is not closed).
    case editTicket = "edit_ticket"
    case changeStatus = "change_status"
    /// Take a closed ticket back to `active`, with a reason (the one step back along the lifecycle).
    case reopenTicket = "reopen_ticket"
    case postMessage = "post_message"
    /// Set a ticket's category by hand, or its issue type (which moves the category).
    case setCategory = "set_category"
    /// Set severity, impact and priority by hand.
    case triageTicket = "triage_ticket"
    /// Assign an unassigned ticket to an engineer, or take an assignment back.
    case assignTicket = "assign_ticket"
    /// Move a ticket from one engineer to another.
    case reassignTicket = "reassign_ticket"
    /// Assign an unassigned ticket to oneself (an engineer taking work from the queue); whoever
    /// holds `assign_ticket` needs no more.
    case takeTicket = "take_ticket"
    case importTickets = "import_tickets"
    case viewDashboard = "view_dashboard"
    /// See the manager's dashboard: SLA compliance, tickets at risk and breached, workload per engineer.
    case viewServiceLevels = "view_service_levels"
    /// Print the QR poster of a place (`/posters`): staff put them up where problems are reported.
    case printPosters = "print_posters"
    /// See the staff directory (engineers with their open assigned tickets).
    case listEngineers = "list_engineers"
    case manageUsers = "manage_users"
    /// Add, rename and retire the issue types reporters pick from (each belongs to a category).
    case manageCategories = "manage_categories"
    case editSLAPolicies = "edit_sla_policies"
    case manageSettings = "manage_settings"
}

/// On which tickets a role holds a permission.
public enum Reach: String, Sendable, Hashable, Codable {
    /// Not at all.
    case none
    /// On tickets the person reported (`customer_id`); on the campus desk, where nobody has an
    /// account, every ticket without one counts as the visitor's own, as before accounts existed.
    case own
    /// On tickets assigned to the person (`assignee_id`).
    case assigned
    /// On every ticket (or, for permissions not about a ticket, simply allowed).
    case all
}

/// The people a ticket belongs to, as far as permissions care.
public struct TicketParties: Sendable, Equatable {
    public var customerID: UserID?
    public var assigneeID: UserID?
    public init(customerID: UserID? = nil, assigneeID: UserID? = nil) {
        self.customerID = customerID
        self.assigneeID = assigneeID
    }
}

/// Who acts: the role, and the account when there is one (the network desk; nil on the campus desk).
public struct Actor: Sendable, Equatable, Hashable {
    public var role: Role
    public var userID: UserID?
    public init(role: Role, userID: UserID? = nil) {
        self.role = role
        self.userID = userID
    }
}

/// The permission table: what each role may do. The one place that says it; the gateway checks it
/// before sending a command (to show only what a role may do and to answer 403 early) and the ticket
/// worker checks it again on every command, because the queue is open to more than the gateway.
///
/// docs/roles.md prints this table; `PermissionTableTests` checks every cell in both places.
public enum Permissions {
    /// One row of the table, a reach per role.
    public struct Row: Sendable, Equatable {
        public var customer, agent, engineer, manager, admin: Reach
        public subscript(role: Role) -> Reach {
            switch role {
            case .customer: customer
            case .agent: agent
            case .engineer: engineer
            case .manager: manager
            case .admin: admin
            }
        }
    }

    /// The table. Admins hold every permission (they set the desk up and stand in for anyone);
    /// managers are agents who also reassign and edit SLA policies; engineers work what is
    /// assigned to them and read the rest.
    public static func row(_ permission: Permission) -> Row {
        switch permission {
        //                                     customer     agent        engineer       manager      admin
        case .reportTicket:     Row(customer: .all,  agent: .all,  engineer: .all,      manager: .all,  admin: .all)
        case .viewTicket:       Row(customer: .own,  agent: .all,  engineer: .all,      manager: .all,  admin: .all)
        case .editTicket:       Row(customer: .own,  agent: .all,  engineer: .assigned, manager: .all,  admin: .all)
        case .changeStatus:     Row(customer: .none, agent: .all,  engineer: .assigned, manager: .all,  admin: .all)
        case .reopenTicket:     Row(customer: .none, agent: .none, engineer: .none,     manager: .all,  admin: .all)
        case .postMessage:      Row(customer: .own,  agent: .all,  engineer: .assigned, manager: .all,  admin: .all)
        case .setCategory:      Row(customer: .none, agent: .all,  engineer: .assigned, manager: .all,  admin: .all)
        case .triageTicket:     Row(customer: .none, agent: .all,  engineer: .none,     manager: .all,  admin: .all)
        case .assignTicket:     Row(customer: .none, agent: .all,  engineer: .none,     manager: .all,  admin: .all)
        case .reassignTicket:   Row(customer: .none, agent: .none, engineer: .none,     manager: .all,  admin: .all)
        case .takeTicket:       Row(customer: .none, agent: .none, engineer: .all,      manager: .none, admin: .all)
        case .importTickets:    Row(customer: .none, agent: .all,  engineer: .none,     manager: .all,  admin: .all)
        case .viewDashboard:    Row(customer: .none, agent: .all,  engineer: .all,      manager: .all,  admin: .all)
        case .viewServiceLevels: Row(customer: .none, agent: .none, engineer: .none,    manager: .all,  admin: .all)
        case .printPosters:     Row(customer: .none, agent: .all,  engineer: .all,      manager: .all,  admin: .all)
        case .listEngineers:    Row(customer: .none, agent: .all,  engineer: .all,      manager: .all,  admin: .all)
        case .manageUsers:      Row(customer: .none, agent: .none, engineer: .none,     manager: .none, admin: .all)
        case .manageCategories: Row(customer: .none, agent: .none, engineer: .none,     manager: .none, admin: .all)
        case .editSLAPolicies:  Row(customer: .none, agent: .none, engineer: .none,     manager: .all,  admin: .all)
        case .manageSettings:   Row(customer: .none, agent: .none, engineer: .none,     manager: .none, admin: .all)
        }
    }

    /// How far `role` holds `permission`.
    public static func reach(_ role: Role, _ permission: Permission) -> Reach { row(permission)[role] }

    /// How far `role` holds `permission` on this desk: the table, except that on the campus desk
    /// (`open`) `agent` holds `reopen_ticket` everywhere, `edit_sla_policies` and `view_service_levels`.
    ///
    /// Why the exception: the campus desk has no managers of its own (only simple users and
    /// helpdesk staff, docs/roles.md), so its helpdesk staff, who close tickets, also undo a close;
    /// and for the same reason they set the SLA policies and calendar and see the manager's dashboard.
    public static func reach(_ role: Role, _ permission: Permission, desk: AuthMode) -> Reach {
        if desk == .open, role == .agent, permission == .reopenTicket || permission == .editSLAPolicies || permission == .viewServiceLevels {
            return .all
        }
        return reach(role, permission)
    }

    /// `allows(_:_:on:)` on this desk (``reach(_:_:desk:)``).
    public static func allows(_ actor: Actor, _ permission: Permission, on ticket: TicketParties, desk: AuthMode) -> Bool {
        holds(reach(actor.role, permission, desk: desk), actor, on: ticket)
    }

    /// Whether `actor` may do `permission` at all (on some ticket, for the ticket permissions):
    /// what menus and buttons are shown by.
    public static func mayEver(_ actor: Actor, _ permission: Permission) -> Bool {
        reach(actor.role, permission) != .none
    }

    /// Whether `actor` may do `permission` on a ticket with these parties.
    public static func allows(_ actor: Actor, _ permission: Permission, on ticket: TicketParties) -> Bool {
        holds(reach(actor.role, permission), actor, on: ticket)
    }

    private static func holds(_ reach: Reach, _ actor: Actor, on ticket: TicketParties) -> Bool {
        switch reach {
        case .none: false
        case .all: true
        case .own: actor.userID == ticket.customerID
        case .assigned: actor.userID != nil && actor.userID == ticket.assigneeID
        }
    }

    /// `allows`, or a `forbidden` refusal saying what the role may not do.
    public static func check(_ actor: Actor, _ permission: Permission, on ticket: TicketParties, field: String? = nil) throws(Refusal) {
        guard allows(actor, permission, on: ticket) else { throw refusal(actor, permission, field: field) }
    }

    /// `mayEver`, or a `forbidden` refusal; for permissions that are not about one ticket.
    public static func check(_ actor: Actor, _ permission: Permission, field: String? = nil) throws(Refusal) {
        guard reach(actor.role, permission) == .all else { throw refusal(actor, permission, field: field) }
    }

    /// The permission a change of assignee on `ticket` to `new` needs: moving it from one engineer
    /// to another is reassigning; giving an unassigned ticket to the actor themselves is taking
    /// (when the actor may take but not assign); anything else, assigning.
    ///
    /// Why one function: the gateway answers 403 early and the worker checks again, by the same rule.
    public static func assignmentPermission(_ actor: Actor, on ticket: TicketParties, to new: UserID?) -> Permission {
        if let current = ticket.assigneeID, let new, current != new { return .reassignTicket }
        if ticket.assigneeID == nil, let new, new == actor.userID, !allows(actor, .assignTicket, on: ticket),
           allows(actor, .takeTicket, on: ticket) { return .takeTicket }
        return .assignTicket
    }

    static func refusal(_ actor: Actor, _ permission: Permission, field: String?) -> Refusal {
        let what = permission.rawValue.replacingOccurrences(of: "_", with: " ")
        let reason = switch reach(actor.role, permission) {
        case .none: "\(actor.role.withArticle.capitalizedFirst) may not \(what)."
        case .own: "\(actor.role.withArticle.capitalizedFirst) may \(what) only on their own tickets."
        case .assigned: "\(actor.role.withArticle.capitalizedFirst) may \(what) only on tickets assigned to them."
        case .all: "Not allowed."
        }
        return Refusal(.forbidden, reason, field: field)
    }
}

extension Role {
    /// "a customer", "an agent", … for sentences.
    public var withArticle: String {
        switch self {
        case .agent, .engineer, .admin: "an \(rawValue)"
        case .customer, .manager: "a \(rawValue)"
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
