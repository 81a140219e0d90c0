import ServiceLifecycle
import Testing

/// `CAMPUSDESK_GATEWAY_FILES`: where a gateway's data comes from (issue 19).
@Suite struct GatewayFilesConfigurationTests {
    @Test("shared by default; own only with a NATS broker; any other value refused")
    func gatewayFiles() throws {
        #expect(try Configuration.fromEnvironment([:]).gatewayFiles == .shared)
        #expect(try Configuration.fromEnvironment(["CAMPUSDESK_GATEWAY_FILES": "shared"]).gatewayFiles == .shared)
        let own = try Configuration.fromEnvironment(["CAMPUSDESK_GATEWAY_FILES": "own", "CAMPUSDESK_BROKER": "nats://127.0.0.1:4222"])
        #expect(own.gatewayFiles == .own)
        #expect(throws: ConfigurationError.invalid("CAMPUSDESK_GATEWAY_FILES", "own (needs CAMPUSDESK_BROKER=nats://...)")) {
            try Configuration.fromEnvironment(["CAMPUSDESK_GATEWAY_FILES": "own"])
        }
        #expect(throws: ConfigurationError.invalid("CAMPUSDESK_GATEWAY_FILES", "mine")) {
            try Configuration.fromEnvironment(["CAMPUSDESK_GATEWAY_FILES": "mine", "CAMPUSDESK_BROKER": "nats://127.0.0.1:4222"])
        }
    }

    @Test("a CAMPUSDESK_BROKER that is neither spool nor nats:// is refused without its value: it may hold a password")
    func brokerValueNotEchoed() {
        do {
            _ = try Configuration.fromEnvironment(["CAMPUSDESK_BROKER": "NATS://campus:s3cret@h:4222"])
            Issue.record("an upper-case scheme was accepted")
        } catch {
            #expect(error.description.hasPrefix("invalid CAMPUSDESK_BROKER"))
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
    }
}
