import Domain
import Logging
import ServiceLifecycle
import TicketStore
@testable import WebGateway

extension SpoolWorld {
    /// Files one ticket straight into the store (#1 in a new world), with no worker running.
    func seedTicket(_ description: String) async throws {
        let store = try TicketStore(path: ticketsPath, classifier: TunableClassifier(), clock: SystemClock(), synchronous: .normal)
        _ = try await store.apply([Command(role: .customer, action: .createTicket(CreateTicket(description: description)))])
    }

    /// A gateway that sends its commands through this world's spool (to the real ticket worker
    /// when one is started, else they wait there) and reads this world's store.
    func gateway(clock: any WallClock = SystemClock()) throws -> Gateway {
        Gateway(
            configuration: Configuration(timeZoneIdentifier: "UTC"), tickets: try TicketReader(path: ticketsPath),
            commands: BrokerCommandSender(client: requester), analytics: FixedAnalytics(),
            readiness: FixedReadiness(checks: [ReadinessCheck(name: "ticket-worker", ready: true)]), csrfSecret: Array("test-secret-0123456789".utf8),
            settings: GatewaySettings(commandTimeout: .milliseconds(100)), clock: clock, logger: Logger(component: "test", minimumLevel: .error),
            newBrowserID: { "0123456789abcdef0123456789abcdef" })
    }
}
