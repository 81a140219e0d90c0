import Foundation

/// The exit codes every `campusdesk` command uses (sysexits: 64 is a usage error).
public enum ExitCode {
    public static let success: Int32 = 0
    /// A runtime failure: a file that cannot be read, a worker that did not answer, a refused row.
    public static let failure: Int32 = 1
    /// The command line itself was wrong; the usage text went to stderr.
    public static let usage: Int32 = 64
}

/// Why a command stops early: a usage error (exit 64, with the usage) or a runtime failure (exit 1).
public enum CommandLineError: Error, Equatable, Sendable {
    /// The arguments were wrong; the message (may be empty) is printed before the usage.
    case usage(String)
    /// Something at run time failed; the message is printed as it is.
    case failure(String)
}

/// The arguments of one subcommand, consumed front to back.
///
/// Why not a dictionary of flags: order matters for positional arguments, a flag's value is the
/// next word even when it starts with a dash ("--wait -1" is a bad value, not an unknown flag),
/// and each command decides what is positional. Every error is a `CommandLineError.usage`.
public struct CommandLineArguments: Sendable {
    /// The command's name as shown in messages ("campusdesk import").
    public let command: String
    private var rest: ArraySlice<String>

    public init(_ arguments: [String], command: String) {
        self.command = command
        self.rest = arguments[...]
    }

    /// True when no arguments are left.
    public var isEmpty: Bool { rest.isEmpty }

    /// The next argument, consumed.
    public mutating func next() -> String? { rest.popFirst() }

    /// The value after a flag, consumed; a missing value is a usage error.
    public mutating func value(of flag: String) throws(CommandLineError) -> String {
        guard let v = rest.popFirst() else { throw .usage("\(command): \(flag) needs a value") }
        return v
    }

    /// The whole-number value after a flag, within `range`.
    public mutating func integer(of flag: String, in range: ClosedRange<Int>) throws(CommandLineError) -> Int {
        let text = try value(of: flag)
        guard let n = Int(text), range.contains(n) else {
            throw .usage("\(command): \(flag) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.prefix(40))'")
        }
        return n
    }

    /// The usage error for an argument the command does not know.
    public func unexpected(_ argument: String) -> CommandLineError {
        .usage("\(command): unexpected argument '\(argument.prefix(40))'")
    }

    /// Fails with a usage error when arguments are left over.
    public func expectEnd() throws(CommandLineError) {
        if let extra = rest.first { throw unexpected(extra) }
    }
}

/// Runs one subcommand's body with the shared conventions: `-h`/`--help` prints the usage
/// (exit 0), a usage error prints the message and the usage on stderr (exit 64), a failure its
/// message (exit 1). Data goes to stdout, messages to stderr.
public enum CommandLineTool {
    public static func run(_ arguments: [String], command: String, usage: String,
                           _ body: (inout CommandLineArguments) async throws(CommandLineError) -> Int32) async -> Int32 {
        if arguments == ["-h"] || arguments == ["--help"] {
            print(usage, terminator: "")
            return ExitCode.success
        }
        var args = CommandLineArguments(arguments, command: command)
        do {
            return try await body(&args)
        } catch {
            switch error {
            case .usage(let message):
                printError(message.isEmpty ? usage : message + "\n" + usage)
                return ExitCode.usage
            case .failure(let message):
                printError(message)
                return ExitCode.failure
            }
        }
    }

    /// Writes a message line to stderr (a newline is added when missing).
    public static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
}
