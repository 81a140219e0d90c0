import Foundation
import Testing
import TestSupport
import Domain
import Logging
@testable import SpoolBroker
@testable import SLAMonitor

/// A replay request's body (`ReplayRequest` of Analytics, which this target does not import).
struct Replay: Decodable, Equatable {
    var from: Int64
    var queue: String
}

/// Claims everything on `commands`: the SLA commands in order, and the replay requests.
func drainCommands(_ commands: SpoolQueue) throws -> (sla: [Command], replays: [Replay]) {
    var sla: [Command] = [], replays: [Replay] = []
    for d in try commands.claim(max: 1_000) {
        if d.envelope.type == TicketWorkerMessageType.command {
            let command = try d.envelope.decodeBody(Command.self)
            #expect(d.envelope.id.rawValue == command.id.rawValue)
            sla.append(command)
        } else {
            #expect(d.envelope.type == "replay_request")
            replays.append(try d.envelope.decodeBody(Replay.self))
        }
        try commands.ack(d)
    }
    return (sla, replays)
}

/// `ticket timer state +minutes` of each SLA command, checking its id is the one derived from those.
func described(_ commands: [Command]) -> [String] {
    commands.map { c in
        guard case .recordSLATransition(let t) = c.action else { return "not an SLA command: \(c.action.type)" }
        let id = "sla-\(t.ticketID)-\(t.timer.rawValue)-\(t.state.rawValue)-\(t.at.millisecondsSinceEpoch)"
        let minutes = (t.at.millisecondsSinceEpoch - SLAEvents.start.millisecondsSinceEpoch) / 60_000
        return "\(t.ticketID) \(t.timer.rawValue) \(t.state.rawValue) +\(minutes)m" + (c.id.rawValue == id && c.channel == .sla ? "" : " (id \(c.id))")
    }
}

/// The monitor loop runs on threads of its own: it blocks in the spool's wait.
@Suite(.onDedicatedThreads) struct SLAMonitorTests {
    func envelope(_ event: ChangeEvent) throws -> Envelope {
        try Envelope(type: TicketWorkerMessageType.changeEvent, body: event, sentAt: event.occurredAt)
    }

    @Test("the monitor follows events from its queue and sends each transition once, at its instant, across clock jumps and a restart")
    func monitorOverRealSpool() async throws {
        let dir = try TemporaryDirectory("sla-monitor")
        defer { dir.remove() }
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let clock = TestClock(SLAEvents.at(minutes: 0))
        var settings = SLAMonitor.Settings()
        settings.maxWait = .milliseconds(20)
        settings.saveInterval = .zero
        let statePath = SLAStateFile.path(inDataDirectory: dir.path)
        let logger = Logger(component: "test", minimumLevel: .error)
        let monitor = try SLAMonitor(broker: SpoolMessageBroker(spool: spool), statePath: statePath, clock: clock, logger: logger, settings: settings)
        #expect(try spool.exchange(.events).bindings().contains(SLAMonitor.eventQueue))
        let commands = try spool.queue(.commands)
        let stop = StopFlag()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await monitor.run(shouldStop: { stop.isSet }) }
            defer { stop.set() }
            // A fresh state asks for every event from seq 1.
            var replays: [Replay] = []
            try await eventually("a replay request") { replays += try drainCommands(commands).replays; return !replays.isEmpty }
            #expect(replays == [Replay(from: 1, queue: "events.sla-monitor")])

            // Ticket 1 opened 50 minutes ago is already at risk (event arriving late); ticket 2 not yet.
            clock.set(SLAEvents.at(minutes: 50))
            let late = SLAEvents.opened(1, ticket: 1)
            let fresh = SLAEvents.event(2, ticket: 2, firstResponse: SLAEvents.timer(target: 120), resolution: SLAEvents.timer(target: 1_800))
            try spool.exchange(.events).publish([try envelope(late), try envelope(fresh)])
            var sent: [Command] = []
            try await eventually("ticket 1's at-risk command") { sent += try drainCommands(commands).sla; return !sent.isEmpty }
            #expect(described(sent) == ["1 first_response at_risk +45m"])

            // The clock jumps back two hours; event 3 (ticket 1's first response met at 55) and a
            // redelivered event 2 arrive. Once the monitor has applied them, nothing was sent.
            clock.set(SLAEvents.at(minutes: -70))
            let met = SLAEvents.event(3, ticket: 1, firstResponse: SLAEvents.timer(target: 60, recorded: .atRisk, metAt: 55), resolution: SLAEvents.timer(target: 240))
            try spool.exchange(.events).publish([try envelope(fresh), try envelope(met)])
            try await eventually("seq 3 applied") { await monitor.lastSeq == SequenceNumber(3) }
            #expect(try drainCommands(commands).sla.isEmpty)
            #expect(await monitor.sent == 1)

            // Forward by a day: every remaining transition, with the instant it crossed, in order.
            clock.set(SLAEvents.at(minutes: 1_440))
            sent = []
            try await eventually("five more commands") { lastSeen in sent += try drainCommands(commands).sla; lastSeen = "\(sent.count)"; return sent.count >= 5 }
            #expect(described(sent) == [
                "2 first_response at_risk +90m", "2 first_response breached +120m", "1 resolution at_risk +180m",
                "1 resolution breached +240m", "2 resolution at_risk +1350m"])
            #expect(await monitor.runningTimers == 1)
            stop.set()
            try await group.waitForAll()
        }

        // A restart on the saved state resends nothing and asks for no replay; later instants still fire.
        let restarted = try SLAMonitor(broker: SpoolMessageBroker(spool: spool), statePath: statePath, clock: clock, logger: logger, settings: settings)
        #expect(await restarted.lastSeq == SequenceNumber(3))
        #expect(await restarted.runningTimers == 1)
        clock.set(SLAEvents.at(minutes: 2_000))
        let stop2 = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await restarted.run(shouldStop: { stop2.isSet }) }
            defer { stop2.set() }
            var sent: [Command] = [], replays: [Replay] = []
            try await eventually("ticket 2's breach") { let d = try drainCommands(commands); sent += d.sla; replays += d.replays; return !sent.isEmpty }
            #expect(described(sent) == ["2 resolution breached +1800m"])
            #expect(replays.isEmpty)
            stop2.set()
            try await group.waitForAll()
        }
        #expect(try SLAStateFile.load(from: statePath).timers.isEmpty)
    }

    @Test("a damaged state file is moved aside and rebuilt by a full replay")
    func damagedStateFile() async throws {
        let dir = try TemporaryDirectory("sla-monitor")
        defer { dir.remove() }
        let statePath = SLAStateFile.path(inDataDirectory: dir.path)
        try Data("garbage garbage garbage garbage garbage garbage".utf8).write(to: URL(fileURLWithPath: statePath))
        let spool = try Spool(root: dir.path("spool"), logger: Logger(component: "spool", minimumLevel: .error))
        let monitor = try SLAMonitor(broker: SpoolMessageBroker(spool: spool), statePath: statePath, clock: TestClock(),
                                     logger: Logger(component: "test", minimumLevel: .error))
        #expect(await monitor.lastSeq == .zero)
        #expect(FileManager.default.fileExists(atPath: statePath + ".damaged"))
    }
}
