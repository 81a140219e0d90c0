import Foundation
import Domain
import SQLiteKit
import SpoolBroker

/// One analytics worker's state file: its aggregate and the last event sequence number applied.
///
/// Why one transaction per batch: the touched rows and `last_seq` commit together, so a process
/// killed at any instant restarts with an aggregate that reflects exactly the events up to
/// `last_seq`; redelivered events (seq ≤ last) are skipped, which makes at-least-once delivery
/// exactly-once in effect. Not `Sendable`: it owns a `Connection`, so it has one owner (the worker actor).
public final class AnalyticsState<Aggregate: PersistedAggregate> {
    /// What one batch did.
    public struct BatchOutcome: Sendable, Equatable {
        /// Events applied (seq = last + 1, in order).
        public var applied: Int = 0
        /// Events already applied before (seq ≤ last), e.g. redeliveries or replay overlap.
        public var duplicates: Int = 0
        /// The first missing seq if the batch skipped ahead; events past it were not applied.
        public var gapAt: SequenceNumber?
        public init() {}
    }

    /// The state file path.
    public let path: String
    public let timeZone: TimeZone
    public private(set) var aggregate: Aggregate
    public private(set) var lastSeq: SequenceNumber
    private let db: Connection

    static var migrations: [Migration] {
        [Migration(version: 1, sql: """
            CREATE TABLE progress (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                last_seq INTEGER NOT NULL,
                time_zone TEXT NOT NULL
            );
            \(Aggregate.schema)
            """),
         // The aggregate's table layout, so a program whose aggregate keeps other rows rebuilds the
         // state instead of misreading it; files from before this column hold layout 1.
         Migration(version: 2, sql: "ALTER TABLE progress ADD COLUMN layout INTEGER NOT NULL DEFAULT 1;")]
    }

    /// The state file of this aggregate's service in a data directory (`analytics-<service>.db`).
    public static func path(inDataDirectory directory: String) -> String {
        (directory as NSString).appendingPathComponent("analytics-\(Aggregate.service.rawValue).db")
    }

    /// Opens (or creates) the state file and loads the aggregate.
    ///
    /// If the stored time zone differs from `timeZone` and the aggregate depends on it, or the
    /// stored layout differs from the aggregate's, the aggregate's tables are created afresh and
    /// `lastSeq` becomes 0, so the worker asks for a full replay.
    public init(path: String, timeZone: TimeZone) throws {
        self.path = path
        self.timeZone = timeZone
        // NORMAL in WAL mode survives a process crash (kill -9); only a power loss may lose the last commits,
        // which replay then restores because last_seq is lost with them.
        db = try Connection(path: path, synchronous: .normal)
        // The whole state of a million-ticket campus is ~10 MB; caching it all turns random-key
        // batch writes from page reads into memory updates (SQLite's default cache is 2 MB).
        try db.execute("PRAGMA cache_size = -32768")
        // A batch of random opening times dirties hundreds of pages; checkpointing every 1,000 WAL
        // pages (the default) would checkpoint, and fsync, after nearly every batch of an import.
        try db.execute("PRAGMA wal_autocheckpoint = 8192")
        try db.migrate(Self.migrations)
        let stored = try db.prepare("SELECT last_seq, time_zone, layout FROM progress WHERE id = 1").queryFirst { s in
            (lastSeq: SequenceNumber(s.int64(at: 0)), timeZone: s.text(at: 1), layout: Int(s.int64(at: 2)))
        }
        if let stored, stored.layout == Aggregate.layout, !(Aggregate.dependsOnTimeZone && stored.timeZone != timeZone.identifier) {
            lastSeq = stored.lastSeq
            aggregate = try Aggregate.load(from: db, timeZone: timeZone)
        } else {
            lastSeq = .zero
            aggregate = Aggregate.empty(timeZone: timeZone)
            try db.transaction { db in
                // Table names come from code, not input; DROP + CREATE also replaces an older layout.
                for table in Aggregate.tables { try db.execute("DROP TABLE IF EXISTS \(table)") }
                try db.execute(Aggregate.schema)
                try db.execute("INSERT OR REPLACE INTO progress (id, last_seq, time_zone, layout) VALUES (1, 0, ?, ?)",
                               [.text(timeZone.identifier), .integer(Int64(Aggregate.layout))])
            }
        }
    }

    /// Applies the events that follow `lastSeq` in order and commits them with the new `lastSeq` in one transaction.
    ///
    /// Events are sorted by seq first (a replay may interleave with live events); duplicates are
    /// skipped; at the first gap the batch stops and reports it. The aggregate is updated in place
    /// (copying a million-entry aggregate per batch would cost more than the batch); if the commit
    /// fails, it is reloaded from the file so memory never runs ahead of disk, and the error is rethrown.
    @discardableResult
    public func apply(_ events: [ChangeEvent]) throws -> BatchOutcome {
        var outcome = BatchOutcome()
        var touched = Set<Aggregate.Key>()
        var last = lastSeq
        for event in events.sorted(by: { $0.seq < $1.seq }) {
            if event.seq <= last {
                outcome.duplicates += 1
            } else if event.seq == last.next {
                aggregate.apply(event)
                touched.formUnion(aggregate.keys(touchedBy: event))
                last = event.seq
                outcome.applied += 1
            } else {
                outcome.gapAt = last.next
                break
            }
        }
        guard outcome.applied > 0 else { return outcome }
        do {
            try db.transaction { db in
                try aggregate.save(touched, to: db)
                try db.execute("UPDATE progress SET last_seq = ? WHERE id = 1", [.integer(last.rawValue)])
            }
        } catch {
            try reload()
            throw error
        }
        lastSeq = last
        return outcome
    }

    /// Reads the aggregate and `lastSeq` back from the file.
    private func reload() throws {
        lastSeq = try db.prepare("SELECT last_seq FROM progress WHERE id = 1").queryFirst { SequenceNumber($0.int64(at: 0)) } ?? .zero
        aggregate = try Aggregate.load(from: db, timeZone: timeZone)
    }
}
