/// An engineer in the staff directory with how many not-closed tickets are assigned to them
/// (`TicketReader.engineers()`): whom to give the next ticket.
///
/// JSON: `{"user": {...}, "open_assigned": 3}`.
public struct EngineerLoad: Sendable, Equatable, Codable {
    public var user: User
    public var openAssigned: Int

    public init(user: User, openAssigned: Int) {
        self.user = user
        self.openAssigned = openAssigned
    }

    enum CodingKeys: String, CodingKey {
        case user
        case openAssigned = "open_assigned"
    }
}
