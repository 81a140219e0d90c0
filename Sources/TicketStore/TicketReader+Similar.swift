import Domain
import SQLiteKit

// MARK: - Probably the same problem

/// Open tickets at the same place with similar words (docs/tickets.md, "Me too and merges"): what
/// the report form and the page after a report offer to follow instead of reporting again.
extension TicketReader {
    /// At most this many candidates are shown.
    public static let maxSimilar = 5
    /// At most this many full-text matches are looked at, newest first, to find them: the query's
    /// bound whatever the file's size (older matches at a busy place are mostly closed anyway).
    public static let similarWindow = 200

    /// Up to `limit` (at most ``maxSimilar``) `open` or `active` tickets, newest first, whose location
    /// holds every word of `location` and whose description shares a word with `text`
    /// (``FullTextQuery/similarExpression(location:text:)``), other than `excluding`.
    ///
    /// One bounded read: the full-text index (the list's search index, no second one) yields at most
    /// ``similarWindow`` keys, newest first (each word as the whole words it begins, not a prefix,
    /// so FTS5 stops there); each is a primary-key lookup. Tickets waiting for the background
    /// indexing pass (imports) are not in the index and not offered.
    public func similarOpenTickets(location: String, text: String, excluding: TicketID? = nil, limit: Int = maxSimilar) async throws -> [Ticket] {
        let limit = Int64(min(max(0, limit), Self.maxSimilar))
        return try withConnection { db in
            // Each word as the whole words of the index it begins (`search_words`, migration 17).
            let words = try db.cachedStatement("SELECT word FROM search_words WHERE word >= ? AND word < ? LIMIT ?")
            let expression = try FullTextQuery.similarExpression(location: location, text: text) { prefix in
                try words.query([.text(prefix), .text(FullTextQuery.prefixEnd(prefix)), .integer(Int64(FullTextQuery.maxExpansion + 1))]) { $0.text(at: 0) }
            }
            guard let match = expression else { return [] }
            return try db.cachedStatement("""
                SELECT \(Ticket.columns(qualifiedBy: "t")) FROM
                    (SELECT rowid AS key FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid DESC LIMIT ?) m
                JOIN ticket_search_keys k ON k.key = m.key
                JOIN tickets t ON t.id = k.ticket_id
                WHERE t.status IN ('open', 'active') AND t.id IS NOT ?
                ORDER BY m.key DESC LIMIT ?
                """).query([.text(match), .integer(Int64(Self.similarWindow)), .optionalInteger(excluding?.rawValue), .integer(limit)]) {
                try Ticket(row: $0)
            }
        }
    }
}
