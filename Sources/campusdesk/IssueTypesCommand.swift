import Domain
import TicketStore
import ServiceLifecycle
import Foundation

/// `campusdesk issue-types`: the list reporters pick from, for the operator (docs/operations.md,
/// "Issue types"). The campus desk has no admin account to use `/admin/issue-types`, so this is
/// how its list changes; on the network desk admins have both. `add`, `rename` and `retire` send
/// the same commands as the admin page, as the operator (``OperatorCommand``); `list` reads
/// `tickets.db` read-only.
enum IssueTypesCommand {
    static let usage = """
        usage: campusdesk issue-types <command> [arguments]
          list [--all]                the offered issue types by category (--all: retired ones too)
          add CATEGORY NAME [--wait SECONDS]
                                      offer a new issue type under facility, it or services
          rename ID NAME [--wait SECONDS]
                                      rename an issue type (tickets that have it show the new name)
          retire ID [--wait SECONDS]  stop offering an issue type; tickets that have it keep it
        add, rename and retire need the ticket worker running; they wait for its answer (--wait,
        default 10 seconds).

        """
    static let command = "campusdesk issue-types"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: command, usage: usage) { args throws(CommandLineError) in
            guard let sub = args.next() else { throw .usage("") }
            switch sub {
            case "list": return try await list(&args)
            case "add": return try await change(&args, sub: sub)
            case "rename": return try await change(&args, sub: sub)
            case "retire": return try await change(&args, sub: sub)
            default: throw .usage("\(command): unknown command '\(sub.prefix(40))'")
            }
        }
    }

    static func list(_ args: inout CommandLineArguments) async throws(CommandLineError) -> Int32 {
        var all = false
        while let arg = args.next() {
            switch arg {
            case "--all": all = true
            default: throw args.unexpected(arg)
            }
        }
        let config = try Configuration.fromCommandLine(command)
        let types: [IssueType]
        do {
            guard FileManager.default.fileExists(atPath: config.ticketDatabasePath) else {
                throw CommandLineError.failure("\(command) list: no ticket database at \(config.ticketDatabasePath) (has the ticket worker run?)")
            }
            types = try await TicketReader(path: config.ticketDatabasePath, poolSize: 1).issueTypes(includingRetired: all)
        } catch let error as CommandLineError {
            throw error
        } catch {
            throw .failure("\(command) list: \(error)")
        }
        print(table(types), terminator: "")
        return ExitCode.success
    }

    /// `add CATEGORY NAME`, `rename ID NAME`, `retire ID`, each with `--wait`.
    static func change(_ args: inout CommandLineArguments, sub: String) async throws(CommandLineError) -> Int32 {
        var positional: [String] = []
        var wait = UsersCommand.defaultWait
        while let arg = args.next() {
            switch arg {
            case "--wait": wait = try args.integer(of: arg, in: 1...3_600)
            default:
                guard !arg.hasPrefix("--") else { throw args.unexpected(arg) }
                positional.append(arg)
            }
        }
        let action: CommandAction
        switch (sub, positional.count) {
        case ("add", 2):
            guard let category = Category(rawValue: positional[0]) else {
                throw .usage("\(command) add: the category is facility, it or services, not '\(positional[0].prefix(40))'")
            }
            action = .addIssueType(AddIssueType(category: category, name: positional[1]))
        case ("rename", 2): action = .renameIssueType(RenameIssueType(issueTypeID: try id(positional[0], sub), name: positional[1]))
        case ("retire", 1): action = .retireIssueType(RetireIssueType(issueTypeID: try id(positional[0], sub)))
        default:
            throw .usage("\(command) \(sub): expected \(sub == "add" ? "CATEGORY NAME" : sub == "rename" ? "ID NAME" : "ID")")
        }
        let config = try Configuration.fromCommandLine(command)
        let reply = try await OperatorCommand.send(action, config: config, wait: wait, what: "\(command) \(sub)")
        if let t = reply.issueType {
            print("\(sub == "add" ? "added" : sub == "rename" ? "renamed" : "retired") issue type \(t.id.rawValue): \(t.category.rawValue) / \(t.name)")
        }
        return ExitCode.success
    }

    static func id(_ text: String, _ sub: String) throws(CommandLineError) -> IssueTypeID {
        guard text.utf8.count <= 18, let n = Int64(text), n > 0 else {
            throw .usage("\(command) \(sub): the issue type's ID is a number (see `\(command) list`), not '\(text.prefix(40))'")
        }
        return IssueTypeID(n)
    }

    /// The types as aligned columns with a header.
    static func table(_ types: [IssueType]) -> String {
        TextTable.render(["ID", "CATEGORY", "NAME", "RETIRED"], types.map { t in
            [String(t.id.rawValue), t.category.rawValue, t.name, t.retiredAt?.iso8601 ?? "-"]
        })
    }
}
