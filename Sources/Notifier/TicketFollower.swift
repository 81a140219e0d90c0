import Domain

/// A follower of a ticket as the audience sees them: an account (told only while active, as
/// everyone is), or someone known only by the contact they gave, as a campus reporter is.
public enum TicketFollower: Sendable, Equatable, Hashable {
    case account(UserID)
    case contact(name: String?, email: String?, phone: String?)

    /// The recipient, or nil for an account that is not active (or not there) and a contact with
    /// neither address nor number.
    func recipient(_ directory: AccountDirectory) -> Recipient? {
        switch self {
        case .account(let id):
            return directory.user(id).map(Recipient.init)
        case .contact(let name, let email, let phone):
            guard let address = email ?? phone else { return nil }
            // The same key as a reporter known by this contact: one person, one key.
            return Recipient(key: "contact:\(address.lowercased())", name: name, email: email, phone: phone)
        }
    }
}
