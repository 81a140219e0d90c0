import Foundation
import Synchronization
import SpoolBroker
#if canImport(Glibc)
import Glibc
#endif

/// The text of a progress indicator: pure, so its look is tested without a terminal.
///
/// `bar` is for a terminal (redrawn in place), `line` for logs and pipes (one line per report).
public struct ProgressBar: Sendable, Equatable {
    /// What is being counted, shown first (e.g. "importing").
    public var label: String
    public var total: Int
    /// Cells of the bar between the brackets.
    public var width: Int

    public init(label: String, total: Int, width: Int = 30) {
        self.label = label
        self.total = total
        self.width = max(1, width)
    }

    /// `importing [###########.........]  1,234/3,000  41%  812/s` (no line ending).
    public func bar(done: Int, elapsed: Duration) -> String {
        let filled = total > 0 ? min(width, done * width / total) : width
        let cells = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(label) [\(cells)] \(counts(done: done, elapsed: elapsed))"
    }

    /// `importing: 1,234/3,000  41%  812/s` (no line ending).
    public func line(done: Int, elapsed: Duration) -> String {
        "\(label): \(counts(done: done, elapsed: elapsed))"
    }

    private func counts(done: Int, elapsed: Duration) -> String {
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        var text = "\(Self.grouped(done))/\(Self.grouped(total))  \(percent)%"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds >= 0.5 { text += "  \(Self.grouped(Int((Double(done) / seconds).rounded())))/s" }
        return text
    }

    /// 1234567 → "1,234,567" (fixed separator: output must not depend on the locale).
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}

/// Shows a `ProgressBar` while work runs: redrawn in place on a terminal, plain periodic lines otherwise.
///
/// The edge of the progress helper: whether the output is a terminal is decided once, in `init`
/// (`isatty`), and output goes through `write`, so tests capture it. Thread-safe: the command
/// client reports from its own thread.
public final class ProgressDisplay: Sendable {
    public let bar: ProgressBar
    public let isTerminal: Bool
    private let interval: Duration
    private let write: @Sendable (String) -> Void
    private let start: ContinuousClock.Instant
    private let state = Mutex<State>(State())

    private struct State {
        var lastShown: ContinuousClock.Instant?
        var finished = false
    }

    /// - Parameters:
    ///   - isTerminal: defaults to `isatty(2)` (progress goes to stderr: stdout is for data).
    ///   - interval: least time between two outputs; defaults to 0.1 s on a terminal, 5 s in logs.
    ///   - write: where text goes; defaults to stderr.
    public init(label: String, total: Int, isTerminal: Bool = isatty(2) == 1, interval: Duration? = nil,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        bar = ProgressBar(label: label, total: total)
        self.isTerminal = isTerminal
        self.interval = interval ?? (isTerminal ? .milliseconds(100) : .seconds(5))
        self.write = write
        start = ContinuousClock().now
    }

    /// Shows `done` if the interval since the last output has passed.
    public func update(done: Int) {
        let now = ContinuousClock().now
        let show = state.withLock { s -> Bool in
            guard !s.finished else { return false }
            if let last = s.lastShown, last.duration(to: now) < interval { return false }
            s.lastShown = now
            return true
        }
        if show { emit(done: done, final: false, at: now) }
    }

    /// Shows the final count and ends the line; later updates are ignored.
    public func finish(done: Int) {
        let first = state.withLock { s -> Bool in
            defer { s.finished = true }
            return !s.finished
        }
        if first { emit(done: done, final: true, at: ContinuousClock().now) }
    }

    private func emit(done: Int, final: Bool, at now: ContinuousClock.Instant) {
        let elapsed = start.duration(to: now)
        if isTerminal {
            // \r back to column 0, then clear to end of line (ANSI EL) so a shorter text leaves no tail.
            write("\r" + bar.bar(done: done, elapsed: elapsed) + "\u{1B}[K" + (final ? "\n" : ""))
        } else {
            write(bar.line(done: done, elapsed: elapsed) + "\n")
        }
    }
}
