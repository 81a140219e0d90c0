import Foundation
import Testing
import Domain
@testable import SLAMonitor

/// Builders for change events carrying SLA timers, at minutes from a fixed start.
enum SLAEvents {
    static let start = Timestamp(millisecondsSinceEpoch: 1_772_355_600_000)
    static func at(minutes: Int64) -> Timestamp { start.adding(milliseconds: minutes * 60_000) }

    /// A timer whose target is `target` minutes from the start (at risk at 75 %).
    static func timer(target: Int64, recorded: SLAState = .onTrack, metAt: Int64? = nil) -> SLATimer {
        SLATimer(deadlines: SLADeadlines(atRisk: at(minutes: target * 3 / 4), due: at(minutes: target)),
                 metAt: metAt.map { at(minutes: $0) }, recorded: recorded)
    }

    static func event(_ seq: Int64, ticket: Int64, firstResponse: SLATimer, resolution: SLATimer, status: Status = .open) -> ChangeEvent {
        let facts = TicketFacts(category: .it, status: status, openedAt: start, closedAt: nil,
                                sla: TicketSLA(policyVersion: 1, firstResponse: firstResponse, resolution: resolution))
        return ChangeEvent(seq: SequenceNumber(seq), type: seq == 1 ? .ticketOpened : .ticketEdited, ticketID: TicketID(ticket),
                           occurredAt: start, before: nil, after: facts)
    }

    /// A ticket with a 60-minute first response and a 240-minute resolution, both on track.
    static func opened(_ seq: Int64, ticket: Int64) -> ChangeEvent {
        event(seq, ticket: ticket, firstResponse: timer(target: 60), resolution: timer(target: 240))
    }
}

/// What the transitions taken say, in a form easy to compare.
func described(_ taken: [PendingTransition]) -> [String] {
    taken.map { "\($0.key.ticket) \($0.key.kind.rawValue) \($0.state.rawValue) +\(($0.instant - SLAEvents.start.millisecondsSinceEpoch) / 60_000)m" }
}

