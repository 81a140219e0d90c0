import Domain
import TicketStore
import Credentials
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension SystemTests {
    /// `campusdesk users` against a real `campusdesk ticket-worker` on the network desk
    /// (`CAMPUSDESK_AUTH=accounts`): the first admin, the directory, role changes, deactivation.
    @Suite struct UsersEndToEndTests {
        static let password = "correct horse battery"

        @Test("users add creates the first admin with a hashed password; list, set-role and deactivate follow; the worker keeps its rules")
        func firstAdminAndTheDirectory() async throws {
            let system = try CampusDeskProcesses(environment: ["CAMPUSDESK_AUTH": "accounts"])
            try system.start("worker", ["ticket-worker"])

            let admin = try system.run(["users", "add", "--role", "admin", "--email", " Root@Campus.Example ", "--name", "Root Admin"],
                                       input: Self.password + "\nignored second line\n")
            #expect(admin.status == 0, "\(admin.stderr)")
            #expect(admin.stdout == "created root@campus.example (id 1, admin)\n")
            let reader = try TicketReader(path: system.data.appendingPathComponent("tickets.db").path)
            let stored = try #require(try await reader.account(email: "root@campus.example"))
            #expect(stored.user.role == .admin && stored.user.name == "Root Admin" && stored.user.active)
            #expect(PasswordHash.verify(password: Self.password, encoded: stored.passwordHash))
            #expect(!PasswordHash.verify(password: "ignored second line", encoded: stored.passwordHash))

            let eng = try system.run(["users", "add", "--role", "engineer", "--email", "eli@campus.example", "--name", "Eli",
                                      "--phone", "+49 30 1234", "--location", "Hall B"], input: "another long secret\r\n")
            #expect(eng.status == 0, "\(eng.stderr)")
            #expect(PasswordHash.verify(password: "another long secret", encoded: try #require(try await reader.account(email: "eli@campus.example")).passwordHash))
            let again = try system.run(["users", "add", "--role", "agent", "--email", "ELI@campus.example", "--name", "Eli 2"], input: Self.password + "\n")
            #expect(again.status == 1)
            #expect(again.stderr.contains("refused by the ticket worker: email: An account with this e-mail already exists."))

            let list = try system.run(["users", "list"])
            #expect(list.status == 0)
            let lines = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.count == 3)
            #expect(lines.first == ["ID", "EMAIL", "NAME", "ROLE", "ACTIVE", "CREATED"])
            #expect(lines.dropFirst().map { Array($0.prefix(2)) } == [["2", "eli@campus.example"], ["1", "root@campus.example"]])
            #expect(lines.dropFirst().map { Array($0.dropLast().suffix(2)) } == [["engineer", "yes"], ["admin", "yes"]])
            #expect(try system.run(["users", "list", "--role", "engineer"]).stdout.split(separator: "\n").count == 2)

            let promoted = try system.run(["users", "set-role", "eli@campus.example", "manager"])
            #expect(promoted.status == 0 && promoted.stdout == "eli@campus.example is now manager\n", "\(promoted.stderr)")
            #expect(try await reader.user(UserID(2))?.role == .manager)
            #expect(try system.run(["users", "set-role", "nobody@campus.example", "agent"]).status == 1)

            // The last active admin stays one; another account can go.
            let last = try system.run(["users", "deactivate", "root@campus.example"])
            #expect(last.status == 1 && last.stderr.contains("last active admin"))
            let off = try system.run(["users", "deactivate", "eli@campus.example"])
            #expect(off.status == 0, "\(off.stderr)")
            let inactive = try system.run(["users", "list", "--active", "no"]).stdout
            #expect(inactive.contains("eli@campus.example") && !inactive.contains("root@campus.example"))
            #expect(try await reader.user(UserID(2))?.active == false)
        }

        @Test("users refuses bad arguments (64) and short passwords (1) before sending anything")
        func badArgumentsAndShortPasswords() async throws {
            let system = try CampusDeskProcesses(environment: ["CAMPUSDESK_AUTH": "accounts"])
            for args in [["users"], ["users", "rename"], ["users", "add", "--email", "a@campus.example", "--name", "A"],
                         ["users", "add", "--role", "boss", "--email", "a@campus.example", "--name", "A"],
                         ["users", "add", "--role", "admin", "--email", "not-an-address", "--name", "A"],
                         ["users", "add", "--role", "admin", "--email", "a@campus.example"],
                         ["users", "list", "--active", "maybe"], ["users", "set-role", "a@campus.example"],
                         ["users", "deactivate"]] {
                #expect(try system.run(args).status == 64, "\(args)")
            }
            let short = try system.run(["users", "add", "--role", "admin", "--email", "a@campus.example", "--name", "A"], input: "short\n")
            #expect(short.status == 1 && short.stderr.contains("at least 10 characters"))
            let none = try system.run(["users", "add", "--role", "admin", "--email", "a@campus.example", "--name", "A"], input: "")
            #expect(none.status == 1 && none.stderr.contains("no password"))
            let noDatabase = try system.run(["users", "list"])
            #expect(noDatabase.status == 1 && noDatabase.stderr.contains("no ticket database"))
            #expect(!FileManager.default.fileExists(atPath: system.spool.appendingPathComponent("queues/commands").path))
        }

        @Test("without a ticket worker, users add says it must be running and exits 1; a worker started later creates the account")
        func noWorker_SaysSoAndStaysQueued() async throws {
            let system = try CampusDeskProcesses(environment: ["CAMPUSDESK_AUTH": "accounts"])
            let result = try system.run(["users", "add", "--role", "admin", "--email", "root@campus.example", "--name", "Root", "--wait", "1"],
                                        input: Self.password + "\n")
            #expect(result.status == 1)
            #expect(result.stderr.contains("the ticket worker did not answer within 1 s; it must be running"))
            try system.start("worker", ["ticket-worker"])
            let path = system.data.appendingPathComponent("tickets.db").path
            try await eventually("the queued create_user to be applied") { lastSeen in
                guard FileManager.default.fileExists(atPath: path), let reader = try? TicketReader(path: path),
                      let found = try? await reader.account(email: "root@campus.example") else {
                    lastSeen = "no account yet"
                    return false
                }
                return found.user.role == .admin
            }
        }

        @Test("on a terminal, users add asks twice without echo, and refuses two different passwords")
        func terminalPrompt_HidesThePassword() async throws {
            let system = try CampusDeskProcesses(environment: ["CAMPUSDESK_AUTH": "accounts"])
            try system.start("worker", ["ticket-worker"])
            for (second, expectedStatus) in [("typed on a tty", Int32(0)), ("typed differently", 1)] {
                let tty = try PseudoTerminal()
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CampusDeskProcesses.binary)
                p.arguments = ["users", "add", "--role", "admin", "--email", "tty-\(expectedStatus)@campus.example", "--name", "Tty"]
                p.environment = system.environment
                p.currentDirectoryURL = system.root
                p.standardInput = tty.slave
                p.standardOutput = tty.slave
                p.standardError = tty.slave
                try p.run()
                try tty.read(until: "Password for tty-\(expectedStatus)@campus.example: ")
                tty.write("typed on a tty\n")
                try tty.read(until: "Repeat the password: ")
                tty.write(second + "\n")
                try tty.read(until: expectedStatus == 0 ? "created tty-0@campus.example" : "the two passwords differ")
                try await p.waitForExit()
                #expect(p.terminationStatus == expectedStatus)
                #expect(!tty.text.contains("typed"), "the password was echoed: \(tty.text)")
            }
            let reader = try TicketReader(path: system.data.appendingPathComponent("tickets.db").path)
            #expect(PasswordHash.verify(password: "typed on a tty", encoded: try #require(try await reader.account(email: "tty-0@campus.example")).passwordHash))
            #expect(try await reader.account(email: "tty-1@campus.example") == nil)
        }
    }
}

