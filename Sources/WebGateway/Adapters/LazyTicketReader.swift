import Domain
import SQLiteKit
import SpoolBroker
import TicketStore
import HTTPServer
import Foundation
import Synchronization

/// The ticket store's query side, opened on first use once the ticket worker has created the file.
///
/// Why: the gateway may start before the worker (the Procfile starts them together); instead of
/// failing at start it answers "not ready" until `tickets.db` exists, then reads through a small
/// pool of read-only `TicketReader`s for the rest of its life. A `TicketReader` is an actor that
/// runs one query at a time; with one of them every page read waited behind the others, so
/// queries took turns while the second core rendered nothing. Requests take the readers in turn.
/// The list page's rows come from a second pool, of `TicketRowReader`s, read on the request's own
/// thread from the first connection that is free (no hop onto an actor and back).
public final class LazyTicketReader: TicketQueries, TicketRowReading {
    /// Raised while the database file does not exist yet.
    public struct NotYetCreated: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "the ticket database does not exist yet (the ticket worker creates it)" }
    }

    public let path: String
    /// How many read connections the pool opens (each is one SQLite connection and page cache).
    public let poolSize: Int
    private let readers = Mutex<[TicketReader]>([])
    private let rowReaders = Mutex<[TicketRowReader]>([])
    private let opened = Atomic<Bool>(false)
    private let next = Atomic<Int>(0)

    /// - Parameter poolSize: read connections to open; 2 by default (one per core of the target machine).
    public init(path: String, poolSize: Int = 2) {
        self.path = path
        self.poolSize = max(1, poolSize)
    }

    /// Why the database cannot be read right now.
    public enum Unavailability: Sendable, Equatable {
        /// Not there yet, or not yet migrated: the ticket worker is starting.
        case starting
        /// SQLite says the file is not a database or is corrupt: only a restore helps.
        case damaged
    }

    /// Whether the database could be opened now (opens it if it just appeared).
    public var isAvailable: Bool { unavailability == nil }

    /// nil once the database is open (opening it if it just appeared), else why not.
    public var unavailability: Unavailability? {
        if opened.load(ordering: .acquiring) { return nil }
        do {
            _ = try open()
            return nil
        } catch let error as SQLiteError where error.code == 26 || error.code == 11 {
            // SQLITE_NOTADB, SQLITE_CORRUPT: waiting will not make these go away.
            return .damaged
        } catch {
            return .starting
        }
    }

    /// A reader of the pool, opening the pool if the file exists.
    func open() throws -> TicketReader {
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return try readers.withLock { pool in
            if pool.isEmpty {
                guard FileManager.default.fileExists(atPath: path) else { throw NotYetCreated(path: path) }
                var fresh: [TicketReader] = []
                var freshRows: [TicketRowReader] = []
                for _ in 0..<poolSize {
                    fresh.append(try TicketReader(path: path))
                    freshRows.append(try TicketRowReader(path: path))
                }
                pool = fresh
                rowReaders.withLock { $0 = freshRows }
                opened.store(true, ordering: .releasing)
            }
            return pool[Int(UInt(bitPattern: turn) % UInt(pool.count))]
        }
    }

    public func list(_ filter: TicketFilter) async throws -> TicketPage { try await open().list(filter) }
    public func detail(_ id: TicketID) async throws -> TicketDetail? { try await open().detail(id) }
    public func counts() async throws -> [Status: Int] { try await open().counts() }

    /// The rows of a list page on the caller's thread: the first free row reader, else one in turn.
    public func withListRows<R: Sendable>(_ filter: TicketFilter, _ body: @Sendable (inout TicketRows) throws -> R) throws -> R {
        if !opened.load(ordering: .acquiring) { _ = try open() }
        let pool = rowReaders.withLock { $0 }
        for reader in pool {
            if let result = try reader.withListRowsIfFree(filter, body) { return result }
        }
        // Every connection is busy (more requests in flight than cores): wait for one.
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard !pool.isEmpty else { throw NotYetCreated(path: path) }
        return try pool[Int(UInt(bitPattern: turn) % UInt(pool.count))].withListRows(filter, body)
    }
}
