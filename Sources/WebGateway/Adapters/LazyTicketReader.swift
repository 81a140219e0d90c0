import CampusDeskCore
import Foundation
import Synchronization

/// The ticket store's query side, opened on first use once the ticket worker has created the file.
///
/// Why: the gateway may start before the worker (the Procfile starts them together); instead of
/// failing at start it answers "not ready" until `tickets.db` exists, then reads through one
/// read-only `TicketReader` for the rest of its life.
public final class LazyTicketReader: TicketQueries {
    /// Raised while the database file does not exist yet.
    public struct NotYetCreated: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "the ticket database does not exist yet (the ticket worker creates it)" }
    }

    public let path: String
    private let reader = Mutex<TicketReader?>(nil)

    public init(path: String) { self.path = path }

    /// Whether the database could be opened now (opens it if it just appeared).
    public var isAvailable: Bool { (try? open()) != nil }

    /// The reader, opening it if the file exists.
    func open() throws -> TicketReader {
        try reader.withLock { current in
            if let current { return current }
            guard FileManager.default.fileExists(atPath: path) else { throw NotYetCreated(path: path) }
            let opened = try TicketReader(path: path)
            current = opened
            return opened
        }
    }

    public func list(_ filter: TicketFilter) async throws -> TicketPage { try await open().list(filter) }
    public func detail(_ id: TicketID) async throws -> TicketDetail? { try await open().detail(id) }
    public func counts() async throws -> [Status: Int] { try await open().counts() }
}
