import CSQLite
/// One step of a database schema: the SQL that takes it from `version - 1` to `version`.
///
/// Versions start at 1 and only grow; the applied version lives in `PRAGMA user_version` (a header
/// field, so no bookkeeping table is needed). A gap is allowed: two branches developed at once each
/// take their own number, and one may be merged before the other (docs/operations.md, "What
/// migrates, and when"). A database already past a missing number never gets that step, so a gap
/// must be filled before any database outside development reaches a later version.
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
        var previous = 0
        for (index, migration) in migrations.enumerated() {
            guard migration.version > previous, index > 0 || migration.version == 1 else {
                throw SQLiteError(.error, message: "migration versions must start at 1 and grow (found \(migration.version) at \(index + 1))")
            }
            previous = migration.version
        }
        let latest = previous
        return try transaction(.immediate) { db in
            // Read inside the transaction so two processes migrating at once cannot both apply a step.
            let current = try db.userVersion()
            guard current <= latest else {
                throw SQLiteError(.error, message: "database schema version \(current) is newer than this program (\(latest))")
            }
            for migration in migrations where migration.version > current {
                try db.execute(migration.sql)
                // user_version cannot be bound; the value is an Int from code, not input.
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
            return current
        }
    }
}