@Suite struct SLAMonitorStateTests {
    @Test("each transition falls due at its instant, once, in order; met and breached timers leave the heap")
    func lifecycle() {
        var state = SLAMonitorState()
        #expect(state.apply([SLAEvents.opened(1, ticket: 7)]).applied == 1)
        #expect(state.timers.count == 2)
        #expect(state.takeDue(now: SLAEvents.at(minutes: 44)).isEmpty)
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 45))) == ["7 first_response at_risk +45m"])
        #expect(state.takeDue(now: SLAEvents.at(minutes: 45)).isEmpty)
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 60))) == ["7 first_response breached +60m"])
        #expect(state.timers.count == 1)
        // The worker records the breach (the event says so) and a staff reply meets nothing more.
        let recorded = SLAEvents.event(2, ticket: 7, firstResponse: SLAEvents.timer(target: 60, recorded: .breached, metAt: 70),
                                       resolution: SLAEvents.timer(target: 240))
        state.apply([recorded])
        // Closed before at risk: nothing is pending, nothing is ever sent for the resolution.
        let closed = SLAEvents.event(3, ticket: 7, firstResponse: SLAEvents.timer(target: 60, recorded: .breached, metAt: 70),
                                     resolution: SLAEvents.timer(target: 240, metAt: 100), status: .closed)
        state.apply([closed])
        #expect(state.timers.isEmpty)
        #expect(state.takeDue(now: SLAEvents.at(minutes: 10_000)).isEmpty)
        #expect(state.lastSeq == SequenceNumber(3))
    }

    @Test("an event for a ticket whose instants passed long ago makes both transitions due at once, with their true instants, at risk first")
    func passedTransitions() {
        var state = SLAMonitorState()
        state.apply([SLAEvents.opened(1, ticket: 3), SLAEvents.opened(2, ticket: 4)])
        let due = state.takeDue(now: SLAEvents.at(minutes: 5_000))
        #expect(described(due) == [
            "3 first_response at_risk +45m", "4 first_response at_risk +45m",
            "3 first_response breached +60m", "4 first_response breached +60m",
            "3 resolution at_risk +180m", "4 resolution at_risk +180m",
            "3 resolution breached +240m", "4 resolution breached +240m",
        ])
        #expect(state.timers.isEmpty)
        // A timer the worker already recorded as at risk only waits for the breach.
        state.apply([SLAEvents.event(3, ticket: 5, firstResponse: SLAEvents.timer(target: 60, recorded: .atRisk), resolution: SLAEvents.timer(target: 240, recorded: .breached))])
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 5_000))) == ["5 first_response breached +60m"])
    }

    @Test("the wall clock jumping back fires nothing early; jumping forward fires what fell due with the true instants")
    func clockJumps() {
        var state = SLAMonitorState()
        state.apply([SLAEvents.opened(1, ticket: 9)])
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 50))) == ["9 first_response at_risk +45m"])
        // Back two hours: nothing is due, and what was sent is not sent again.
        #expect(state.takeDue(now: SLAEvents.at(minutes: -70)).isEmpty)
        #expect(state.takeDue(now: SLAEvents.at(minutes: 59)).isEmpty)
        // Forward a day: every remaining transition, each with the instant it crossed.
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 1_500))) == [
            "9 first_response breached +60m", "9 resolution at_risk +180m", "9 resolution breached +240m"])
    }

    @Test("a priority change replaces the instants; redelivered and old events are skipped; a gap stops the batch")
    func replacementDuplicatesGaps() {
        var state = SLAMonitorState()
        state.apply([SLAEvents.opened(1, ticket: 1)])
        // P3 → P1: the targets shrink to 20 and 100 minutes.
        let faster = SLAEvents.event(2, ticket: 1, firstResponse: SLAEvents.timer(target: 20), resolution: SLAEvents.timer(target: 100))
        var outcome = state.apply([faster, SLAEvents.opened(1, ticket: 1)])
        #expect(outcome.applied == 1 && outcome.duplicates == 1 && outcome.gapAt == nil)
        // The old event 1 again (a replay overlapping live events) changes nothing.
        outcome = state.apply([SLAEvents.opened(1, ticket: 1), faster])
        #expect(outcome.applied == 0 && outcome.duplicates == 2)
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 20))) == ["1 first_response at_risk +15m", "1 first_response breached +20m"])
        // Event 4 without 3: nothing from 4 on is applied.
        outcome = state.apply([SLAEvents.opened(4, ticket: 2), SLAEvents.opened(5, ticket: 3)])
        #expect(outcome.applied == 0 && outcome.gapAt == SequenceNumber(3))
        #expect(state.lastSeq == SequenceNumber(2) && state.timers.entry(for: TimerKey(ticket: TicketID(2), kind: .resolution)) == nil)
        // An event without SLA timers (an old ticket) removes the ticket's timers.
        let bare = ChangeEvent(seq: SequenceNumber(3), type: .ticketEdited, ticketID: TicketID(1), occurredAt: SLAEvents.start, before: nil,
                               after: TicketFacts(category: .it, status: .open, openedAt: SLAEvents.start, closedAt: nil))
        state.apply([bare])
        #expect(state.timers.isEmpty)
    }

    @Test("a batch that could not be sent is put back as it was")
    func putBack() {
        var state = SLAMonitorState()
        state.apply([SLAEvents.opened(1, ticket: 1), SLAEvents.opened(2, ticket: 2)])
        let before = state.timers.entries.sorted { $0.tag < $1.tag }
        let taken = state.takeDue(now: SLAEvents.at(minutes: 200))
        #expect(taken.count == 6)
        state.putBack(taken)
        #expect(state.timers.entries.sorted { $0.tag < $1.tag } == before)
        #expect(described(state.takeDue(now: SLAEvents.at(minutes: 200), max: 1)) == ["1 first_response at_risk +45m"])
    }
}

@Suite struct SLACommandTests {
    @Test("the monitor's command is record_sla_transition on the wire, with a stable id, and reads back equal")
    func wireForm() throws {
        let entry = PendingTransition(instant: 1_772_355_600_000, due: 1_772_356_000_000, tag: TimerKey(ticket: TicketID(42), kind: .firstResponse).rawValue << 1)
        let command = SLAMonitor.command(for: entry)
        #expect(command.id == CommandID("sla-42-first_response-at_risk-1772355600000"))
        #expect(SLAMonitor.command(for: entry).id == command.id)
        #expect(command.channel == .sla && command.actorName == SLAMonitor.actorName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let action = String(decoding: try encoder.encode(command.action), as: UTF8.self)
        #expect(action == #"{"at":"2026-03-01T09:00:00.000Z","state":"at_risk","ticket_id":42,"timer":"first_response","type":"record_sla_transition"}"#)
        #expect(try JSONDecoder().decode(Command.self, from: encoder.encode(command)) == command)
    }
}
