import CSQLite
/// One step of a database schema: the SQL that takes it from `version - 1` to `version`.
///
/// Versions start at 1 and count up by one; the applied version lives in `PRAGMA user_version`
/// (a header field, so no bookkeeping table is needed).
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var sql: String
    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }
}

extension Connection {
    /// Applies the migrations newer than `PRAGMA user_version`, all in one transaction.
    ///
    /// Either every pending step and the new version commit together, or nothing does: a database
    /// is never half-migrated. A file from a newer program (version above the last known) is refused
    /// rather than used with a schema this code does not understand.
    ///
    /// - Returns: the version before migrating.
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> Int {
        for (index, migration) in migrations.enumerated() where migration.version != index + 1 {
            throw SQLiteError(.error, message: "migration versions must be 1, 2, 3, ... (found \(migration.version) at \(index + 1))")
        }
        return try transaction(.immediate) { db in
            // Read inside the transaction so two processes migrating at once cannot both apply a step.
            let current = try db.userVersion()
            guard current <= migrations.count else {
                throw SQLiteError(.error, message: "database schema version \(current) is newer than this program (\(migrations.count))")
            }
            for migration in migrations.dropFirst(current) {
                try db.execute(migration.sql)
                // user_version cannot be bound; the value is an Int from code, not input.
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
            return current
        }
    }
}
