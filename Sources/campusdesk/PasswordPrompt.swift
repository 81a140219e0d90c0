import Foundation
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Reading a new password for `campusdesk users add`: typed twice on a terminal without echo, or
/// the first line of stdin when stdin is not a terminal (scripts: `printf '%s\n' "$PW" | campusdesk users add ...`).
enum PasswordPrompt {
    /// The password, or a failure saying why there is none.
    static func read(for email: String, command: String) throws(CommandLineError) -> String {
        if isatty(STDIN_FILENO) == 1 {
            let first = try readHidden("Password for \(email): ", command: command)
            let second = try readHidden("Repeat the password: ", command: command)
            guard first == second else { throw .failure("\(command): the two passwords differ; nothing was changed") }
            return first
        }
        guard var line = readLine(strippingNewline: true) else {
            throw .failure("\(command): no password: stdin is not a terminal and is empty (give the password as its first line)")
        }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    /// One line typed with echo off; the terminal's settings come back afterwards, also after Ctrl-C.
    private static func readHidden(_ prompt: String, command: String) throws(CommandLineError) -> String {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw .failure("\(command): cannot read the terminal's settings (errno \(errno))")
        }
        var hidden = saved
        hidden.c_lflag &= ~tcflag_t(ECHO)
        hidden.c_lflag |= tcflag_t(ECHONL)
        // Echo off before the prompt shows, so nothing typed after seeing it is echoed; TCSADRAIN,
        // not TCSAFLUSH, so a password typed (or pasted) right after the prompt is not thrown away.
        guard tcsetattr(STDIN_FILENO, TCSADRAIN, &hidden) == 0 else {
            throw .failure("\(command): cannot turn off the terminal's echo (errno \(errno))")
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        // Ctrl-C while echo is off would leave the terminal silent: restore it before exiting.
        let original = saved
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            var t = original
            tcsetattr(STDIN_FILENO, TCSADRAIN, &t)
            FileHandle.standardError.write(Data("\n".utf8))
            exit(130)
        }
        interrupt.resume()
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
            tcsetattr(STDIN_FILENO, TCSADRAIN, &saved)
        }
        guard let line = readLine(strippingNewline: true) else { throw .failure("\(command): no password typed") }
        return line
    }
}
