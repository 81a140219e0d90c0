import Domain

/// Where each role lands after login on the network desk, and where the brand link leads.
///
/// A customer sees their tickets (with "Report a problem"); an agent the incoming queue (open
/// tickets); an engineer what is assigned to them; a manager the dashboard; an admin the users.
enum StartPage {
    static func path(for user: User) -> String {
        switch user.role {
        case .customer: "/tickets"
        case .agent: "/tickets?status=open"
        case .engineer: "/tickets?assignee_id=\(user.id.rawValue)"
        case .manager: "/dashboard"
        case .admin: "/admin/users"
        }
    }
}
