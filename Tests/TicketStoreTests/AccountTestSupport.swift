import Foundation
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Helpers of the account tests: commands as an actor, accounts made by the operator, the account
/// tables as text.
extension StoreFixture {
    struct MissingInReply: Error { var what: String }

    /// Applies one command sent as `actor` (role and account) and returns its reply.
    func run(_ actor: Actor, _ action: CommandAction, id: CommandID = .random()) async throws -> CommandReply {
        try await store.apply([Command(id: id, actor: actor, action: action)])[0]
    }

    /// An account made by the operator (`create_user` as admin without an account).
    func account(_ name: String, _ role: Role, email: String? = nil) async throws -> User {
        let reply = try await store.apply([AccountFixture.operatorCreates(name, role, email: email)])[0]
        guard let user = reply.user else { throw MissingInReply(what: "user (\(reply.refusal?.reason ?? "no refusal"))") }
        return user
    }

    /// A ticket reported by `actor`.
    func ticket(by actor: Actor, _ description: String = "Broken door in hall B") async throws -> Ticket {
        let reply = try await run(actor, .createTicket(CreateTicket(description: description)))
        guard let ticket = reply.ticket else { throw MissingInReply(what: "ticket (\(reply.refusal?.reason ?? "no refusal"))") }
        return ticket
    }

    /// The operator changes an account (role, active).
    @discardableResult
    func operatorUpdates(_ user: User, role: Role? = nil, active: Bool? = nil) async throws -> CommandReply {
        try await run(Actor(role: .admin), .updateUser(UpdateUser(userID: user.id, role: role, active: active)))
    }

    /// Every row of `users` and `sessions`, plus the ticket tables (`snapshot()`), as text.
    func accountSnapshot() throws -> [String] {
        let db = try Connection(path: path, mode: .readOnly)
        var rows = try snapshot()
        for table in ["users", "sessions"] {
            rows += try db.prepare("SELECT * FROM \(table) ORDER BY 1").query([]) { s in
                table + ":" + (0..<Int32(s.columnCount)).map { s.optionalText(at: $0) ?? "NULL" }.joined(separator: "|")
            }
        }
        return rows
    }
}
