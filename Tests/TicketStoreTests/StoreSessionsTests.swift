import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Sessions: started by the account that signed in, found by `TicketReader.sessionUser` until they
/// expire, ended by logout, by deactivation and by a password change (all but the one that asked).
@Suite struct StoreSessionsTests {
    static let hour: Int64 = 3_600_000

    func start(_ f: StoreFixture, _ user: User, _ n: Int, hours: Int64 = 1) async throws -> CommandReply {
        try await f.run(user.actor, .startSession(StartSession(
            userID: user.id, tokenDigest: AccountFixture.digest(n), expiresAt: f.clock.now().adding(milliseconds: hours * Self.hour))))
    }

    @Test("a session is found until it expires, ends on logout, and logging out twice is fine")
    func session_StartLookupExpiryEnd() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let reader = try TicketReader(path: f.path)
        let started = try await start(f, ana, 1)
        #expect(started.isApplied && started.user == ana)
        let expires = f.clock.now().adding(milliseconds: Self.hour)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(1), now: f.clock.now()) == ana)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(1), now: expires.adding(milliseconds: -1)) == ana)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(1), now: expires) == nil)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(2), now: f.clock.now()) == nil)
        // The lookup follows the account: deactivated (by hand, behind the store's back) means no session.
        do {
            let db = try Connection(path: f.path)
            try db.execute("UPDATE users SET active = 0 WHERE id = ?", [.integer(ana.id.rawValue)])
            #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(1), now: f.clock.now()) == nil)
            try db.execute("UPDATE users SET active = 1 WHERE id = ?", [.integer(ana.id.rawValue)])
        }
        let end = try await f.run(ana.actor, .endSession(EndSession(tokenDigest: AccountFixture.digest(1))))
        #expect(end.isApplied)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(1), now: f.clock.now()) == nil)
        #expect(try await f.run(ana.actor, .endSession(EndSession(tokenDigest: AccountFixture.digest(1)))).isApplied)
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 0)
    }

    @Test("a session starts only for the account that sends it, in the future, once, with a digest of the right form")
    func startSession_Rules() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let bob = try await f.account("Bob", .admin)
        let now = f.clock.now()
        let forOther = try await f.run(bob.actor, .startSession(StartSession(userID: ana.id, tokenDigest: AccountFixture.digest(1), expiresAt: now.adding(milliseconds: Self.hour))))
        #expect(forOther.refusal?.code == .forbidden)
        let byOperator = try await f.run(Actor(role: .admin), .startSession(StartSession(userID: ana.id, tokenDigest: AccountFixture.digest(1), expiresAt: now.adding(milliseconds: Self.hour))))
        #expect(byOperator.refusal?.code == .forbidden)
        let past = try await f.run(ana.actor, .startSession(StartSession(userID: ana.id, tokenDigest: AccountFixture.digest(1), expiresAt: now)))
        #expect(past.refusal?.code == .validation && past.refusal?.field == "expires_at")
        for bad in ["", "abc", String(repeating: "A", count: 64), String(repeating: "0", count: 63) + "g", String(repeating: "0", count: 65)] {
            let reply = try await f.run(ana.actor, .startSession(StartSession(userID: ana.id, tokenDigest: bad, expiresAt: now.adding(milliseconds: Self.hour))))
            #expect(reply.refusal?.field == "token_digest", "\(bad)")
        }
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 0)
        #expect(try await start(f, ana, 1).isApplied)
        #expect(try await start(f, bob, 1).refusal?.code == .conflict)
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 1)
    }

    @Test("starting a session removes the account's expired ones, not the others' nor its live ones")
    func startSession_SweepsOwnExpiredSessions() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let bob = try await f.account("Bob", .customer)
        _ = try await start(f, ana, 1, hours: 1)
        _ = try await start(f, ana, 2, hours: 48)
        _ = try await start(f, bob, 3, hours: 1)
        f.clock.advance(by: .seconds(2 * 3_600))
        _ = try await start(f, ana, 4)
        let left = try Connection(path: f.path, mode: .readOnly).prepare("SELECT token_digest FROM sessions ORDER BY 1").query { $0.text(at: 0) }
        #expect(left == [AccountFixture.digest(2), AccountFixture.digest(3), AccountFixture.digest(4)])
    }

    @Test("only the account itself or an admin ends a session")
    func endSession_OwnerOrAdmin() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let bob = try await f.account("Bob", .manager)
        let root = try await f.account("Root", .admin)
        _ = try await start(f, ana, 1)
        #expect(try await f.run(bob.actor, .endSession(EndSession(tokenDigest: AccountFixture.digest(1)))).refusal?.code == .forbidden)
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 1)
        #expect(try await f.run(root.actor, .endSession(EndSession(tokenDigest: AccountFixture.digest(1)))).isApplied)
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 0)
    }

    @Test("deactivating an account ends all its sessions")
    func deactivation_EndsSessions() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .agent)
        let bob = try await f.account("Bob", .agent)
        for n in 1...3 { _ = try await start(f, ana, n) }
        _ = try await start(f, bob, 9)
        // A role change keeps them (the role is read on every request).
        _ = try await f.operatorUpdates(ana, role: .engineer)
        #expect(try f.scalar("SELECT count(*) FROM sessions WHERE user_id = \(ana.id.rawValue)") == 3)
        #expect(try await f.operatorUpdates(ana, active: false).user?.active == false)
        #expect(try f.scalar("SELECT count(*) FROM sessions WHERE user_id = \(ana.id.rawValue)") == 0)
        #expect(try await TicketReader(path: f.path).sessionUser(tokenDigest: AccountFixture.digest(9), now: f.clock.now()) == bob)
    }

    @Test("a password change ends the account's other sessions, keeping the one that asked; an admin's change ends all")
    func passwordChange_EndsOtherSessions() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let bob = try await f.account("Bob", .customer)
        let root = try await f.account("Root", .admin)
        for n in 1...3 { _ = try await start(f, ana, n) }
        _ = try await start(f, bob, 9)
        let changed = try await f.run(ana.actor, .changePassword(ChangePassword(
            userID: ana.id, passwordHash: AccountFixture.otherHash, keepSessionDigest: AccountFixture.digest(2))))
        #expect(changed.isApplied)
        let reader = try TicketReader(path: f.path)
        for n in [1, 3] { #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(n), now: f.clock.now()) == nil) }
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(2), now: f.clock.now()) == ana)
        #expect(try await reader.sessionUser(tokenDigest: AccountFixture.digest(9), now: f.clock.now()) == bob)
        _ = try await f.run(root.actor, .changePassword(ChangePassword(userID: ana.id, passwordHash: AccountFixture.hash)))
        #expect(try f.scalar("SELECT count(*) FROM sessions WHERE user_id = \(ana.id.rawValue)") == 0)
        #expect(try f.scalar("SELECT count(*) FROM sessions") == 1)
    }
}
