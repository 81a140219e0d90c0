import Foundation
@testable import Domain
@testable import SQLiteKit
@testable import SpoolBroker
@testable import TicketStore
@testable import TicketService

/// A fresh directory under the system temp dir, removed by `remove()` (call it in `defer`).
struct TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An error thrown on purpose by test bodies, to tell it apart from SQLite's.
struct DeliberateError: Error, Equatable {}

import Synchronization

/// A deterministic classifier for tests: keywords pick the category; no keyword means low confidence.
struct KeywordClassifier: TicketClassifier {
    func classify(_ description: String) -> Classification {
        let text = description.lowercased()
        if text.contains("wifi") || text.contains("printer") { return Classification(category: .it, confidence: 0.9) }
        if text.contains("canteen") || text.contains("library") { return Classification(category: .services, confidence: 0.8) }
        return Classification(category: .facility, confidence: 0.4)
    }
}

/// A clock tests set and advance by hand.
final class ManualClock: WallClock {
    private let current: Mutex<Int64>
    init(_ start: Timestamp = Timestamp(iso8601: "2026-03-01T09:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)) {
        current = Mutex(start.millisecondsSinceEpoch)
    }
    func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: current.withLock { $0 }) }
    func advance(seconds: Int64) { current.withLock { $0 += seconds * 1000 } }
}

/// A ticket store on a fresh file, plus a separate read-only connection to look at the rows on disk.
struct StoreFixture {
    let dir: TemporaryDirectory
    let clock = ManualClock()
    let store: TicketStore
    var path: String { dir.path("tickets.db") }

    init() throws {
        dir = try TemporaryDirectory()
        store = try TicketStore(path: dir.path("tickets.db"), classifier: KeywordClassifier(), clock: clock)
    }

    /// Applies one command and returns its reply.
    func run(_ role: Role, _ action: CommandAction, id: CommandID = .random()) async throws -> CommandReply {
        let replies = try await store.apply([Command(id: id, role: role, action: action)])
        return replies[0]
    }

    /// Creates a ticket as a user and returns it.
    func create(_ description: String = "Broken door in hall B") async throws -> Ticket {
        let reply = try await run(.user, .createTicket(CreateTicket(description: description)))
        guard let ticket = reply.ticket else { throw DeliberateError() }
        return ticket
    }

    /// Every row of the ticket tables as text, to compare before and after a refused command.
    func snapshot() throws -> [String] {
        let db = try Connection(path: path, mode: .readOnly)
        var rows: [String] = []
        for table in ["tickets", "messages", "events", "status_counts", "outbox_state"] {
            let s = try db.prepare("SELECT * FROM \(table) ORDER BY 1")
            rows += try s.query([]) { s in
                table + ":" + (0..<Int32(s.columnCount)).map { s.optionalText(at: $0) ?? "NULL" }.joined(separator: "|")
            }
        }
        return rows
    }

    /// A single integer from a query on a fresh read-only connection.
    func scalar(_ sql: String) throws -> Int64 {
        try Connection(path: path, mode: .readOnly).prepare(sql).queryFirst([]) { $0.int64(at: 0) } ?? -1
    }
}
