import Domain
import SpoolBroker
import HTTPServer
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The gateway's one line per request, in the `Logger` format, written in batches.
///
/// Why not `Logger` directly: one write(2) per request plus Foundation string formatting was
/// about 5 % of a page's cost. Lines are built as bytes and appended to a buffer that is written
/// with one write(2) when it passes 16 KiB, every 50 ms from a timer, and by ``flush()`` (call it
/// on shutdown). Each write holds whole lines, so lines from other loggers never interleave
/// inside one; a crash loses at most the last 50 ms of request lines (the requests themselves
/// are unaffected: request lines are a record, not the durability of any change).
///
/// Safe because (for `@unchecked Sendable`): the only mutable state is the buffer, in a `Mutex`;
/// `timer` is never reassigned and libdispatch sources are thread-safe (Dispatch does not mark
/// its source protocols `Sendable`, which is all the compiler objects to).
public final class RequestLog: @unchecked Sendable {
    private let component: [UInt8]
    private let fd: Int32
    private let clock: any WallClock
    private let buffer = Mutex<[UInt8]>([])
    private let timer: any DispatchSourceTimer
    private static let flushBytes = 16 * 1024

    /// - Parameters:
    ///   - component: the logger component shown on each line (`gateway`).
    ///   - fd: where lines go; stderr by default.
    public init(component: String, fd: Int32 = 2, clock: any WallClock = SystemClock(), interval: Duration = .milliseconds(50)) {
        self.component = Array(component.utf8)
        self.fd = fd
        self.clock = clock
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        let ms = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        timer.schedule(deadline: .now() + .milliseconds(ms), repeating: .milliseconds(max(1, ms)))
        self.timer = timer
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
    }

    deinit {
        timer.cancel()
        flush()
    }

    /// Records one request: `ts info gateway: request http.method=… http.path=… http.status=… duration_ms=…`.
    public func request(method: String, path: String, status: Int, duration: Duration) {
        var line: [UInt8] = []
        line.reserveCapacity(96 + path.utf8.count)
        CampusTime.appendISO8601(clock.now().millisecondsSinceEpoch, to: &line)
        line.append(0x20)
        line.append(contentsOf: "info ".utf8)
        line.append(contentsOf: component)
        line.append(contentsOf: ": request http.method=".utf8)
        Self.appendValue(String(method.prefix(16)), to: &line)
        line.append(contentsOf: " http.path=".utf8)
        Self.appendValue(String(path.prefix(200)), to: &line)
        line.append(contentsOf: " http.status=".utf8)
        CampusTime.appendDecimal(Int64(status), to: &line)
        line.append(contentsOf: " duration_ms=".utf8)
        let hundredths = Self.hundredthsOfAMillisecond(duration)
        CampusTime.appendDecimal(hundredths / 100, to: &line)
        line.append(0x2E)
        CampusTime.appendPadded(hundredths % 100, width: 2, to: &line)
        line.append(0x0A)
        let full = buffer.withLock { b -> [UInt8]? in
            b.append(contentsOf: line)
            guard b.count >= Self.flushBytes else { return nil }
            // Not `removeAll(keepingCapacity:)`: the returned value shares the buffer, so that would
            // allocate a new one of the old capacity, which malloc's rounding can grow flush after flush.
            defer { b = [] }
            return b
        }
        if let full { write(full) }
    }

    /// Hundredths of a millisecond, rounded, as `%.2f` printed them. Seconds and attoseconds are
    /// scaled apart: seconds × 10^18 in one Int64 overflowed (a trap that ended the gateway) for any
    /// request of 9.3 s or more, as a slow search at 100,000 tickets took (issue 22's scaling table).
    static func hundredthsOfAMillisecond(_ duration: Duration) -> Int64 {
        let c = duration.components
        let (seconds, overflow) = c.seconds.multipliedReportingOverflow(by: 100_000)
        guard !overflow else { return c.seconds < 0 ? 0 : .max / 2 }
        return seconds + (c.attoseconds + 5_000_000_000_000) / 10_000_000_000_000
    }

    /// Writes whatever is buffered now.
    public func flush() {
        let pending = buffer.withLock { b -> [UInt8] in
            defer { b = [] }
            return b
        }
        if !pending.isEmpty { write(pending) }
    }

    /// Stops the timer and writes the rest; the log keeps working, flushed by size only.
    public func close() {
        timer.cancel()
        flush()
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// `Logger.quoted`'s rule on bytes: newlines become `\n`; values with space, quote or `=`,
    /// or empty ones, are quoted with inner quotes escaped.
    static func appendValue(_ value: String, to out: inout [UInt8]) {
        let bytes = Array(value.utf8)
        let needsQuotes = bytes.isEmpty || bytes.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D }
        if needsQuotes { out.append(0x22) }
        for b in bytes {
            switch b {
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x22 where needsQuotes: out.append(0x5C); out.append(0x22)
            default: out.append(b)
            }
        }
        if needsQuotes { out.append(0x22) }
    }
}
