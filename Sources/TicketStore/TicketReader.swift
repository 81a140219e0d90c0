import Foundation
import Synchronization
import Domain
import SQLiteKit

/// The ticket store's query side: lists, details, counts and the list page's rows read in place,
/// over a small pool of read-only connections.
///
/// Used by the gateway (and the export, demo and bench tools) in their own processes while the
/// ticket worker writes; WAL lets readers see the last committed state without blocking it.
/// One type for every read: a query takes a free connection of the pool on the caller's own
/// thread (no hop onto an actor and back) and holds it for the length of one query, or of one
/// list page's render (``withListRows(_:_:)``). Each connection sits in its own `Mutex`, which is
/// its one owner; when every connection is busy the caller waits on one in turn.
///
/// The pool opens lazily (``init(openingLazily:poolSize:)``): the gateway may start before the
/// ticket worker has created `tickets.db`, and answers "starting" until ``unavailability`` is nil.
public final class TicketReader: TicketQueries, Sendable {
    /// Raised while the database file does not exist yet.
    public struct NotYetCreated: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "the ticket database does not exist yet (the ticket worker creates it)" }
    }

    /// Why the database cannot be read right now.
    public enum Unavailability: Sendable, Equatable {
        /// Not there yet, or not yet migrated: the ticket worker is starting.
        case starting
        /// SQLite says the file is not a database or is corrupt: only a restore helps.
        case damaged
    }

    /// One pooled connection and the lock that makes it its one owner.
    private final class PooledConnection: Sendable {
        let db: Mutex<Connection>
        init(_ db: sending Connection) { self.db = Mutex(db) }
    }

    /// The database file.
    public let path: String
    /// How many read connections the pool opens (each is one SQLite connection and page cache).
    public let poolSize: Int
    /// How long one read may run before SQLite stops it (`SQLiteError.isInterrupted`); nil: no limit.
    ///
    /// Why: a slow search kept its pooled connection after its client had gone, and with every
    /// connection held the gateway answered nothing (docs/performance.md, scaling finding 7).
    public let queryTimeLimit: Duration?
    private let pool = Mutex<[PooledConnection]>([])
    private let opened = Atomic<Bool>(false)
    private let next = Atomic<Int>(0)

    /// Opens `tickets.db` read-only now; the file must exist (the ticket worker creates and migrates it).
    ///
    /// - Parameter poolSize: read connections; 2 by default, one per core of the target machine
    ///   (docs/performance.md, "Gateway": one connection made queries take turns).
    /// - Throws: ``NotYetCreated`` without the file, `SQLiteError` when SQLite cannot open it.
    /// - Parameter queryTimeLimit: the longest one read may run (``queryTimeLimit``); nil: no limit.
    public convenience init(path: String, poolSize: Int = 2, queryTimeLimit: Duration? = nil) throws {
        self.init(openingLazily: path, poolSize: poolSize, queryTimeLimit: queryTimeLimit)
        _ = try connections()
    }

    /// A reader for one pass over everything (`campusdesk export`): one connection with a small
    /// page cache and no memory map, so its resident memory does not grow with the file (the
    /// gateway's settings map 256 MB of it and cache 32 MB per connection).
    public static func sequential(path: String) throws -> TicketReader {
        let reader = TicketReader(openingLazily: path, poolSize: 1, tuning: .sequential)
        _ = try reader.connections()
        return reader
    }

    /// Page cache and memory map of the pool's connections.
    enum Tuning: Sendable {
        /// The gateway's: 32 MB cache per connection, 256 MB mapped.
        case shared
        /// One pass over everything: 2 MB cache, nothing mapped.
        case sequential
    }
    let tuning: Tuning

    /// A reader that opens its pool on first use, once the file exists (see ``unavailability``).
    public convenience init(openingLazily path: String, poolSize: Int = 2, queryTimeLimit: Duration? = nil) {
        self.init(openingLazily: path, poolSize: poolSize, tuning: .shared, queryTimeLimit: queryTimeLimit)
    }

    init(openingLazily path: String, poolSize: Int, tuning: Tuning, queryTimeLimit: Duration? = nil) {
        self.path = path
        self.poolSize = max(1, poolSize)
        self.tuning = tuning
        self.queryTimeLimit = queryTimeLimit
    }

    /// nil once the database is open (opening it if it just appeared), else why not.
    public var unavailability: Unavailability? {
        if opened.load(ordering: .acquiring) { return nil }
        do {
            _ = try connections()
            return nil
        } catch let error as SQLiteError where error.resultCode == .notADatabase || error.resultCode == .corrupt {
            // Waiting will not make these go away.
            return .damaged
        } catch {
            return .starting
        }
    }

    // MARK: - Queries

    /// One page of tickets, newest first by (opened_at, id), after the filter; see `TicketQueries`.
    ///
    /// - Throws: `Refusal(.validation)` when `limit` is outside 1...500; SQLite errors.
    public func list(_ filter: TicketFilter) async throws -> TicketPage {
        try withConnection { try Self.list($0, filter) }
    }

    /// One ticket with its messages oldest first (one snapshot), or nil.
    public func detail(_ id: TicketID) async throws -> TicketDetail? {
        try withConnection { try Self.detail($0, id) }
    }

    /// What the model suggested for the ticket's current description; nil when no model filed it.
    public func suggestion(_ id: TicketID) async throws -> TriageSuggestion? {
        try withConnection { try SuggestionText.load($0, ticket: id) }
    }

    /// The ticket's audit trail, oldest first (empty for a ticket not changed since it was reported).
    public func history(_ id: TicketID) async throws -> [HistoryEntry] {
        try withConnection { try HistoryEntry.trail($0, ticket: id) }
    }

    /// Tickets per status (every status present, zero included), from the trigger-kept counters.
    public func counts() async throws -> [Status: Int] {
        try withConnection { try Self.counts($0) }
    }

    /// How many tickets `filter` matches and how many precede its cursor, each counted up to `cap`
    /// (`status_counts` for a filter of statuses only); see ``TicketCount``.
    public func count(_ filter: TicketFilter, cap: Int = TicketCount.defaultCap) async throws -> TicketCount {
        try withConnection { try Self.count($0, filter, cap: cap) }
    }

    /// Runs `body` with the page that `list(filter)` would return, as rows read in place.
    ///
    /// Why: the list page is the busiest read; building 51 `Ticket`s (three `String`s each) and then
    /// copying their text into the page was a quarter of its CPU. `body` runs while the statement
    /// steps, holding the connection, and returns something `Sendable` (the rendered page bytes).
    ///
    /// - Throws: `Refusal(.validation)` for a limit outside 1...500; SQLite errors; what `body` throws.
    public func withListRows<R: Sendable>(_ filter: TicketFilter, _ body: (inout TicketRows) throws -> R) async throws -> R {
        try withConnection { try Self.withListRows($0, filter, body) }
    }

    /// `withListRows(filter)` with the filter's ``TicketCount`` (up to `cap`), both read from one
    /// snapshot on one connection: the page's "51–100 of 3,000" agrees with its rows.
    ///
    /// With an `anchor`, the page is the one it names (the filter's cursor is not used): the store
    /// finds where it starts (``TicketRows/start``) in the same snapshot, keyset-based.
    public func withListRows<R: Sendable>(_ filter: TicketFilter, from anchor: TicketPageAnchor? = nil, countingUpTo cap: Int,
                                          _ body: (inout TicketRows, TicketCount) throws -> R) async throws -> R {
        try await withListRows(filter, from: anchor, countingUpTo: cap, engineers: false) { rows, count, _ in try body(&rows, count) }
    }

    /// The same, with the active engineers by name (``activeEngineers()``) read in the same
    /// snapshot when `engineers` is true (an empty list otherwise), for the staff's filter form.
    ///
    /// Why one call: the staff's page took a pooled connection for the engineers and then another
    /// for the rows; with more requests in flight than connections, each take is a wait.
    public func withListRows<R: Sendable>(_ filter: TicketFilter, from anchor: TicketPageAnchor? = nil, countingUpTo cap: Int, engineers: Bool,
                                          _ body: (inout TicketRows, TicketCount, [User]) throws -> R) async throws -> R {
        try withConnection { db in
            try db.transaction(.deferred) { db in
                let staff = engineers ? try Self.activeEngineers(db) : []
                var filter = filter
                var total: Int?? = nil
                if let anchor {
                    let matches = try Self.matchCount(db, filter, cap: cap)
                    filter.cursor = try Self.start(db, filter, anchor: anchor, total: matches)
                    total = .some(matches)
                }
                let count = try Self.count(db, filter, cap: cap, total: total, nearTheEnd: anchor == .last)
                return try Self.withListRows(db, filter) { rows in try body(&rows, count, staff) }
            }
        }
    }

    // MARK: - The pool

    /// Runs `body` on the first free connection, else waits for one chosen in turn, within
    /// ``queryTimeLimit`` (counted from when it has the connection): past it, the statement running
    /// fails with an interrupted `SQLiteError` and the connection goes back to the pool, reusable.
    func withConnection<R: Sendable>(_ body: (Connection) throws -> R) throws -> R {
        let pool = try connections()
        let limit = queryTimeLimit
        for connection in pool {
            if let result = try connection.db.withLockIfAvailable({ db in
                db.startTimeLimit(limit)
                defer { db.endTimeLimit() }
                return try body(db)
            }) { return result }
        }
        // Every connection is busy (more requests in flight than cores): wait for one.
        let turn = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return try pool[Int(UInt(bitPattern: turn) % UInt(pool.count))].db.withLock { db in
            db.startTimeLimit(limit)
            defer { db.endTimeLimit() }
            return try body(db)
        }
    }

    /// The open pool, opening it if the file exists.
    private func connections() throws -> [PooledConnection] {
        try pool.withLock { pool in
            if pool.isEmpty {
                guard FileManager.default.fileExists(atPath: path) else { throw NotYetCreated(path: path) }
                pool = try (0..<poolSize).map { _ in PooledConnection(try Self.openReadOnly(path: path, tuning: tuning)) }
                opened.store(true, ordering: .releasing)
            }
            return pool
        }
    }

    /// A read-only connection to `tickets.db` with the reader's cache and mmap settings.
    static func openReadOnly(path: String, tuning: Tuning = .shared) throws -> Connection {
        let db = try Connection(path: path, mode: .readOnly)
        switch tuning {
        case .shared:
            try db.execute("PRAGMA cache_size = -32768")
            // Reads straight from the mapped file instead of read() into the page cache.
            try db.execute("PRAGMA mmap_size = 268435456")
        case .sequential:
            try db.execute("PRAGMA cache_size = -2048")
            try db.execute("PRAGMA mmap_size = 0")
        }
        return db
    }
}
