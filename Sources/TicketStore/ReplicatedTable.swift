import SQLiteKit

/// A table of `tickets.db` that replicas copy, and the columns that identify one of its rows.
///
/// Every ordinary table is here, with the ones the store's triggers derive (`status_counts`,
/// `ticket_search_keys`, `search_words`): the replica applies the images with triggers off, so it
/// holds exactly the writer's rows. Not here: the full-text index (`tickets_fts` and its shadow
/// tables, which a replica derives from `tickets`, ``TicketReplica``), the writer's own relay state
/// (`outbox_state`) and the replication tables themselves. The key is the declared primary key or,
/// for rowid tables without an INTEGER one, the unique column: a row's rowid is not part of its
/// identity there (VACUUM may renumber it).
public struct ReplicatedTable: Sendable, Equatable {
    public var name: String
    public var key: [String]

    public static let all: [ReplicatedTable] = [
        .init(name: "users", key: ["id"]),
        .init(name: "sessions", key: ["token_digest"]),
        .init(name: "sla_versions", key: ["version"]),
        .init(name: "issue_types", key: ["id"]),
        .init(name: "tickets", key: ["id"]),
        .init(name: "ticket_search_keys", key: ["key"]),
        .init(name: "search_words", key: ["word"]),
        .init(name: "status_counts", key: ["status"]),
        .init(name: "messages", key: ["id"]),
        .init(name: "events", key: ["seq"]),
        .init(name: "ticket_history", key: ["id"]),
        .init(name: "training_examples", key: ["id"]),
        .init(name: "ticket_reporters", key: ["ticket_id"]),
        .init(name: "attachments", key: ["id"]),
        .init(name: "ticket_followers", key: ["ticket_id", "follower"]),
        .init(name: "applied_commands", key: ["command_id"]),
    ]

    /// The stored columns, in table order (generated columns are computed again where the row lands).
    func columns(_ db: Connection) throws -> [String] {
        try db.prepare("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid").query([.text(name)]) { $0.text(at: 0) }
    }

    /// The SQL expression naming a row's key in a trigger (`new` or `old`): the value, or a JSON array of several.
    func keyExpression(_ row: String) -> String {
        key.count == 1 ? "\(row).\(key[0])" : "json_array(\(key.map { "\(row).\($0)" }.joined(separator: ", ")))"
    }

    /// The WHERE clause matching one row by its key, parameters from `?1`.
    var keyCondition: String {
        key.enumerated().map { "\($0.element) = ?\($0.offset + 1)" }.joined(separator: " AND ")
    }
}
