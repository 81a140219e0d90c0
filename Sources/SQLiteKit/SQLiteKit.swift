// MARK: - The SQLiteKit target
//
// The system SQLite, wrapped: a connection with one owner, prepared statements finalized in deinit,
// one `SQLiteError` with named result codes, transactions that roll back and rethrow, migrations by
// `user_version`, the online backup API. Knows nothing of tickets.
