import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Accounts in the store: checked fields, one account per address, the admin rules of
/// `update_user`, password changes.
@Suite struct StoreAccountsTests {
    static let long = String(repeating: "a", count: 201)

    @Test("create_user refuses an invalid field, naming it, and writes nothing", arguments: [
        ("blank name", AccountFields(name: "  ", email: "a@campus.example", passwordHash: AccountFixture.hash), "name"),
        ("name over 200", AccountFields(name: long, email: "a@campus.example", passwordHash: AccountFixture.hash), "name"),
        ("no address", AccountFields(name: "A", email: " ", passwordHash: AccountFixture.hash), "email"),
        ("no @", AccountFields(name: "A", email: "campus.example", passwordHash: AccountFixture.hash), "email"),
        ("two @", AccountFields(name: "A", email: "a@b@campus.example", passwordHash: AccountFixture.hash), "email"),
        ("no local part", AccountFields(name: "A", email: "@campus.example", passwordHash: AccountFixture.hash), "email"),
        ("no dot in the domain", AccountFields(name: "A", email: "a@localhost", passwordHash: AccountFixture.hash), "email"),
        ("empty label", AccountFields(name: "A", email: "a@campus..example", passwordHash: AccountFixture.hash), "email"),
        ("one-letter top label", AccountFields(name: "A", email: "a@campus.e", passwordHash: AccountFixture.hash), "email"),
        ("space inside", AccountFields(name: "A", email: "a b@campus.example", passwordHash: AccountFixture.hash), "email"),
        ("address over 254", AccountFields(name: "A", email: "a@" + String(repeating: "b", count: 250) + ".org", passwordHash: AccountFixture.hash), "email"),
        ("phone with letters", AccountFields(name: "A", email: "a@campus.example", phone: "call me", passwordHash: AccountFixture.hash), "phone"),
        ("phone over 40", AccountFields(name: "A", email: "a@campus.example", phone: String(repeating: "1", count: 41), passwordHash: AccountFixture.hash), "phone"),
        ("location over 200", AccountFields(name: "A", email: "a@campus.example", location: long, passwordHash: AccountFixture.hash), "location"),
        ("plain password", AccountFields(name: "A", email: "a@campus.example", passwordHash: "correct horse battery"), "password_hash"),
        ("other scheme", AccountFields(name: "A", email: "a@campus.example", passwordHash: "bcrypt$2$AAAA$AAAA"), "password_hash"),
        ("zero iterations", AccountFields(name: "A", email: "a@campus.example", passwordHash: "pbkdf2-sha256$0$AAAA$AAAA"), "password_hash"),
        ("missing hash", AccountFields(name: "A", email: "a@campus.example", passwordHash: "pbkdf2-sha256$1000$AAAA$"), "password_hash"),
    ] as [(String, AccountFields, String)])
    func createUser_RefusesInvalidFields(_ name: String, _ fields: AccountFields, _ field: String) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let before = try f.accountSnapshot()
        let reply = try await f.run(Actor(role: .admin), .createUser(CreateUser(account: fields, role: .agent)))
        #expect(reply.refusal?.code == .validation, "\(name)")
        #expect(reply.refusal?.field == field, "\(name)")
        #expect(reply.user == nil)
        // Registration checks the same fields.
        #expect(try await f.run(Actor(role: .customer), .registerUser(RegisterUser(account: fields))).refusal?.field == field, "\(name)")
        #expect(try f.accountSnapshot() == before, "\(name) left a write")
    }

    @Test("fields are stored normalised: trimmed, the address lower-cased, empty optional fields as none")
    func createUser_NormalisesFields() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let reply = try await f.run(Actor(role: .admin), .createUser(CreateUser(account: AccountFields(
            name: "  Ana López ", email: " Ana.Lopez@Campus.EXAMPLE ", phone: " ", location: " Hall B ", passwordHash: AccountFixture.hash), role: .engineer)))
        let user = try #require(reply.user)
        #expect(user == User(id: user.id, name: "Ana López", email: "ana.lopez@campus.example", phone: nil, location: "Hall B",
                             role: .engineer, active: true, createdAt: f.clock.now()))
        let stored = try #require(try await TicketReader(path: f.path).account(email: "ANA.lopez@campus.example  "))
        #expect(stored.user == user && stored.passwordHash == AccountFixture.hash)
    }

    @Test("a second account with the same address (in any case) is a conflict on email, for create and register alike")
    func duplicateEmail_IsConflict() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        _ = try await f.account("Ana", .customer, email: "ana@campus.example")
        let before = try f.accountSnapshot()
        let expected = Refusal(.conflict, "An account with this e-mail already exists.", field: "email")
        let created = try await f.run(Actor(role: .admin), .createUser(CreateUser(account: AccountFixture.fields("Other", email: "ANA@campus.example"), role: .agent)))
        #expect(created.refusal == expected)
        let registered = try await f.run(Actor(role: .customer), .registerUser(RegisterUser(account: AccountFixture.fields("Ana 2", email: " ana@CAMPUS.example"))))
        #expect(registered.refusal == expected)
        #expect(try f.accountSnapshot() == before)
    }

    @Test("only admins create and change accounts", arguments: [Role.customer, .agent, .engineer, .manager])
    func nonAdmins_CannotManageUsers(role: Role) async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let me = try await f.account("Me", role)
        let other = try await f.account("Other", .customer)
        let before = try f.accountSnapshot()
        #expect(try await f.run(me.actor, .createUser(CreateUser(account: AccountFixture.fields("New"), role: .admin))).refusal?.code == .forbidden)
        #expect(try await f.run(me.actor, .updateUser(UpdateUser(userID: other.id, active: false))).refusal?.code == .forbidden)
        #expect(try await f.run(me.actor, .updateUser(UpdateUser(userID: me.id, role: .admin))).refusal?.code == .forbidden)
        #expect(try await f.run(me.actor, .changePassword(ChangePassword(userID: other.id, passwordHash: AccountFixture.otherHash))).refusal?.code == .forbidden)
        #expect(try f.accountSnapshot() == before)
    }

    @Test("an admin cannot deactivate or demote themselves; another admin can")
    func admin_CannotDeactivateOrDemoteThemselves() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let root = try await f.account("Root", .admin)
        let second = try await f.account("Second", .admin)
        let before = try f.accountSnapshot()
        let off = try await f.run(root.actor, .updateUser(UpdateUser(userID: root.id, active: false)))
        #expect(off.refusal?.code == .forbidden && off.refusal?.field == "active")
        let down = try await f.run(root.actor, .updateUser(UpdateUser(userID: root.id, role: .manager)))
        #expect(down.refusal?.code == .forbidden && down.refusal?.field == "role")
        #expect(try f.accountSnapshot() == before)
        // Unchanged fields are no change at all.
        #expect(try await f.run(root.actor, .updateUser(UpdateUser(userID: root.id, role: .admin, active: true))).user == root)
        let demoted = try await f.run(second.actor, .updateUser(UpdateUser(userID: root.id, role: .manager)))
        #expect(demoted.user?.role == .manager && demoted.user?.active == true)
    }

    @Test("the last active admin stays one: neither demoted nor deactivated, even by the operator")
    func lastActiveAdmin_IsKept() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let root = try await f.account("Root", .admin)
        let before = try f.accountSnapshot()
        let off = try await f.operatorUpdates(root, active: false)
        #expect(off.refusal?.code == .conflict && off.refusal?.field == "active")
        let down = try await f.operatorUpdates(root, role: .agent)
        #expect(down.refusal?.code == .conflict && down.refusal?.field == "role")
        #expect(try f.accountSnapshot() == before)
        // A deactivated admin does not count: a second admin must be active.
        let second = try await f.account("Second", .admin)
        _ = try await f.operatorUpdates(second, active: false)
        #expect(try await f.operatorUpdates(root, active: false).refusal?.code == .conflict)
        _ = try await f.operatorUpdates(second, active: true)
        #expect(try await f.operatorUpdates(root, active: false).user?.active == false)
        #expect(try await f.operatorUpdates(second, role: .engineer).refusal?.code == .conflict)
    }

    @Test("update_user: nothing to change is invalid, an unknown account is not found")
    func updateUser_NothingOrUnknown() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        #expect(try await f.operatorUpdates(ana).refusal?.code == .validation)
        let missing = try await f.run(Actor(role: .admin), .updateUser(UpdateUser(userID: UserID(404), role: .agent)))
        #expect(missing.refusal?.code == .notFound && missing.refusal?.field == "user_id")
        let promoted = try await f.operatorUpdates(ana, role: .engineer)
        #expect(promoted.user == User(id: ana.id, name: ana.name, email: ana.email, role: .engineer, active: true, createdAt: ana.createdAt))
        #expect(try await TicketReader(path: f.path).user(ana.id) == promoted.user)
    }

    @Test("change_password: by the account itself or an admin; the hash is checked; a missing account is not found")
    func changePassword_ByOwnerOrAdmin() async throws {
        let f = try StoreFixture(authMode: .accounts)
        defer { f.dir.remove() }
        let ana = try await f.account("Ana", .customer)
        let admin = try await f.account("Root", .admin)
        let reader = try TicketReader(path: f.path)
        let own = try await f.run(ana.actor, .changePassword(ChangePassword(userID: ana.id, passwordHash: AccountFixture.otherHash)))
        #expect(own.user == ana)
        #expect(try await reader.account(email: ana.email)?.passwordHash == AccountFixture.otherHash)
        #expect(try await f.run(admin.actor, .changePassword(ChangePassword(userID: ana.id, passwordHash: AccountFixture.hash))).isApplied)
        #expect(try await reader.account(email: ana.email)?.passwordHash == AccountFixture.hash)
        let plain = try await f.run(ana.actor, .changePassword(ChangePassword(userID: ana.id, passwordHash: "hunter2hunter2")))
        #expect(plain.refusal?.code == .validation && plain.refusal?.field == "password_hash")
        let missing = try await f.run(admin.actor, .changePassword(ChangePassword(userID: UserID(404), passwordHash: AccountFixture.hash)))
        #expect(missing.refusal?.code == .notFound)
        #expect(try await reader.account(email: ana.email)?.passwordHash == AccountFixture.hash)
    }
}