/// A pseudo-terminal for a child's stdin/stdout/stderr: what the child writes is read from the
/// master side, what the test types is written to it.
final class PseudoTerminal {
    let master: Int32
    let slave: FileHandle
    private(set) var text = ""

    struct Failure: Error, CustomStringConvertible { var description: String }

    init() throws {
        // posix_openpt and friends are not visible through Glibc: the same with /dev/ptmx and its two ioctls.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let tiocsptlck: UInt = 0x4004_5431, tiocgptn: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            throw Failure(description: "no pseudo-terminal (errno \(errno))")
        }
        let name = "/dev/pts/\(number)"
        let fd = open(name, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw Failure(description: "cannot open \(name) (errno \(errno))") }
        slave = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    deinit { close(master) }

    func write(_ s: String) {
        _ = s.utf8CString.withUnsafeBufferPointer { Glibc.write(master, $0.baseAddress, $0.count - 1) }
    }

    /// Reads what the child printed until it contains `needle` (deadline 20 s, scaled).
    func read(until needle: String) throws {
        let deadline = Date().addingTimeInterval(20 * TestTime.scale)
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !text.contains(needle) {
            guard Date() < deadline else { throw Failure(description: "no '\(needle)' from the terminal; saw \(text.debugDescription)") }
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = Glibc.read(master, &buffer, buffer.count)
            guard n > 0 else { throw Failure(description: "the terminal closed; saw \(text.debugDescription)") }
            text += String(decoding: buffer[..<n], as: UTF8.self)
        }
    }
}
