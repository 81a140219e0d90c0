import Domain
import SpoolBroker
import HTTPServer

/// The production `ReadinessProbing`: a real round trip to every worker, all at once, each with
/// the readiness deadline, plus one read of the ticket store's query side.
///
/// - ticket worker: it has no `ping` message (an unknown type would go to `dead/`), so the probe
///   sends the cheapest command it really answers: a `change_status` by the `user` role, which the
///   rules always refuse (`forbidden`) and which therefore can never change a ticket. It carries a
///   fixed command id, so the worker records it once and answers every later probe from its
///   `applied_commands` row: no write, no growth, yet it proves the worker claims, applies and
///   replies. Sent volatile: a probe nobody waits for need not survive a crash.
/// - analytics workers: one real query each (their answers cost the same at any ticket count).
/// - ticket store: one `counts()` on the read-only connection (fails until the worker created it).
public struct BrokerReadinessProbe: ReadinessProbing {
    /// The fixed id of the probe command; one `applied_commands` row, ever.
    public static let probeCommandID = CommandID("gateway-readiness-probe")

    let client: RequestClient
    let analytics: any AnalyticsQuerying
    let tickets: (any TicketQueries)?
    let clock: any WallClock

    /// Probes through the process's one `RequestClient` (the probe command is volatile, so never group-committed).
    public init(client: RequestClient, analytics: any AnalyticsQuerying, tickets: (any TicketQueries)?, clock: any WallClock = SystemClock()) {
        self.client = client
        self.analytics = analytics
        self.tickets = tickets
        self.clock = clock
    }

    /// The probe command: always refused, never applied.
    public static var probeCommand: Command {
        Command(id: probeCommandID, role: .customer, action: .changeStatus(ChangeStatus(ticketID: TicketID(1), status: .closed)))
    }

    public func check(timeout: Duration) async -> [ReadinessCheck] {
        async let worker = ticketWorker(timeout: timeout)
        async let store = ticketStore()
        async let open = Self.check(.openTickets, await analytics.openTickets(.standard, timeout: timeout))
        async let resolution = Self.check(.resolutionTime, await analytics.resolutionTime(timeout: timeout))
        async let load = Self.check(.categoryLoad, await analytics.categoryLoad(timeout: timeout))
        async let levels = Self.check(.serviceLevels, await analytics.serviceLevels(timeout: timeout))
        return await [worker, store, open, resolution, load, levels]
    }

    func ticketWorker(timeout: Duration) async -> ReadinessCheck {
        let name = "ticket-worker"
        let envelope: Envelope
        do { envelope = try Envelope(type: BrokerCommandSender.commandType, body: Self.probeCommand, sentAt: clock.now()) } catch {
            return ReadinessCheck(name: name, ready: false, detail: "probe not encodable")
        }
        do {
            let reply = try await client.request(envelope, to: .commands, timeout: timeout, durability: .volatile)
            guard reply.type == BrokerCommandSender.replyType, (try? reply.decodeBody(CommandReply.self)) != nil else {
                return ReadinessCheck(name: name, ready: false, detail: "unexpected reply type \(reply.type.prefix(40))")
            }
            return ReadinessCheck(name: name, ready: true)
        } catch {
            switch error {
            case .sendFailed(let e): return ReadinessCheck(name: name, ready: false, detail: BrokerCommandSender.humanReason(e))
            case .timedOut, .cancelled: return ReadinessCheck(name: name, ready: false, detail: "no reply within the readiness deadline")
            }
        }
    }

    func ticketStore() async -> ReadinessCheck {
        guard let tickets else { return ReadinessCheck(name: "ticket-store", ready: false, detail: "not configured") }
        do {
            _ = try await tickets.counts()
            return ReadinessCheck(name: "ticket-store", ready: true)
        } catch {
            return ReadinessCheck(name: "ticket-store", ready: false, detail: "\(String(describing: error).prefix(160))")
        }
    }

    static func check<A>(_ service: AnalyticsService, _ outcome: AnalyticsOutcome<A>) -> ReadinessCheck {
        switch outcome {
        case .answered: ReadinessCheck(name: service.rawValue, ready: true)
        case .timedOut: ReadinessCheck(name: service.rawValue, ready: false, detail: "no answer within the readiness deadline")
        case .failed(let reason): ReadinessCheck(name: service.rawValue, ready: false, detail: String(reason.prefix(160)))
        }
    }
}
