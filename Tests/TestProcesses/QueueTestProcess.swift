import Foundation
import Domain
import Logging
import SpoolBroker
import NATSBroker
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-test-process queue-consumer` / `queue-send`: real processes for the broker's crash tests.
///
/// The consumer records each message id in an effects file (one `write(2)` per line with
/// O_APPEND, so a SIGKILL never leaves half a line) and acks afterwards; a kill between the
/// two gives a duplicate line, which is exactly the at-least-once the test then deduplicates.
enum QueueTestProcess {
    /// `queue-consumer --spool DIR --queue Q --effects FILE [--exclusive DIR] [--idle-exit MS] [--batch N]`.
    ///
    /// With `--nats URL` (and `--lease-ms MS`) it consumes the queue on NATS JetStream instead of
    /// the spool, and with `--record-acks 1` writes `acked <id>` after each ack returned.
    ///
    /// With `--exclusive`, a marker file per message id is created with O_EXCL while the
    /// message is held; finding one already there means two consumers held it at once and is
    /// recorded as `VIOLATION <id>`.
    static func consume(_ args: [String]) -> Int32 {
        let opts = options(args)
        guard let root = opts["--spool"] ?? opts["--nats"], let queueRaw = opts["--queue"], let effectsPath = opts["--effects"],
              let name = try? QueueName(queueRaw) else {
            FileHandle.standardError.write(Data("usage: campusdesk-test-process queue-consumer --spool DIR --queue Q --effects FILE\n".utf8))
            return 64
        }
        let idleExitMs = opts["--idle-exit"].flatMap { Int64($0) }
        let batch = opts["--batch"].flatMap { Int($0) } ?? 16
        let exclusive = opts["--exclusive"]
        do {
            var limits = SpoolLimits()
            limits.recoveryInterval = .milliseconds(200)
            var logger = Logger(component: "test-consumer")
            logger.minimumLevel = .error
            let q: any MessageConsumer
            if let url = opts["--nats"] {
                var configuration = try NATSBrokerConfiguration(url: url, name: "test-consumer")
                if let ms = opts["--lease-ms"].flatMap({ Int64($0) }) { configuration.lease = .milliseconds(ms) }
                q = try NATSMessageBroker(configuration: configuration).consumer(of: name)
            } else {
                q = try Spool(root: root, limits: limits, logger: logger).queue(name)
            }
            let recordAcks = opts["--record-acks"] == "1"
            let effects = open(effectsPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard effects >= 0 else { throw SpoolError.posix("open", path: effectsPath) }
            var idleSince = ContinuousClock.now
            while true {
                let got = try q.claim(max: batch)
                if got.isEmpty {
                    if let idleExitMs, idleSince.duration(to: .now) >= .milliseconds(idleExitMs) { return 0 }
                    _ = q.waitForMessages(timeout: .milliseconds(100))
                    continue
                }
                idleSince = .now
                for d in got {
                    var marker: String?
                    if let exclusive {
                        let m = exclusive + "/" + d.envelope.id.rawValue
                        let fd = open(m, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                        if fd < 0 {
                            try appendLine(effects, Array("VIOLATION \(d.envelope.id)\n".utf8), path: effectsPath)
                        } else {
                            close(fd)
                            marker = m
                        }
                    }
                    try appendLine(effects, Array("\(d.envelope.id)\n".utf8), path: effectsPath)
                    if let marker { unlink(marker) }
                    try q.ack(d)
                    if recordAcks { try appendLine(effects, Array("acked \(d.envelope.id)\n".utf8), path: effectsPath) }
                }
            }
        } catch {
            FileHandle.standardError.write(Data("queue-consumer: \(error)\n".utf8))
            return 1
        }
    }

    /// `queue-send --spool DIR --queue Q --bytes N [--fsize-limit BYTES]`: one send, the error on stderr.
    ///
    /// `--fsize-limit` sets RLIMIT_FSIZE so the kernel fails the write with EFBIG — a real I/O
    /// error at send, in a process of its own so the limit touches nothing else.
    static func send(_ args: [String]) -> Int32 {
        let opts = options(args)
        guard let root = opts["--spool"], let queueRaw = opts["--queue"], let name = try? QueueName(queueRaw),
              let bytes = opts["--bytes"].flatMap({ Int($0) }) else {
            FileHandle.standardError.write(Data("usage: campusdesk-test-process queue-send --spool DIR --queue Q --bytes N [--fsize-limit B]\n".utf8))
            return 64
        }
        do {
            let q = try Spool(root: root).queue(name)
            if let limit = opts["--fsize-limit"].flatMap({ rlim_t($0) }) {
                signal(SIGXFSZ, SIG_IGN)
                var rl = rlimit(rlim_cur: limit, rlim_max: limit)
                guard setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &rl) == 0 else { throw SpoolError.posix("setrlimit", path: "-") }
            }
            let body = String(repeating: "x", count: bytes)
            try q.send(try Envelope(type: "test.bulk", body: ["text": body], sentAt: SystemClock().now()))
            return 0
        } catch {
            FileHandle.standardError.write(Data("queue-send: \(error)\n".utf8))
            return 1
        }
    }

    /// One `write(2)` of the whole line (O_APPEND), so a SIGKILL never leaves half a line.
    private static func appendLine(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SpoolError) {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw SpoolError.posix("write", path: path) }
    }

    private static func options(_ args: [String]) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i + 1 < args.count {
            out[args[i]] = args[i + 1]
            i += 2
        }
        return out
    }
}
