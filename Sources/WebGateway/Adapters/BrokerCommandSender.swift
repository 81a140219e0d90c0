import Domain
import Logging
import SpoolBroker
import HTTPServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The production `CommandSending`: a `command` envelope on the `commands` queue, answered by the
/// ticket worker with a `command_reply` carrying a `CommandReply`.
///
/// Why a port adapter: the gateway only knows "send, wait up to a deadline"; how that maps onto
/// the broker (durable send, reply queue, correlation id) lives here and nowhere else.
public struct BrokerCommandSender: CommandSending {
    /// Envelope type of a command on `commands` (the ticket worker's `TicketWorkerMessageType.command`).
    public static let commandType = "command"
    /// Envelope type of the worker's answer (`TicketWorkerMessageType.commandReply`).
    public static let replyType = "command_reply"

    let client: RequestClient
    let clock: any WallClock
    let logger: Logger

    /// Sends through the process's one `RequestClient`; with its `groupCommit` option, commands
    /// that arrive together share one write and one fsync.
    public init(client: RequestClient, clock: any WallClock = SystemClock(), logger: Logger = Logger(component: "gateway")) {
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    /// Sends durably, then waits: a timeout means "queued" because the command IS on disk.
    public func send(_ command: Command, timeout: Duration) async -> CommandOutcome {
        let envelope: Envelope
        do {
            envelope = try Envelope(type: Self.commandType, body: command, sentAt: clock.now())
        } catch {
            return .unavailable(reason: "the command could not be encoded")
        }
        let reply: Envelope
        do {
            reply = try await client.request(envelope, to: .commands, timeout: timeout)
        } catch {
            switch error {
            case .timedOut, .cancelled: return .queued
            case .sendFailed(let brokerError): return .unavailable(reason: Self.humanReason(brokerError))
            }
        }
        guard reply.type == Self.replyType, let body = try? reply.decodeBody(CommandReply.self) else {
            // The command was applied or refused, but its answer is unreadable: the change is on the
            // queue's far side, so say "queued" (the page tells the visitor to look again), never "failed".
            logger.error("unreadable command reply", ["reply.type": String(reply.type.prefix(40)), "command.id": command.id.rawValue])
            return .queued
        }
        return .replied(body)
    }

    /// A sentence for operators and logs: disk full, spool missing, permissions; never a raw path alone.
    public static func humanReason(_ error: SpoolError) -> String {
        switch (error.kind, error.errno) {
        case (.io, ENOSPC), (.io, EDQUOT): "the spool disk is full (\(error.operation))"
        case (.io, EROFS): "the spool disk is read-only (\(error.operation))"
        case (.io, EACCES), (.io, EPERM): "no permission to write the spool (\(error.operation))"
        case (.io, EIO): "the spool disk reported an I/O error (\(error.operation))"
        case (.notFound, _): "the spool directory is missing (\(error.operation))"
        case (.tooLarge, _): "the command is too large for the queue"
        default: error.description
        }
    }
}
