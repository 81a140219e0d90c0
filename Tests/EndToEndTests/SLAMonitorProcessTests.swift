import Foundation
import Testing
import TestSupport
import Domain
import Logging
@testable import SpoolBroker
import SLAMonitor
#if canImport(Glibc)
import Glibc
#endif

/// The real `campusdesk sla-monitor` on a spool: events in, `record_sla_transition` commands out,
/// killed with SIGKILL in the middle and restarted without losing a transition.
extension SystemTests {
    @Suite("SLA monitor process", .serialized)
    struct SLAMonitorProcessTests {
        static func start(_ dir: TemporaryDirectory) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BuiltProduct.path("campusdesk"))
            p.arguments = ["sla-monitor"]
            p.environment = ["CAMPUSDESK_SPOOL": dir.path("spool"), "CAMPUSDESK_DATA": dir.path("data"), "CAMPUSDESK_TZ": "UTC"]
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            return p
        }

        @Test("kill -9 while sending, restart: every transition is sent, resends carry the same command id")
        func killAndRestart() async throws {
            let dir = try TemporaryDirectory("sla-monitor-process")
            defer { dir.remove() }
            let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
            let commands = try spool.queue(.commands)
            // Tickets opened two days ago (by the real clock): every transition is already due.
            let opened = SystemClock().now().adding(milliseconds: -2 * 86_400_000)
            func timer(_ minutes: Int64) -> SLATimer {
                SLATimer(deadlines: SLADeadlines(atRisk: opened.adding(milliseconds: minutes * 45_000), due: opened.adding(milliseconds: minutes * 60_000)))
            }
            let tickets = 300
            var events: [ChangeEvent] = []
            for i in 1...Int64(tickets) {
                let sla = TicketSLA(policyVersion: 1, firstResponse: timer(i % 50 + 10), resolution: timer(i % 50 + 600))
                let facts = TicketFacts(category: .it, status: .open, openedAt: opened, closedAt: nil, sla: sla)
                events.append(ChangeEvent(seq: SequenceNumber(i), type: .ticketOpened, ticketID: TicketID(i), occurredAt: opened, before: nil, after: facts))
            }
            var expected = Set<String>()
            for e in events {
                for kind in SLATimerKind.allCases {
                    let t = e.after.sla![kind]
                    expected.insert("sla-\(e.ticketID)-\(kind.rawValue)-at_risk-\(t.deadlines.atRisk.millisecondsSinceEpoch)")
                    expected.insert("sla-\(e.ticketID)-\(kind.rawValue)-breached-\(t.deadlines.due.millisecondsSinceEpoch)")
                }
            }
            var seen: [String] = []
            var replays = 0
            func drain() throws {
                for d in try commands.claim(max: 1_000) {
                    if d.envelope.type == TicketWorkerMessageType.command {
                        let c = try d.envelope.decodeBody(Command.self)
                        guard case .recordSLATransition(let t) = c.action else { Issue.record("not an SLA command"); continue }
                        // The id is derived from the transition, so a resend is recognisable as one.
                        #expect(c.id.rawValue == "sla-\(t.ticketID)-\(t.timer.rawValue)-\(t.state.rawValue)-\(t.at.millisecondsSinceEpoch)")
                        #expect(c.channel == .sla)
                        seen.append(c.id.rawValue)
                    } else {
                        replays += 1
                    }
                    try commands.ack(d)
                }
            }
            func envelopes(_ range: Range<Int>) throws -> [Envelope] {
                try events[range].map { try Envelope(type: TicketWorkerMessageType.changeEvent, body: $0, sentAt: $0.occurredAt) }
            }

            var process = try Self.start(dir)
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            // A fresh monitor asks for everything; its queue is bound by then.
            try await eventually("a replay request") { try drain(); return replays > 0 }
            try spool.exchange(.events).publish(try envelopes(0..<150))
            try await eventually("a first transition sent") { try drain(); return !seen.isEmpty }
            kill(process.processIdentifier, SIGKILL)
            try await process.waitForExit()
            #expect(process.terminationReason == .uncaughtSignal)

            // Events published while it is down wait in its queue.
            try spool.exchange(.events).publish(try envelopes(150..<tickets))
            process = try Self.start(dir)
            try await eventually("every transition sent", within: .seconds(60)) { lastSeen in
                try drain()
                lastSeen = "\(Set(seen).count) of \(expected.count) (\(seen.count) with resends)"
                return Set(seen) == expected
            }
            #expect(Set(seen).isSubset(of: expected))

            // A graceful stop saves the state: every event applied, no timer left running.
            kill(process.processIdentifier, SIGTERM)
            try await process.waitForExit()
            #expect(process.terminationStatus == 0)
            let state = try SLAStateFile.load(from: SLAStateFile.path(inDataDirectory: dir.path("data")))
            #expect(state.lastSeq == SequenceNumber(Int64(tickets)))
            #expect(state.timers.isEmpty)
        }
    }
}
