import Foundation
import Testing
import TestSupport
@testable import SQLiteKit

/// `Connection.createFunction`: a Swift text function callable from SQL and from triggers.
@Suite struct SQLiteFunctionTests {
    @Test("the function maps text, keeps NULL as NULL and an empty result as text")
    func textFunction() throws {
        let db = try Connection(path: ":memory:")
        try db.createFunction("shout") { $0.uppercased() + "!" }
        try db.createFunction("blank") { _ in "" }
        let row = try db.prepare("SELECT shout('café'), shout(NULL), typeof(shout(NULL)), blank('x'), typeof(blank('x')), shout(42)")
            .queryFirst { s in (s.text(at: 0), s.optionalText(at: 1), s.text(at: 2), s.text(at: 3), s.text(at: 4), s.text(at: 5)) }
        let r = try #require(row)
        #expect(r.0 == "CAFÉ!" && r.1 == nil && r.2 == "null" && r.3 == "" && r.4 == "text" && r.5 == "42!")
        // Invalid UTF-8 arrives repaired, as `Statement.text(at:)` repairs it.
        #expect(try db.prepare("SELECT shout(CAST(x'41FF42' AS TEXT))").queryFirst { $0.text(at: 0) } == "A\u{FFFD}B!")
    }

    @Test("triggers call it; a connection without it refuses the write instead of skipping the trigger")
    func inTriggers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Connection(path: dir.path("f.db"))
        try db.createFunction("shout") { $0.uppercased() }
        try db.execute("""
            CREATE TABLE t (s TEXT); CREATE TABLE copy (s TEXT);
            CREATE TRIGGER t_copy AFTER INSERT ON t BEGIN INSERT INTO copy VALUES (shout(new.s)); END;
            """)
        try db.execute("INSERT INTO t VALUES (?)", [.text("lift")])
        #expect(try db.prepare("SELECT s FROM copy").queryFirst { $0.text(at: 0) } == "LIFT")
        let other = try Connection(path: dir.path("f.db"))
        #expect(throws: SQLiteError.self) { try other.execute("INSERT INTO t VALUES (?)", [.text("door")]) }
        #expect(try db.prepare("SELECT count(*) FROM t").queryFirst { $0.int64(at: 0) } == 1)
    }

    @Test("a function of several arguments gets each as text or nil, numbers as their text, and never returns NULL")
    func severalArguments() throws {
        let db = try Connection(path: ":memory:")
        try db.createFunction("joined", arguments: 3) { $0.map { $0 ?? "-" }.joined(separator: "|") }
        let row = try db.prepare("SELECT joined('a', NULL, 3), joined(NULL, NULL, NULL), typeof(joined(NULL, NULL, NULL))")
            .queryFirst { s in (s.text(at: 0), s.text(at: 1), s.text(at: 2)) }
        let r = try #require(row)
        #expect(r.0 == "a|-|3" && r.1 == "-|-|-" && r.2 == "text")
        // The arity is part of the function: another count is no such function.
        #expect(throws: SQLiteError.self) { try db.prepare("SELECT joined('a')") }
    }
}
