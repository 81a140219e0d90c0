// TEMPORARY: stand-ins for what branch `roles-store` provides (TicketReader's account queries),
// with its announced signatures, so this branch builds before it is merged into `roles`.
// Deleted by the merge; nothing here is meant to work.
import Domain
import TicketStore
import SpoolBroker

public struct EngineerLoad: Sendable, Equatable {
    public var user: User
    public var openAssigned: Int
}

extension TicketReader {
    public func account(email: String) async throws -> (user: User, passwordHash: String)? { nil }
    public func sessionUser(tokenDigest: String, now: Timestamp) async throws -> User? { nil }
    public func user(_ id: UserID) async throws -> User? { nil }
    public func users(role: Role?, query: String?, active: Bool?, limit: Int, offset: Int) async throws -> [User] { [] }
    public func engineers() async throws -> [EngineerLoad] { [] }
}
