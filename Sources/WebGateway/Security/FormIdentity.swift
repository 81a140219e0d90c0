import Credentials
import Domain

/// Who a form was rendered for: the role, the account and the name it will act as.
///
/// Two tabs share one browser's cookies: a ticket page rendered for helpdesk staff in one tab,
/// then a switch to simple user in another, and the first tab's reply would be stored as the
/// simple user's message under the staff member's name. So every form's CSRF token carries the
/// identity it was rendered for (`<mac>.<role>.<account>.<name>`, the name in base64url), and a
/// form sent under another identity is refused with both named, before anything is sent on.
/// The identity part needs no MAC of its own: the browser part already stops forgery, and the
/// identity only guards people from their own other tab.
struct FormIdentity: Sendable, Equatable {
    var role: Role
    var account: UserID?
    var name: String?

    init(role: Role, account: UserID?, name: String?) {
        self.role = role
        self.account = account
        self.name = name
    }

    init(_ v: Visitor) { self.init(role: v.role, account: v.user?.id, name: v.name) }

    /// The token's identity part: no `.` inside the parts, so the token splits unambiguously.
    var encoded: String {
        "\(role.rawValue).\(account?.rawValue ?? 0).\(Base64URL.encode(Array((name ?? "").utf8)))"
    }

    /// Nil for text this code did not write.
    init?(encoded text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let role = Role(rawValue: String(parts[0])),
              parts[1].utf8.count <= 19, let account = Int64(parts[1]), account >= 0,
              let nameBytes = Base64URL.decode(String(parts[2])), let name = String(validating: nameBytes, as: UTF8.self) else { return nil }
        self.init(role: role, account: account == 0 ? nil : UserID(account), name: name.isEmpty ? nil : name)
    }

    /// "helpdesk staff (Ines)", for the refusal that names both identities.
    var words: String {
        let role = Layout.roleLabel(role).lowercased()
        guard let name else { return role }
        return "\(role) (\(name))"
    }
}
