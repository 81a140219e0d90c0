import Foundation
import Domain
import SLAMonitor
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench sla-monitor [--timers N] [--dir D]`: the SLA monitor's timer set and state
/// file at N running timers (default 1,000,000: N/2 tickets with both timers running).
///
/// Measures, on the monitor's own code (no broker): events applied and timers scheduled per
/// second, replacements per second (a priority change on every ticket), transitions fired per
/// second (every timer's at risk then breached), commands encoded per second, resident memory
/// (VmRSS, after malloc_trim) before and at N timers, and the state file's save and load times.
enum BenchSLAMonitorCommand {
    static func run(_ args: [String]) async -> Int32 {
        var timers = 1_000_000
        var directory = NSTemporaryDirectory()
        var rest = args.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return usage() }
            switch flag {
            case "--timers": guard let n = Int(value), n >= 2 else { return usage() }; timers = n
            case "--dir": directory = value
            default: return usage()
            }
        }
        let tickets = timers / 2
        let start = Timestamp(millisecondsSinceEpoch: 1_772_355_600_000)
        let clock = ContinuousClock()
        trim()
        let rssBefore = residentBytes()
        print("SLA monitor timer set, \(tickets) tickets × 2 timers = \(tickets * 2) running timers")
        print("  RSS before:              \(mb(rssBefore))")

        // Tickets opened one per second; targets as the defaults' spread (15 min ... 5 days).
        let targets: [Int64] = [15, 60, 240, 480, 1_440, 7_200].map { $0 * 60_000 }
        func timer(_ opened: Int64, _ target: Int64) -> SLATimer {
            SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: opened + target * 3 / 4),
                                             due: Timestamp(millisecondsSinceEpoch: opened + target)))
        }
        func events(_ range: Range<Int>, seqOffset: Int, speedUp: Bool) -> [ChangeEvent] {
            range.map { i in
                let opened = start.millisecondsSinceEpoch + Int64(i) * 1_000
                var first = targets[i % 3], resolution = targets[3 + i % 3]
                if speedUp { first /= 2; resolution /= 2 }
                let facts = TicketFacts(category: .it, status: .open, openedAt: Timestamp(millisecondsSinceEpoch: opened), closedAt: nil,
                                        sla: TicketSLA(policyVersion: 1, firstResponse: timer(opened, first), resolution: timer(opened, resolution)))
                return ChangeEvent(seq: SequenceNumber(Int64(seqOffset + i + 1)), type: speedUp ? .ticketTriaged : .ticketOpened,
                                   ticketID: TicketID(Int64(i + 1)), occurredAt: Timestamp(millisecondsSinceEpoch: opened), before: nil, after: facts)
            }
        }

        var state = SLAMonitorState()
        var applyTime = Duration.zero
        for chunk in stride(from: 0, to: tickets, by: 10_000) {
            let batch = events(chunk..<min(chunk + 10_000, tickets), seqOffset: 0, speedUp: false)
            applyTime += clock.measure { state.apply(batch) }
        }
        trim()
        let rssAt = residentBytes()
        print("  schedule (apply events): \(rate(tickets * 2, applyTime)) timers/s (\(rate(tickets, applyTime)) events/s, \(applyTime))")
        print("  RSS at \(state.timers.count) timers:   \(mb(rssAt)) (+\(mb(rssAt - rssBefore)), \((rssAt - rssBefore) / max(1, state.timers.count)) bytes per timer)")

        let path = (directory as NSString).appendingPathComponent("bench-sla-monitor-\(getpid()).state")
        defer { unlink(path) }
        var saves: [Duration] = []
        var loaded = SLAMonitorState()
        var loads: [Duration] = []
        do {
            for _ in 0..<3 {
                let started = clock.now
                try SLAStateFile.save(state, to: path)
                saves.append(started.duration(to: clock.now))
            }
            for _ in 0..<3 {
                loaded = SLAMonitorState()
                let started = clock.now
                loaded = try SLAStateFile.load(from: path)
                loads.append(started.duration(to: clock.now))
            }
        } catch {
            FileHandle.standardError.write(Data("campusdesk-bench sla-monitor: \(error)\n".utf8))
            return 1
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("  save state file:         \(saves.sorted()[1]) median of 3 (\(mb(size)) on disk, tmp+fsync+rename+fsync dir)")
        guard loaded.timers.count == state.timers.count, loaded.lastSeq == state.lastSeq else {
            FileHandle.standardError.write(Data("campusdesk-bench sla-monitor: the loaded state differs\n".utf8))
            return 1
        }
        print("  load state file:         \(loads.sorted()[1]) median of 3")
        loaded = SLAMonitorState()

        // Every ticket's priority changes: each timer's entry is replaced in place.
        var replaceTime = Duration.zero
        for chunk in stride(from: 0, to: tickets, by: 10_000) {
            let batch = events(chunk..<min(chunk + 10_000, tickets), seqOffset: tickets, speedUp: true)
            replaceTime += clock.measure { state.apply(batch) }
        }
        print("  replace (priority change): \(rate(tickets * 2, replaceTime)) timers/s")

        let encoder = JSONEncoder()
        let sample = Array(state.timers.entries.prefix(100_000))
        var bytes = 0
        let encodeTime = clock.measure {
            for t in sample { bytes += (try? encoder.encode(SLAMonitor.command(for: t)))?.count ?? 0 }
        }
        print("  encode commands:         \(rate(sample.count, encodeTime)) commands/s (\(bytes / max(1, sample.count)) bytes each)")

        var fired = 0
        let far = Timestamp(millisecondsSinceEpoch: Int64.max / 2)
        let fireTime = clock.measure {
            while true {
                let taken = state.takeDue(now: far, max: 500)
                if taken.isEmpty { break }
                fired += taken.count
            }
        }
        print("  fire (take due, in order): \(rate(fired, fireTime)) transitions/s (\(fired) transitions)")
        var status = rusage()
        getrusage(RUSAGE_SELF.rawValue, &status)
        print("  peak RSS (VmHWM):        \(mb(peakBytes())); CPU \(status.ru_utime.tv_sec + status.ru_stime.tv_sec) s")
        return 0
    }

    static func usage() -> Int32 {
        FileHandle.standardError.write(Data("usage: campusdesk-bench sla-monitor [--timers N] [--dir DIR]\n".utf8))
        return 64
    }

    static func rate(_ n: Int, _ d: Duration) -> String {
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return String(Int(Double(n) / max(seconds, 1e-9)))
    }

    static func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

    /// glibc's `malloc_trim` (not in Glibc's Swift module), so RSS counts live memory, not freed event batches.
    static func trim() {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
    }

    static func residentBytes() -> Int { statusField("VmRSS:") }
    static func peakBytes() -> Int { statusField("VmHWM:") }

    /// A `kB` field of /proc/self/status, in bytes.
    static func statusField(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }
}
