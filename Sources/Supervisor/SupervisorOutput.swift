import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the supervisor writes its prefixed lines: one call per complete line (with its newline).
///
/// Injected so tests can collect the lines; the real one writes to standard output.
public struct SupervisorOutput: Sendable {
    public let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Writes to standard output, one `write(2)` per line so lines of concurrent processes stay whole.
    public static let standardOutput = SupervisorOutput { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in Glibc.write(1, buf.baseAddress! + offset, buf.count - offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Formats foreman-style log lines: `12:04:05 gateway | text`, the prefix coloured on a terminal.
public struct LinePrefixer: Sendable {
    /// Width the names are padded to, so the `|` columns line up.
    public var nameWidth: Int
    /// Whether to colour prefixes with ANSI escapes (only when standard output is a terminal).
    public var colour: Bool

    public init(names: [String], colour: Bool) {
        self.nameWidth = max(names.map(\.count).max() ?? 0, "system".count)
        self.colour = colour
    }

    /// ANSI colours cycled through the processes; `system` lines are bold white.
    static let palette = ["36", "33", "32", "35", "34", "31", "96", "93", "92", "95"]

    /// One finished output line for `name` (index selects the colour; nil is the supervisor itself).
    public func line(_ text: some StringProtocol, name: String, colourIndex: Int?, epochSeconds: Int) -> String {
        let padded = name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        let prefix = "\(Self.clockTime(epochSeconds)) \(padded) |"
        guard colour else { return "\(prefix) \(text)\n" }
        let code = colourIndex.map { Self.palette[$0 % Self.palette.count] } ?? "1;37"
        return "\u{1B}[\(code)m\(prefix)\u{1B}[0m \(text)\n"
    }

    /// `HH:MM:SS` in the local time zone (the `TZ` environment variable), as foreman prints it.
    static func clockTime(_ epochSeconds: Int) -> String {
        var t = time_t(epochSeconds)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
