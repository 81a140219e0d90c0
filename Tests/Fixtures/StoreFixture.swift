import Foundation
import Domain
import SQLiteKit
import TestSupport
import TicketStore

/// A ticket store on a fresh file, plus a separate read-only connection to look at the rows on disk.
public struct StoreFixture {
    public let dir: TemporaryDirectory
    public let clock = TestClock()
    public let store: TicketStore
    public var path: String { dir.path("tickets.db") }

    public init(authMode: AuthMode = .open) throws {
        dir = try TemporaryDirectory()
        store = try TicketStore(path: dir.path("tickets.db"), classifier: KeywordClassifier(), clock: clock, authMode: authMode)
    }

    /// Applies one command and returns its reply.
    public func run(_ role: Role, _ action: CommandAction, id: CommandID = .random()) async throws -> CommandReply {
        let replies = try await store.apply([Command(id: id, role: role, action: action)])
        return replies[0]
    }

    /// Creates a ticket as a user and returns it.
    public func create(_ description: String = "Broken door in hall B") async throws -> Ticket {
        let reply = try await run(.customer, .createTicket(CreateTicket(description: description)))
        guard let ticket = reply.ticket else { throw DeliberateError() }
        return ticket
    }

    /// Every row of the ticket tables as text, to compare before and after a refused command.
    public func snapshot() throws -> [String] {
        let db = try Connection(path: path, mode: .readOnly)
        var rows: [String] = []
        for table in ["tickets", "messages", "events", "status_counts", "outbox_state", "ticket_history"] {
            let s = try db.prepare("SELECT * FROM \(table) ORDER BY 1")
            rows += try s.query([]) { s in
                table + ":" + (0..<Int32(s.columnCount)).map { s.optionalText(at: $0) ?? "NULL" }.joined(separator: "|")
            }
        }
        return rows
    }

    /// A single integer from a query on a fresh read-only connection.
    public func scalar(_ sql: String) throws -> Int64 {
        try Connection(path: path, mode: .readOnly).prepare(sql).queryFirst([]) { $0.int64(at: 0) } ?? -1
    }
}

// MARK: - Imports and search

extension StoreFixture {
    /// An import command for one ticket (closed a second after it opened when `status` is closed).
    public static func importing(_ description: String, openedAt: Timestamp, status: Status = .open) -> Command {
        Command(role: .agent, action: .importTicket(ImportTicket(
            description: description, location: "Hall \(description.count)", status: status, openedAt: openedAt,
            closedAt: status == .closed ? openedAt.adding(milliseconds: 1_000) : nil)))
    }

    /// The ids the full-text search finds for `text`, through a fresh reader on `path`.
    public static func search(_ path: String, _ text: String) async throws -> [TicketID] {
        try await TicketReader(path: path).list(TicketFilter(text: text, limit: 500)).tickets.map(\.id)
    }
}
