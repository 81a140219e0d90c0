// TEMPORARY: stand-ins for what branches `roles-store` (TicketReader's account queries) and `cred`
// (the Credentials target) provide, with their announced signatures, so this branch builds before
// they are merged into `roles`. Deleted by the merge; nothing here is meant to work.
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

enum PasswordHash {
    static let defaultIterations = 600_000
    static func make(password: String, iterations: Int = defaultIterations) -> String { "x$" + password }
    static func verify(password: String, encoded: String) -> Bool { encoded == "x$" + password }
    static func burnEquivalentWork(password: String) {}
}

enum SessionToken {
    static func generate() -> String { Gateway.randomBrowserID() + Gateway.randomBrowserID() }
    static func digest(_ token: String) -> String { hexString(SHA256.hash(Array(token.utf8))) }
    static func isWellFormed(_ token: String) -> Bool { token.utf8.count == 64 }
}
