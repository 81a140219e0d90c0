import Foundation
import SQLiteKit

/// A copy of `tickets.db` on a gateway's own machine, kept by applying the writer's numbered
/// ``ReplicationBatch``es in order (docs/nats.md, "Gateways on other machines").
///
/// The file has the writer's schema (the same migrations) and, after batch N, the rows the writer
/// had after committing batch N: each batch is applied in one transaction that also records N in
/// `replication_state`, with triggers off (the images already hold what the writer's triggers
/// derived) and foreign keys checked at commit. Only the full-text index is derived here, from the
/// `tickets` images, as the writer's triggers and background pass derive it there. A
/// ``TicketReader`` reads the file as it reads the writer's. The one writer of its file; not
/// `Sendable` (it holds a `Connection`): its owner is the gateway's follower thread (`ReplicaFollower`).
public final class TicketReplica {
    /// Why a batch cannot be applied: the replica must stop, not skip (a skipped batch is lost data).
    public enum ReplicaError: Error, Equatable, CustomStringConvertible {
        /// The batch is not the next one: one or more before it are missing.
        case gap(expected: Int64, received: Int64)
        /// A batch names a table this program does not replicate (a writer newer than this gateway).
        case unknownTable(String)
        /// An empty replica was given a first batch that does not carry the writer's whole file
        /// (it held too many tickets when replication began): seed it from a backup (docs/nats.md).
        case needsSeed

        public var description: String {
            switch self {
            case .gap(let expected, let received): "replication gap: expected batch \(expected), received \(received)"
            case .unknownTable(let name): "replication batch names unknown table \(name)"
            case .needsSeed: "the replica is empty and the stream does not start with the whole file: seed it from a backup"
            }
        }
    }

    /// What ``apply(_:)`` did.
    public enum Outcome: Sendable, Equatable {
        case applied
        /// Already applied (a redelivery): nothing done.
        case duplicate
    }

    private struct Table {
        let table: ReplicatedTable
        let columns: [String]
        let upsert: String
        let delete: String
    }

    let db: Connection
    private let tables: [String: Table]
    /// Positions of the columns the full-text index depends on, in the `tickets` images.
    private let searchColumns: [Int]

    /// Opens (creating and migrating if needed) the replica at `path`.
    public init(path: String) throws {
        db = try Connection(path: path, mode: .readWrite, synchronous: .normal)
        try SearchText.register(on: db)
        try db.migrate(TicketSchema.migrations)
        try db.setTriggersEnabled(false)
        var tables: [String: Table] = [:]
        for table in ReplicatedTable.all {
            let columns = try table.columns(db)
            let others = columns.filter { !table.key.contains($0) }
            let onConflict = others.isEmpty
                ? "DO NOTHING" : "DO UPDATE SET " + others.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            tables[table.name] = Table(
                table: table, columns: columns,
                upsert: "INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", "))) "
                    + "ON CONFLICT (\(table.key.joined(separator: ", "))) \(onConflict)",
                delete: "DELETE FROM \(table.name) WHERE \(table.keyCondition)")
        }
        self.tables = tables
        let ticketColumns = tables["tickets"]?.columns ?? []
        searchColumns = ["description", "location", "reporter", "search_indexed", "category", "priority"].compactMap { ticketColumns.firstIndex(of: $0) }
    }

    /// The number of the last batch applied (0: none; a replica seeded from a backup starts at the backup's).
    public var appliedSeq: Int64 {
        get throws { try db.cachedStatement("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0 }
    }

    /// Applies the next batch in one transaction with its number; a batch already applied changes nothing.
    ///
    /// - Throws: ``ReplicaError/gap(expected:received:)`` when batches are missing before it, a
    ///   `SQLiteError` when its rows break a constraint or its bytes are damaged; nothing of it stays then.
    @discardableResult
    public func apply(_ batch: ReplicationBatch) throws -> Outcome {
        let images = try RowImages.decode(batch.images)
        return try db.transaction(.immediate) { db in
            let current = try db.cachedStatement("SELECT seq FROM replication_state").queryFirst { $0.int64(at: 0) } ?? 0
            if batch.seq <= current { return .duplicate }
            guard batch.seq == current + 1 else { throw ReplicaError.gap(expected: current + 1, received: batch.seq) }
            if current == 0, images.first != RowImage.snapshotMarker,
               try db.cachedStatement("SELECT count(*) FROM tickets").queryFirst([], { $0.int64(at: 0) }) == 0 {
                throw ReplicaError.needsSeed
            }
            // Rows of one batch reference each other in any order; the file is whole again at COMMIT.
            try db.execute("PRAGMA defer_foreign_keys = ON")
            let reindexed = try ticketsLeavingIndex(images)
            // Deletes first, so a unique value freed and taken in the same batch does not collide.
            for image in images where image.row == nil && image != RowImage.snapshotMarker {
                guard let table = tables[image.table] else { throw ReplicaError.unknownTable(image.table) }
                try db.cachedStatement(table.delete).execute(image.key)
            }
            for image in images {
                guard let row = image.row else { continue }
                guard let table = tables[image.table] else { throw ReplicaError.unknownTable(image.table) }
                guard row.count == table.columns.count else {
                    throw SQLiteError(.corrupt, message: "row image of \(image.table) has \(row.count) columns, expected \(table.columns.count)")
                }
                try db.cachedStatement(table.upsert).execute(row)
            }
            try indexTickets(reindexed)
            try db.cachedStatement("UPDATE replication_state SET seq = ?").execute([.integer(batch.seq)])
            return .applied
        }
    }

    // MARK: - Full-text index

    /// Tickets whose indexed text or indexing flag the batch changes, taken out of the index as the
    /// replica holds them now (a contentless FTS5 table deletes by the text it was given).
    private func ticketsLeavingIndex(_ images: [RowImage]) throws -> [Int64] {
        var ids: [Int64] = []
        for image in images where image.table == "tickets" {
            guard case .integer(let id) = image.key.first else { continue }
            // The text and the filter words' columns (migration 22): a change of either re-indexes.
            let current = try db.cachedStatement("SELECT description, location, reporter, search_indexed, category, priority FROM tickets WHERE id = ?")
                .queryFirst([.integer(id)]) { s in (0..<6).map { s.value(at: Int32($0)) } }
            if let row = image.row, let current, searchColumns.map({ row[$0] }) == current { continue }
            ids.append(id)
            if let current, current[3] == .integer(1) {
                try db.cachedStatement("""
                    INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter, filters)
                    SELECT 'delete', k.key, campusdesk_search_text(t.description), campusdesk_search_text(t.location),
                           campusdesk_search_text(t.reporter), \(TicketSchema.filterWords("t"))
                    FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id WHERE k.ticket_id = ?1
                    """).execute([.integer(id)])
            }
        }
        return ids
    }

    /// Puts the tickets back into the index as the batch left them (those indexed, under their key).
    private func indexTickets(_ ids: [Int64]) throws {
        for id in ids {
            try db.cachedStatement("""
                INSERT INTO tickets_fts (rowid, description, location, reporter, filters)
                SELECT k.key, campusdesk_search_text(t.description), campusdesk_search_text(t.location), campusdesk_search_text(t.reporter),
                       \(TicketSchema.filterWords("t"))
                FROM tickets t JOIN ticket_search_keys k ON k.ticket_id = t.id
                WHERE t.id = ? AND t.search_indexed = 1
                """).execute([.integer(id)])
        }
    }
}
