import SQLiteKit

/// The writer's half of replication: notes which rows each write transaction touches and, just
/// before it commits, turns them into one numbered batch of ``RowImage``s in `replication_outbox`.
///
/// The touched keys are collected by TEMP triggers on this connection only (no other process sees
/// them, the file's schema does not change), which fire for rows the store's own triggers write too.
/// The images are read at the end of the transaction, so a row changed five times ships once, as
/// committed. Owned by the ``TicketStore`` actor (not `Sendable`, like its connection).
final class ReplicationLog {
    private struct Table {
        let table: ReplicatedTable
        let select: String
    }

    private let tables: [String: Table]
    /// The next batch carries every row (``RowImage/snapshotMarker`` goes first in it).
    private var carriesSnapshot = false

    /// Creates the TEMP table and triggers on `db`; call before the store prepares its statements.
    init(_ db: Connection) throws {
        try db.execute("CREATE TEMP TABLE replication_touched (tbl TEXT NOT NULL, key NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID")
        var tables: [String: Table] = [:]
        for table in ReplicatedTable.all {
            let columns = try table.columns(db)
            let name = table.name
            let note = "INSERT OR IGNORE INTO replication_touched (tbl, key) VALUES"
            try db.execute("""
                CREATE TEMP TRIGGER replication_\(name)_insert AFTER INSERT ON main.\(name) BEGIN
                    \(note) ('\(name)', \(table.keyExpression("new")));
                END;
                CREATE TEMP TRIGGER replication_\(name)_update AFTER UPDATE ON main.\(name) BEGIN
                    \(note) ('\(name)', \(table.keyExpression("old"))), ('\(name)', \(table.keyExpression("new")));
                END;
                CREATE TEMP TRIGGER replication_\(name)_delete AFTER DELETE ON main.\(name) BEGIN
                    \(note) ('\(name)', \(table.keyExpression("old")));
                END;
                """)
            tables[name] = Table(table: table, select: "SELECT \(columns.joined(separator: ", ")) FROM main.\(name) WHERE \(table.keyCondition)")
        }
        self.tables = tables
        // Batch 1 carries every row there is: what the migrations seeded (issue types, stamped with
        // the time they ran) and anything written before replication began, so a replica made by the
        // same migrations ends up identical. Only for a small file: a large one is seeded from a
        // backup instead (docs/nats.md), not shipped as one batch held in memory.
        let seq = try db.prepare("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0
        let tickets = try db.prepare("SELECT count(*) FROM tickets").queryFirst { $0.int64(at: 0) } ?? 0
        if seq == 0 && tickets <= Self.snapshotLimit {
            carriesSnapshot = true
            for table in ReplicatedTable.all {
                try db.execute("INSERT OR IGNORE INTO replication_touched (tbl, key) SELECT '\(table.name)', \(table.keyExpression("t")) FROM main.\(table.name) t")
            }
        }
    }

    /// The most tickets a file may hold for its first batch to carry all of it.
    static let snapshotLimit: Int64 = 10_000

    /// Inside the write transaction, before COMMIT: writes the images of every row touched since the
    /// last call under the next sequence number and returns it; nil when no replicated row changed.
    func record(_ db: Connection) throws -> Int64? {
        let touched = try db.cachedStatement("SELECT tbl, key FROM replication_touched").query { ($0.text(at: 0), $0.value(at: 1)) }
        guard !touched.isEmpty else { return nil }
        var images: [RowImage] = carriesSnapshot ? [RowImage.snapshotMarker] : []
        carriesSnapshot = false
        images.reserveCapacity(touched.count + 1)
        for (name, key) in touched {
            guard let table = tables[name] else { continue }
            let keyValues = table.table.key.count == 1 ? [key] : try Self.split(key, db)
            let select = try db.cachedStatement(table.select)
            let row = try select.queryFirst(keyValues) { s in (0..<Int32(s.columnCount)).map { s.value(at: $0) } }
            images.append(RowImage(table: name, key: keyValues, row: row))
        }
        try db.cachedStatement("DELETE FROM replication_touched").execute()
        let seq = try db.cachedStatement("UPDATE replication_state SET seq = seq + 1 RETURNING seq").queryFirst { $0.int64(at: 0) } ?? 0
        try db.cachedStatement("INSERT INTO replication_outbox (seq, images) VALUES (?, ?)").execute([.integer(seq), .blob(RowImages.encode(images))])
        return seq
    }

    /// The values of a several-column key, noted as a JSON array.
    private static func split(_ key: SQLiteValue, _ db: Connection) throws -> [SQLiteValue] {
        try db.cachedStatement("SELECT value FROM json_each(?) ORDER BY key").query([key]) { $0.value(at: 0) }
    }
}
