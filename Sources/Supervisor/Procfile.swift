import Foundation

/// The processes `campusdesk up` runs: one `name: command` line each, in foreman/honcho syntax.
///
/// Parsing is pure (text in, entries or an error with a line number out) so a typo in the
/// Procfile is reported before any process starts.
public struct Procfile: Sendable, Equatable {
    /// The process lines, in file order.
    public var entries: [ProcfileEntry]

    public init(entries: [ProcfileEntry]) {
        self.entries = entries
    }

    /// Parses Procfile text: `name: command` per line; `#` comments and blank lines are skipped.
    ///
    /// Names are letters, digits, `_` and `-` (what foreman accepts); duplicate names and lines
    /// without a command are errors, reported with their 1-based line number.
    public static func parse(_ text: String) throws(ProcfileError) -> Procfile {
        var entries: [ProcfileEntry] = []
        var seen: [String: Int] = [:]
        var lineNumber = 0
        // CRLF is one Character in Swift, so files from Windows editors split like LF files.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw ProcfileError(line: lineNumber, reason: "expected 'name: command'")
            }
            let name = String(trimmed[..<colon])
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(Self.isNameScalar) else {
                throw ProcfileError(line: lineNumber, reason: "process name must be letters, digits, '_' or '-'")
            }
            let command = trimmed[trimmed.index(after: colon)...].trimmingBlanks()
            guard !command.isEmpty else {
                throw ProcfileError(line: lineNumber, reason: "process '\(name)' has no command")
            }
            if let first = seen[name] {
                throw ProcfileError(line: lineNumber, reason: "process '\(name)' already defined on line \(first)")
            }
            seen[name] = lineNumber
            entries.append(ProcfileEntry(name: name, command: command, line: lineNumber))
        }
        guard !entries.isEmpty else { throw ProcfileError(line: max(lineNumber, 1), reason: "no processes defined") }
        return Procfile(entries: entries)
    }

    private static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": true
        default: false
        }
    }
}

/// One process line of a Procfile.
public struct ProcfileEntry: Sendable, Equatable {
    /// The process name, used as the log prefix.
    public var name: String
    /// The shell command line, run with `/bin/sh -c` so `$PORT` and other variables expand.
    public var command: String
    /// The 1-based line in the Procfile, for messages.
    public var line: Int

    public init(name: String, command: String, line: Int) {
        self.name = name
        self.command = command
        self.line = line
    }

    /// The command with its program word `campusdesk` replaced by `executable` (shell-quoted).
    ///
    /// The program word is the first word after any leading `NAME=value` assignments (written
    /// without spaces or quotes). This is the rule that lets `swift run campusdesk up` start the very
    /// binary it runs from, wherever the build put it, instead of whatever `campusdesk` is on `PATH`.
    public func resolvingCampusDesk(to executable: String) -> String {
        let (prefix, rest) = Self.splitAssignments(Substring(command))
        let word = "campusdesk"
        guard rest == word || rest.hasPrefix(word + " ") || rest.hasPrefix(word + "\t") else { return command }
        return prefix + ShellQuote.quote(executable) + rest.dropFirst(word.count)
    }

    /// What the supervisor hands to `/bin/sh -c`: `resolvingCampusDesk(to:)`, with `exec` before the
    /// program when the line is one simple command.
    ///
    /// Why: dash does not exec a line's last command, so without it the shell sits between `up` and
    /// the program. SIGTERM then ends the shell at once while the program is still finishing, and `up`
    /// reports the shell's death ("killed by signal 15") and a crashed program's exit as code 128+n.
    /// With `exec` the program is the child: its own exit status is what `up` sees and reports. Lines
    /// with lists, pipes, groups or substitutions (`;`, `&`, `|`, `(`, `{`, a backquote, a newline)
    /// are left to the shell as written.
    public func launchCommand(executable: String) -> String {
        let resolved = resolvingCampusDesk(to: executable)
        guard !command.contains(where: { ";&|(){}`\n".contains($0) }) else { return resolved }
        let (prefix, rest) = Self.splitAssignments(Substring(resolved))
        guard !rest.isEmpty, !rest.hasPrefix("exec ") else { return resolved }
        return prefix + "exec " + rest
    }

    /// Leading `NAME=value` words (with the blanks after them) and the rest of the line.
    private static func splitAssignments(_ line: Substring) -> (prefix: Substring, rest: Substring) {
        var rest = line
        while let space = rest.firstIndex(where: { $0 == " " || $0 == "\t" }), isAssignment(rest[..<space]) {
            rest = rest[space...].drop(while: { $0 == " " || $0 == "\t" })
        }
        return (line[..<rest.startIndex], rest)
    }

    private static func isAssignment(_ word: Substring) -> Bool {
        guard let eq = word.firstIndex(of: "="), eq != word.startIndex else { return false }
        let name = word[..<eq]
        return name.unicodeScalars.allSatisfy { s in
            switch s {
            case "a"..."z", "A"..."Z", "0"..."9", "_": true
            default: false
            }
        } && !("0"..."9").contains(name.first ?? "0") && !word.contains("'") && !word.contains("\"")
    }
}

/// A Procfile line that cannot be used.
public struct ProcfileError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "Procfile line \(line): \(reason)" }
}

/// POSIX shell quoting for a single word.
public enum ShellQuote {
    /// The word in single quotes, with embedded single quotes written as `'\''`.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ s in
            switch s {
            case "a"..."z", "A"..."Z", "0"..."9", "/", ".", "_", "-", "+", ":", ",", "=": true
            default: false
            }
        }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension Substring {
    func trimmingBlanks() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
