import Foundation
import Testing
import TestSupport
@testable import SQLiteKit

/// `Session` and `Connection.apply(_:)`: SQLite's session extension, as the replica of `tickets.db` uses it.
@Suite struct SessionTests {
    static let schema = """
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER);
        CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE keyless (a TEXT UNIQUE, b BLOB);
        CREATE TRIGGER items_count AFTER INSERT ON items BEGIN
            INSERT INTO counts (name, n) VALUES ('items', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
        END;
        """

    func database() throws -> Connection {
        let db = try Connection(path: ":memory:")
        try db.execute(Self.schema)
        return db
    }

    @Test("a recorded transaction applied to a copy gives the same rows, trigger-made ones included")
    func roundTrip() throws {
        let source = try database()
        let session = try Session(source, tables: ["items", "counts", "keyless"])
        #expect(session.isEmpty)
        try source.transaction { db in
            try db.execute("INSERT INTO items (id, name, size) VALUES (1, 'chair', 3), (2, 'desk', NULL), (3, 'lamp', 1)")
            try db.execute("UPDATE items SET size = 7 WHERE id = 2")
            try db.execute("DELETE FROM items WHERE id = 3")
            try db.execute("INSERT INTO keyless VALUES ('x', x'00ff')")
        }
        let changeset = try session.changeset()
        #expect(!session.isEmpty)
        let changes = try changeset.changes()
        // Net changes: lamp inserted then deleted is nothing; the desk is one insert with size 7.
        #expect(Set(changes.map(\.table)) == ["items", "counts"])  // keyless: no PRIMARY KEY, not recorded
        let desk = try #require(changes.first { $0.table == "items" && $0.new.first == .integer(2) })
        #expect(desk.operation == .insert && desk.new.count == 3 && desk.new[2] == .integer(7))
        // The counts row was made by the trigger; it is recorded, so the replica applies with triggers off.
        #expect(changes.contains { $0.table == "counts" && $0.new == [.text("items"), .integer(3)] })

        let replica = try database()
        try replica.setTriggersEnabled(false)
        try replica.transaction { db in try db.apply(changeset) }
        let rows = try replica.prepare("SELECT id, name, size FROM items ORDER BY id")
            .query { s in "\(s.int64(at: 0)) \(s.text(at: 1)) \(s.optionalInt64(at: 2) ?? -1)" }
        #expect(rows == ["1 chair 3", "2 desk 7"])
        // Three, not six: the trigger did not count the applied inserts again.
        #expect(try replica.prepare("SELECT n FROM counts").queryFirst { $0.int64(at: 0) } == 3)
    }

    @Test("an update records the key and the changed columns only")
    func updateShape() throws {
        let source = try database()
        try source.execute("INSERT INTO items (id, name, size) VALUES (5, 'bin', 1)")
        let session = try Session(source, tables: ["items"])
        try source.execute("UPDATE items SET size = 2 WHERE id = 5")
        let change = try #require(try session.changeset().changes().first)
        #expect(change.operation == .update)
        #expect(change.old == [.integer(5), nil, .integer(1)])
        #expect(change.new == [nil, nil, .integer(2)])
    }

    @Test("applying a changeset twice is a conflict that aborts it and names the table; nothing of it stays")
    func conflictAborts() throws {
        let source = try database()
        let session = try Session(source, tables: ["items"])
        try source.execute("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')")
        let changeset = try session.changeset()
        let replica = try database()
        try replica.execute("INSERT INTO items (id, name) VALUES (2, 'b')")
        do {
            try replica.transaction { db in try db.apply(changeset) }
            Issue.record("a conflicting changeset was applied")
        } catch let error as SQLiteError {
            #expect(error.resultCode == .abort)
            #expect(error.message.contains("items"))
        }
        #expect(try replica.prepare("SELECT count(*) FROM items").queryFirst { $0.int64(at: 0) } == 1)
    }

    @Test("an update of a row whose values differ from the change's old values is refused")
    func dataConflict() throws {
        let source = try database()
        try source.execute("INSERT INTO items (id, name, size) VALUES (1, 'a', 1)")
        let replica = try database()
        try replica.execute("INSERT INTO items (id, name, size) VALUES (1, 'a', 9)")
        let session = try Session(source, tables: ["items"])
        try source.execute("UPDATE items SET size = 2 WHERE id = 1")
        #expect(throws: SQLiteError.self) { try replica.apply(try session.changeset()) }
        #expect(try replica.prepare("SELECT size FROM items").queryFirst { $0.int64(at: 0) } == 9)
    }

    @Test("nothing recorded is an empty changeset, and applying it changes nothing")
    func empty() throws {
        let source = try database()
        let session = try Session(source, tables: ["items"])
        try source.execute("INSERT INTO keyless VALUES ('only', NULL)")
        let changeset = try session.changeset()
        #expect(try changeset.bytes.isEmpty && changeset.changes().isEmpty)
        try source.apply(changeset)
    }

    /// Why `tickets.db` is not replicated with sessions: `tickets` has generated columns
    /// (`priority_rank`, `sla_next_due`), and SQLite 3.40's session extension refuses any table with one.
    @Test("SQLite 3.40 refuses to produce a changeset for a table with a generated column (SQLITE_SCHEMA)")
    func generatedColumnsRefused() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE g (id INTEGER PRIMARY KEY, size INTEGER, twice INTEGER GENERATED ALWAYS AS (size * 2) VIRTUAL)")
        let session = try Session(db, tables: ["g"])
        try db.execute("INSERT INTO g (id, size) VALUES (1, 2)")
        #expect { try session.changeset() } throws: { ($0 as? SQLiteError)?.resultCode == .schema }
    }
}
