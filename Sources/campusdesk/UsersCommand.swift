import Domain
import Logging
import SpoolBroker
import TicketStore
import Credentials
import ServiceLifecycle
import Foundation

/// `campusdesk users`: the operator's account tools (the network desk, docs/operations.md "Accounts").
///
/// `add`, `set-role` and `deactivate` send `create_user` / `update_user` commands as the operator
/// (role admin, no account) on the commands queue and wait for the ticket worker's reply, like every
/// change; `list` reads `tickets.db` read-only. The password is hashed here (`PasswordHash`): only
/// the hash enters the queue and the store.
enum UsersCommand {
    static let usage = """
        usage: campusdesk users <command> [arguments]
          add --role ROLE --email EMAIL --name NAME [--phone PHONE] [--location LOCATION] [--no-password] [--wait SECONDS]
                                      create an account; the password is asked on the terminal (twice,
                                      not shown), or read as the first line of stdin when it is not one;
                                      --no-password gives it a random one nobody knows (the campus desk's
                                      staff directory, where nobody logs in)
          list [--role ROLE] [--active yes|no]
                                      the accounts, by name (reads tickets.db)
          set-role EMAIL ROLE [--wait SECONDS]
                                      give an account another role
          deactivate EMAIL [--wait SECONDS]
                                      deactivate an account; its sessions end
        ROLE is customer, agent, engineer, manager or admin. add, set-role and deactivate need the
        ticket worker running; they wait for its answer (--wait, default 10 seconds).

        """
    static let command = "campusdesk users"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: command, usage: usage) { args throws(CommandLineError) in
            guard let sub = args.next() else { throw .usage("") }
            switch sub {
            case "add": return try await add(&args)
            case "list": return try await list(&args)
            case "set-role": return try await setRole(&args)
            case "deactivate": return try await deactivate(&args)
            default: throw .usage("\(command): unknown command '\(sub.prefix(40))'")
            }
        }
    }

    // MARK: - Subcommands

    static func add(_ args: inout CommandLineArguments) async throws(CommandLineError) -> Int32 {
        var role: Role?
        var email: String?, name: String?, phone: String?, location: String?
        var wait = defaultWait
        var noPassword = false
        while let arg = args.next() {
            switch arg {
            case "--no-password": noPassword = true
            case "--role": role = try parseRole(try args.value(of: arg))
            case "--email": email = try args.value(of: arg)
            case "--name": name = try args.value(of: arg)
            case "--phone": phone = try args.value(of: arg)
            case "--location": location = try args.value(of: arg)
            case "--wait": wait = try args.integer(of: arg, in: 1...3_600)
            default: throw args.unexpected(arg)
            }
        }
        guard let role else { throw .usage("\(command) add: --role is required") }
        guard let email else { throw .usage("\(command) add: --email is required") }
        guard let name else { throw .usage("\(command) add: --name is required") }
        // The worker checks these again; checking first spares typing a password for nothing.
        var account: AccountFields
        do throws(Refusal) {
            account = AccountFields(name: try AccountRules.name(name), email: try AccountRules.email(email),
                                    phone: try AccountRules.phone(phone), location: try TicketRules.shortField(location, field: "location"),
                                    passwordHash: "")
        } catch {
            throw .usage("\(command) add: \(error.field.map { "--\($0): " } ?? "")\(error.reason)")
        }
        let config = try Configuration.fromCommandLine(command)
        let password = noPassword ? Base64URL.encode(SecureRandom.bytes(32)) : try PasswordPrompt.read(for: account.email, command: "\(command) add")
        guard password.count >= AccountRules.minPasswordLength else {
            throw .failure("\(command) add: the password must have at least \(AccountRules.minPasswordLength) characters; nothing was sent")
        }
        guard password.utf8.count <= AccountRules.maxPasswordLength else {
            throw .failure("\(command) add: the password is longer than \(AccountRules.maxPasswordLength) bytes; nothing was sent")
        }
        account.passwordHash = PasswordHash.make(password: password)
        let reply = try await send(.createUser(CreateUser(account: account, role: role)), config: config, wait: wait, sub: "add")
        guard let user = reply.user else { throw .failure("\(command) add: the ticket worker answered without the account") }
        print("created \(user.email) (id \(user.id.rawValue), \(user.role.rawValue))")
        return ExitCode.success
    }

    static func list(_ args: inout CommandLineArguments) async throws(CommandLineError) -> Int32 {
        var role: Role?
        var active: Bool?
        while let arg = args.next() {
            switch arg {
            case "--role": role = try parseRole(try args.value(of: arg))
            case "--active":
                switch try args.value(of: arg) {
                case "yes": active = true
                case "no": active = false
                case let other: throw .usage("\(command) list: --active takes yes or no, not '\(other.prefix(40))'")
                }
            default: throw args.unexpected(arg)
            }
        }
        let config = try Configuration.fromCommandLine(command)
        var users: [User] = []
        do {
            let reader = try openReader(config, sub: "list")
            while true {
                let page = try await reader.users(role: role, query: nil, active: active, limit: TicketFilter.maxLimit, offset: users.count)
                users += page
                if page.count < TicketFilter.maxLimit { break }
            }
        } catch let error as CommandLineError {
            throw error
        } catch {
            throw .failure("\(command) list: \(error)")
        }
        print(table(users), terminator: "")
        return ExitCode.success
    }

    static func setRole(_ args: inout CommandLineArguments) async throws(CommandLineError) -> Int32 {
        var positional: [String] = []
        var wait = defaultWait
        while let arg = args.next() {
            if arg == "--wait" { wait = try args.integer(of: arg, in: 1...3_600) } else if arg.hasPrefix("-") { throw args.unexpected(arg) } else { positional.append(arg) }
        }
        guard positional.count == 2 else { throw .usage("\(command) set-role: give EMAIL and ROLE") }
        let role = try parseRole(positional[1])
        let config = try Configuration.fromCommandLine(command)
        let user = try await find(positional[0], config: config, sub: "set-role")
        let reply = try await send(.updateUser(UpdateUser(userID: user.id, role: role)), config: config, wait: wait, sub: "set-role")
        print("\(user.email) is now \(reply.user?.role.rawValue ?? role.rawValue)")
        return ExitCode.success
    }

    static func deactivate(_ args: inout CommandLineArguments) async throws(CommandLineError) -> Int32 {
        var positional: [String] = []
        var wait = defaultWait
        while let arg = args.next() {
            if arg == "--wait" { wait = try args.integer(of: arg, in: 1...3_600) } else if arg.hasPrefix("-") { throw args.unexpected(arg) } else { positional.append(arg) }
        }
        guard positional.count == 1 else { throw .usage("\(command) deactivate: give one EMAIL") }
        let config = try Configuration.fromCommandLine(command)
        let user = try await find(positional[0], config: config, sub: "deactivate")
        _ = try await send(.updateUser(UpdateUser(userID: user.id, active: false)), config: config, wait: wait, sub: "deactivate")
        print("deactivated \(user.email); its sessions have ended")
        return ExitCode.success
    }

    // MARK: - Parts

    /// Seconds to wait for the ticket worker's reply.
    static let defaultWait = 10

    static func parseRole(_ text: String) throws(CommandLineError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw .usage("\(command): no role '\(text.prefix(40))' (customer, agent, engineer, manager, admin)")
        }
        return role
    }

    static func openReader(_ config: Configuration, sub: String) throws -> TicketReader {
        guard FileManager.default.fileExists(atPath: config.ticketDatabasePath) else {
            throw CommandLineError.failure("\(command) \(sub): no ticket database at \(config.ticketDatabasePath) (has the ticket worker run?)")
        }
        return try TicketReader(path: config.ticketDatabasePath, poolSize: 1)
    }

    /// The account with this address, read from `tickets.db`.
    static func find(_ email: String, config: Configuration, sub: String) async throws(CommandLineError) -> User {
        let found: (user: User, passwordHash: String)?
        do {
            found = try await openReader(config, sub: sub).account(email: email)
        } catch let error as CommandLineError {
            throw error
        } catch {
            throw .failure("\(command) \(sub): \(error)")
        }
        guard let found else { throw .failure("\(command) \(sub): no account with the e-mail address \(email.prefix(254))") }
        return found.user
    }

    /// Sends one command as the operator and waits for the ticket worker's reply (``OperatorCommand``).
    static func send(_ action: CommandAction, config: Configuration, wait: Int, sub: String) async throws(CommandLineError) -> CommandReply {
        try await OperatorCommand.send(action, config: config, wait: wait, what: "\(command) \(sub)")
    }

    /// The accounts as aligned columns with a header.
    static func table(_ users: [User]) -> String {
        TextTable.render(["ID", "EMAIL", "NAME", "ROLE", "ACTIVE", "CREATED"], users.map { u in
            [String(u.id.rawValue), u.email, u.name, u.role.rawValue, u.active ? "yes" : "no", u.createdAt.iso8601]
        })
    }
}
